"""Readers of saved portal pages (HTML) and Word files (DOCX), and format detection.

Every fixture is built at test time from a real article of the bundled gazette (聊政办字〔2018〕76号
in 003_3fd668cf8acf80e9.txt; its portal page: tests/utils/portal.py): no page or Word file is committed.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Pt

from indexer.errors import GazetteParseError
from indexer.readers import DOCX, HTML, PDF, TEXT, UnsupportedFormat
from indexer.readers.detect import detect_format
from indexer.readers.docx import read_docx
from indexer.readers.html import read_html
from tests.utils.portal import CHROME, DOCNUM, GAZETTE, TITLE, article_lines, portal_page

META = {
    "索引号": "11371500004339385Q/2018-00176",
    "主题分类": "综合政务",
    "发文机关": "聊城市人民政府办公室",
    "成文日期": "2018年09月14日",
    "标题": TITLE,
    "发文字号": DOCNUM,
    "发布日期": "2018-09-20",
    "有效性": "有效",
}


@pytest.fixture(scope="module")
def article() -> list[str]:
    return article_lines()


# ---------------------------------------------------------------- HTML


# how the page is stored: encoding, charset declaration in <head>, BOM
ENCODINGS = {
    "utf8-meta-charset": ("utf-8", '<meta charset="utf-8">', b""),
    "gbk-meta-gb2312": ("gbk", '<meta charset="gb2312">', b""),
    "gbk-http-equiv": ("gbk", '<meta http-equiv="Content-Type" content="text/html; charset=GBK">', b""),
    "utf8-bom-undeclared": ("utf-8", "", b"\xef\xbb\xbf"),
    "gb18030-undeclared": ("gb18030", "", b""),  # charset-normalizer's guess
}


@pytest.mark.parametrize("case", list(ENCODINGS))
def test_portal_page_gives_the_article_and_its_metadata(tmp_path: Path, article: list[str], case: str) -> None:
    encoding, declaration, bom = ENCODINGS[case]
    path = tmp_path / "zcwj_76.html"
    path.write_bytes(bom + portal_page(article, declaration).encode(encoding))
    if encoding != "utf-8":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # really a GBK page
    source = read_html(path)
    assert source.format == HTML
    # the title printed above the metadata table, then the article line for line
    assert source.lines == article  # the h1 above the body is left out: the body prints the title after its 文号
    text = "\n".join(source.lines)
    assert [w for w in CHROME if w in text] == []
    assert "统计代码" not in text  # script
    assert "11371500004339385Q" not in text and "主题分类" not in text and "有效性" not in text  # the metadata table
    assert source.meta == META


def test_gbk_page_reads_as_the_utf8_page(tmp_path: Path, article: list[str]) -> None:
    utf8, gbk = tmp_path / "u.html", tmp_path / "g.html"
    utf8.write_text(portal_page(article), encoding="utf-8")
    gbk.write_bytes(portal_page(article, '<meta charset="gb2312">').encode("gbk"))
    a, b = read_html(utf8), read_html(gbk)
    assert a.lines == b.lines and a.meta == b.meta
    assert b.warnings == []


def test_gb2312_page_with_a_gbk_only_character_is_read_as_gb18030(tmp_path: Path) -> None:
    # 镕 and 堃 are outside GB2312: pages declared gb2312 carry them all the same
    body = "<p>关于朱镕基同志和王堃同志有关事项的通知，各县（市、区）人民政府，市政府各部门认真贯彻落实。</p>"
    path = tmp_path / "p.html"
    path.write_bytes(f'<html><head><meta charset="gb2312"></head><body>{body}</body></html>'.encode("gbk"))
    assert read_html(path).lines == ["关于朱镕基同志和王堃同志有关事项的通知，各县（市、区）人民政府，市政府各部门认真贯彻落实。"]


def test_script_text_never_appears(tmp_path: Path) -> None:
    page = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title>
<script>document.write('<p>脚本写入的文字：一、这是脚本</p>');</script></head>
<body onload="document.body.innerHTML='脚本替换的正文'">
<div class="content">
<p>各县（市、区）人民政府，市属开发区管委会，市政府各部门：</p>
<script type="text/javascript">document.write("脚本写入的第二段文字，不是公文的内容");</script>
<p>现将有关事项通知如下，请认真贯彻落实。</p>
<noscript>请启用JavaScript后浏览脚本内容</noscript>
<script type="module">import x from "/m.js"; x("脚本模块")</script>
<p>聊城市人民政府办公室</p><p>2018年9月14日</p>
</div></body></html>"""
    path = tmp_path / "s.html"
    path.write_text(page, encoding="utf-8")
    lines = read_html(path).lines
    assert lines == ["各县（市、区）人民政府，市属开发区管委会，市政府各部门：", "现将有关事项通知如下，请认真贯彻落实。", "聊城市人民政府办公室", "2018年9月14日"]
    assert "脚本" not in "".join(lines)


NO_BODY = {
    # a portal that draws the body with JavaScript, fetched without running it: chrome, title, table
    "script-rendered": lambda article: portal_page([], scripts=True).replace(
        '<div class="article-content" id="zoom">',
        '<div class="article-content" id="zoom"><script>$("#zoom").load("/api/content?id=76")</script>',
    ),
    "empty-body": lambda article: '<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知</title></head><body>\n</body></html>',
    "only-links": lambda article: '<html><body><ul><li><a href="/a">首页</a></li><li><a href="/b">政务公开</a></li><li><a href="/c">政务服务</a></li></ul></body></html>',
}


@pytest.mark.parametrize("case", list(NO_BODY))
def test_page_without_document_text_is_refused(tmp_path: Path, article: list[str], case: str) -> None:
    path = tmp_path / f"{case}.html"
    path.write_text(NO_BODY[case](article), encoding="utf-8")
    with pytest.raises(GazetteParseError) as e:
        read_html(path)
    assert e.value.path == str(path)
    assert e.value.problem.startswith("HTML page has no document text (")


def test_indentation_line_breaks_and_tables_in_the_body(tmp_path: Path) -> None:
    page = """<html><head><meta charset="utf-8"></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/zwgk">政务公开</a></div>
<div id="zoom">
<p>　　一、提高城乡低保标准。全市城市居民最低生活保障标准提高到每人每月440元。</p>
<p>&nbsp;&nbsp;二、提高特困人员基本生活标准。  </p>
<p>聊城市人民政府办公室<br>2018年9月20日</p>
<table border="1">
  <tr><th>类别</th><th>城市</th><th>农村</th></tr>
  <tr><td>低保标准</td><td>440元</td><td>300元</td></tr>
  <tr><td colspan="2">特困人员（城乡统一）</td><td>660元</td></tr>
</table>
<p>　　本通知自2018年10月1日起执行。</p>
</div>
<div class="footer">版权所有：聊城市人民政府　鲁ICP备05001932号</div>
</body></html>"""
    path = tmp_path / "t.html"
    path.write_text(page, encoding="utf-8")
    assert read_html(path).lines == [
        "　　一、提高城乡低保标准。全市城市居民最低生活保障标准提高到每人每月440元。",  # full-width indentation kept
        "二、提高特困人员基本生活标准。",  # &nbsp; and spaces at the ends stripped
        "聊城市人民政府办公室",
        "2018年9月20日",
        "类别\t城市\t农村",
        "低保标准\t440元\t300元",
        "特困人员（城乡统一）\t\t660元",  # a cell spanning two columns: once, then a blank cell (660元 stays under 农村)
        "　　本通知自2018年10月1日起执行。",
    ]


def test_metadata_as_a_list_and_an_info_bar(tmp_path: Path) -> None:
    page = """<html><head><meta charset="utf-8"></head><body>
<div class="xxgk"><ul>
  <li><span class="t">索引号：</span><span class="v">113715/2012-00003</span></li>
  <li><span class="t">发布机构：</span><span class="v">聊城市人民政府</span></li>
  <li><span class="t">名　　称：</span><span class="v">聊城市人民政府关于公布规范性文件清理结果的通知</span></li>
  <li><span class="t">文　　号：</span><span class="v">聊政发〔2012〕3号</span></li>
  <li>成文日期：2012年01月09日</li>
</ul></div>
<div class="info">发布时间：2012-01-10 09:30　来源：聊城市人民政府办公室　浏览次数：<span id="hits"></span></div>
<div class="content">
<p>各县（市、区）人民政府，市政府各部门：</p>
<p>现将规范性文件清理结果公布如下。</p>
<table><tr><td>名称</td><td>来源</td></tr><tr><td>聊城市城市绿化管理办法</td><td>市政府令</td></tr></table>
<p>聊城市人民政府</p><p>2012年1月9日</p>
</div></body></html>"""
    path = tmp_path / "m.html"
    path.write_text(page, encoding="utf-8")
    source = read_html(path)
    assert source.meta == {
        "索引号": "113715/2012-00003",
        "发文机关": "聊城市人民政府",  # 发布机构
        "标题": "聊城市人民政府关于公布规范性文件清理结果的通知",  # 名称
        "发文字号": "聊政发〔2012〕3号",  # 文号
        "成文日期": "2012年01月09日",
        "发布日期": "2012-01-10 09:30",  # 发布时间, as printed
        "来源": "聊城市人民政府办公室",
    }
    # the body's own table with the words 名称 and 来源 is no metadata table
    assert source.lines == [
        "各县（市、区）人民政府，市政府各部门：",
        "现将规范性文件清理结果公布如下。",
        "名称\t来源",
        "聊城市城市绿化管理办法\t市政府令",
        "聊城市人民政府",
        "2012年1月9日",
    ]


def test_a_library_crash_is_a_parse_error(tmp_path: Path, article: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def boom(*args, **kwargs):
        raise RuntimeError("extractor exploded")

    monkeypatch.setattr(trafilatura, "extract", boom)
    path = tmp_path / "p.html"
    path.write_text(portal_page(article), encoding="utf-8")
    with pytest.raises(GazetteParseError, match="extractor exploded"):
        read_html(path)


def test_empty_or_missing_html_file(tmp_path: Path) -> None:
    empty = tmp_path / "e.html"
    empty.write_bytes(b"  \n")
    with pytest.raises(GazetteParseError, match="file is empty"):
        read_html(empty)
    with pytest.raises(GazetteParseError, match="cannot read file"):
        read_html(tmp_path / "missing.html")


# ---------------------------------------------------------------- DOCX

DOCX_TABLE = [["序号", "行动", "完成时限"], ["1", "一窗受理", "2018年12月底前"], ["2", "一链办理", "2019年年底前"]]


def write_docx(path: Path, before: list[str], after: list[str], merge_last_row: bool = False) -> None:
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(16)
    for s in before:
        document.add_paragraph(s)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(DOCX_TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    if merge_last_row:
        merged = table.cell(2, 0).merge(table.cell(2, 1))
        merged.text = "一链办理（合并单元格）"
    for s in after:
        document.add_paragraph(s)
    document.save(str(path))


def test_docx_paragraphs_and_table_in_document_order(tmp_path: Path, article: list[str]) -> None:
    path = tmp_path / "76.docx"
    k = article.index("（二）推进措施")
    write_docx(path, article[:k], article[k:])
    source = read_docx(path)
    assert source.format == DOCX
    assert source.lines == [*article[:k], "序号\t行动\t完成时限", "1\t一窗受理\t2018年12月底前", "2\t一链办理\t2019年年底前", *article[k:]]


def test_docx_merged_cell_line_break_and_tab(tmp_path: Path) -> None:
    path = tmp_path / "m.docx"
    write_docx(path, ["　　一、大力推进政务服务大厅“一窗受理”"], [], merge_last_row=True)
    document = docx.Document(str(path))
    signature = document.add_paragraph("聊城市人民政府办公室")
    signature.add_run().add_break()
    signature.add_run("2018年9月14日")
    document.add_paragraph("附件：\t聊城市优化政务服务专项行动方案")
    document.save(str(path))
    assert read_docx(path).lines == [
        "　　一、大力推进政务服务大厅“一窗受理”",  # full-width indentation kept
        "序号\t行动\t完成时限",
        "1\t一窗受理\t2018年12月底前",
        "一链办理（合并单元格）\t\t2019年年底前",  # a cell spanning two columns: once, then a blank cell
        "聊城市人民政府办公室",  # a line break inside the paragraph: two printed lines
        "2018年9月14日",
        "附件： 聊城市优化政务服务专项行动方案",  # a tab inside a paragraph is no table cell
    ]


_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:v="urn:schemas-microsoft-com:vml"'
)


def test_docx_tracked_changes_controls_text_boxes_and_vertical_merge(tmp_path: Path) -> None:
    from docx.oxml import parse_xml

    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "类别", "标准"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "低保"
    table.cell(1, 1).text, table.cell(2, 1).text = "城市每人每月440元", "农村每人每年3600元"
    end = document.element.body[-1]  # the section properties close the body
    for xml in (
        # an insertion is text, a deletion is not
        '<w:p {ns}><w:r><w:t>现将</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>有关</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>无关</w:delText></w:r></w:del><w:r><w:t>事项通知如下</w:t></w:r></w:p>',
        # a content control around a paragraph
        "<w:sdt {ns}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>各县（市、区）人民政府</w:t></w:r></w:p></w:sdtContent></w:sdt>",
        # a text box (drawn, with the old VML copy as fallback) and a page-number field
        "<w:p {ns}><w:r><w:t>聊城市人民政府办公室</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx>"
        "<w:txbxContent><w:p><w:r><w:t>聊政办字〔2018〕76号</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>聊政办字〔2018〕76号</w:t></w:r></w:p></w:txbxContent>"
        "</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r></w:p>',
    ):
        end.addprevious(parse_xml(xml.format(ns=_NS)))
    path = tmp_path / "x.docx"
    document.save(str(path))
    assert read_docx(path).lines == [
        "类别\t标准",
        "低保\t城市每人每月440元",
        "\t农村每人每年3600元",  # the merged cell once, its column kept
        "现将有关事项通知如下",
        "各县（市、区）人民政府",
        "聊城市人民政府办公室",
        "聊政办字〔2018〕76号",  # the text box once, after its paragraph
    ]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("聊城市人民政府办公室关于印发《聊城市优化政务服务专项行动方案》的通知")
    document.save(buf)
    return buf.getvalue()


BAD_DOCX = {
    "zip-of-ofd": (_zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}), "no word/document.xml"),
    "zip-of-text": (_zip({"readme.txt": b"hello"}), "no word/document.xml"),
    "zip-of-xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}), "Excel"),
    "truncated": (_docx_bytes()[:600], "corrupt or truncated ZIP archive"),
    "not-a-zip": ("聊政办字〔2018〕76号".encode() * 20, "not a ZIP archive"),
    # word/document.xml but no package around it: python-docx fails inside
    "no-package": (_zip({"word/document.xml": b"<w:document/>"}), "cannot read the Word document"),
}


@pytest.mark.parametrize("case", list(BAD_DOCX))
def test_docx_that_is_no_word_document_is_a_parse_error(tmp_path: Path, case: str) -> None:
    data, problem = BAD_DOCX[case]
    path = tmp_path / f"{case}.docx"
    path.write_bytes(data)
    with pytest.raises(GazetteParseError) as e:
        read_docx(path)
    assert e.value.path == str(path)
    assert problem in e.value.problem


def test_docx_with_a_damaged_member_is_a_parse_error(tmp_path: Path) -> None:
    data = bytearray(_docx_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 10, start + 40):
        data[k] ^= 0xFF
    path = tmp_path / "damaged.docx"
    path.write_bytes(bytes(data))
    with pytest.raises(GazetteParseError, match="corrupt ZIP archive"):
        read_docx(path)


# ---------------------------------------------------------------- detection

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
READS = "this service reads PDF, DOCX, HTML and UTF-8 text"


def _gazette_head() -> bytes:
    return GAZETTE.read_bytes()[:6000].decode("utf-8", errors="ignore").encode("utf-8")


DETECTED = [
    # (case, file name, content, format)
    ("pdf", "issue.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", PDF),
    ("pdf-after-newline", "issue.bin", b"\r\n%PDF-1.4\n1 0 obj", PDF),
    ("docx", "notice.docx", _docx_bytes(), DOCX),
    ("docx-named-otherwise", "notice.dat", _docx_bytes(), DOCX),
    ("truncated-docx", "notice.docx", _docx_bytes()[:600], DOCX),  # the reader says what is broken
    ("html", "page.html", b"<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>x</p></body></html>", HTML),
    ("html-utf8-bom", "page.htm", b"\xef\xbb\xbf  \n<!doctype html><html><body>" + "通知".encode() + b"</body></html>", HTML),
    (
        "html-gbk",
        "page",
        '<html>\n<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>聊城市人民政府</body></html>'.encode("gbk"),
        HTML,
    ),
    ("html-utf16", "page.html", "\ufeff<html><body>聊城市人民政府</body></html>".encode("utf-16-le"), HTML),
    (
        "html-saved-from-url",
        "page.txt",
        b"<!-- saved from url=(0045)http://www.liaocheng.gov.cn/zwgk/zcwj/76.html -->\n<html><head></head><body>x</body></html>",
        HTML,
    ),
    ("html-xhtml", "page.xhtml", b'<?xml version="1.0" encoding="gb2312"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x">\n<html>', HTML),
    ("html-fragment-named-html", "frag.html", "<div><p>聊城市人民政府</p></div>".encode(), HTML),  # a tie: the suffix decides
    ("fragment-named-txt", "frag.txt", "<div><p>聊城市人民政府</p></div>".encode(), TEXT),
    ("gazette-text", "003.txt", _gazette_head(), TEXT),
    ("gazette-text-with-tags", "003.html", "聊城市人民政府公报<br>\n2018年第9期<br>\n<body> 目录\n".encode(), TEXT),
    ("gazette-text-bom", "003.txt", b"\xef\xbb\xbf" + _gazette_head(), TEXT),
    ("gazette-head-cut-in-a-character", "003.txt", "聊城市人民政府公报".encode()[:-1], TEXT),  # a caller may sniff the head only
]


@pytest.mark.parametrize("case,name,data,fmt", DETECTED, ids=[d[0] for d in DETECTED])
def test_detect_format(case: str, name: str, data: bytes, fmt: str) -> None:
    assert detect_format(data, name) == fmt


REFUSED = [
    # (case, file name, content, words of the message)
    ("ofd", "issue.ofd", _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}), "OFD is not read yet: convert it to PDF"),
    ("ofd-named-docx", "issue.docx", _zip({"OFD.xml": b"<ofd:OFD/>"}), "OFD is not read yet: convert it to PDF"),
    (
        "doc",
        "notice.doc",
        _OLE2 + "WordDocument".encode("utf-16-le") + b"\x00" * 64,
        "legacy Word/WPS .doc/.wps files are not read: save as .docx or PDF; " + READS,
    ),
    ("wps", "通知.wps", _OLE2 + b"\x01" * 64, "legacy Word/WPS .doc/.wps files are not read: save as .docx or PDF; " + READS),
    ("xls", "table.xls", _OLE2 + "Workbook".encode("utf-16-le"), "Excel"),
    ("xls-directory-beyond-the-head", "table.xls", _OLE2 + b"\x01" * 64, "Excel"),
    ("png", "scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image (PNG): wrap scans in a PDF"),
    ("jpeg", "scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "an image (JPEG): wrap scans in a PDF"),
    ("tiff", "scan.tif", b"II*\x00\x08\x00\x00\x00", "an image (TIFF): wrap scans in a PDF"),
    ("zip", "attachments.zip", _zip({"a.txt": b"x", "b.pdf": b"%PDF-1.4"}), "ZIP archive"),
    ("xlsx", "table.xlsx", _zip({"xl/workbook.xml": b"<w/>"}), "Excel workbook"),
    ("binary", "blob.bin", bytes(range(256)) * 4, "unknown format (starts with bytes 00 01 02"),
    ("gbk-text", "003.txt", "聊城市人民政府公报\n2018年第9期\n".encode("gbk"), "not UTF-8"),
    ("rtf", "notice.rtf", b"{\\rtf1\\ansi\\ansicpg936 ...}", "RTF is not read"),
    ("utf16-text", "003.txt", "\ufeff聊城市人民政府公报\n".encode("utf-16-le"), "UTF-16, not UTF-8"),
    (
        "mhtml",
        "page.mhtml",
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://www.liaocheng.gov.cn/a.html\r\nSubject: x\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----MultipartBoundary"\r\n',
        "MHTML web archive",
    ),
]


@pytest.mark.parametrize("case,name,data,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_detect_format_refuses(case: str, name: str, data: bytes, words: str) -> None:
    with pytest.raises(UnsupportedFormat) as e:
        detect_format(data, name)
    assert isinstance(e.value, GazetteParseError)
    assert e.value.path == name
    assert words in e.value.problem
    assert READS in e.value.problem


def test_a_title_printed_as_heading_and_again_in_the_body_is_read_once(tmp_path: Path) -> None:
    title = "国务院关于印发城市测绘标志保护试点方案的通知"
    page = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><div class='nav'>首页</div>"
            f"<div class='article'><h1>{title}</h1><p>{title}</p><p>国发〔2016〕15号</p>"
            "<p>各省、自治区、直辖市人民政府，国务院各部委、各直属机构：</p>"
            "<p>　　现将《城市测绘标志保护试点方案》印发给你们，请认真贯彻执行。</p><p>国务院</p><p>二〇一六年三月七日</p></div>"
            "<div class='footer'>版权所有</div></body></html>")
    path = tmp_path / "p.html"
    path.write_text(page, encoding="utf-8")
    assert read_html(path).lines[:2] == [title, "国发〔2016〕15号"]
