"""Tables as structure (indexer.tables) and 大事记 days (indexer.chronicle): on the bundled
gazettes, and on small line streams of each shape a reader gives."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.chunker import chunk_documents, embedding_text
from indexer.models import TableRow
from indexer.paragraphs import build_paragraphs
from indexer.parser import clean_body, parse_corpus, parse_gazette
from indexer.tables import row_index_text, table_row_lines
from indexer.tokens import count_tokens

CORPUS = Path(__file__).resolve().parent.parent / "data" / "gazettes"
PLAN = "聊政发〔2021〕4号"
CAPTION = "“十四五”时期聊城市经济社会发展主要指标"
HEADER = ("类别", "指标", "2020年", "2025年", "年均/[累计]", "属性")


@pytest.fixture(scope="module")
def corpus():
    docs = parse_corpus([CORPUS])
    return docs, chunk_documents(docs, count_tokens, max_tokens=512, target_chars=500)


def _plan(docs):
    return next(d for d in docs if d.docnum == PLAN)


def _paragraphs(lines: list[str], root: str = "测试", chronicle: bool = False):
    return build_paragraphs(clean_body(lines), root, chronicle=chronicle)


# ---- the plan's indicator table ----------------------------------------------------------


def test_plan_indicator_table_caption_header_and_rows(corpus):
    docs, _ = corpus
    paras = _plan(docs).paragraphs
    k = next(i for i, p in enumerate(paras) if p.kind == "table_caption")
    caption, header = paras[k], paras[k + 1]
    assert (caption.kind, caption.text, caption.table) == ("table_caption", CAPTION, None)
    assert (header.kind, header.text) == ("table_header", "\t".join(HEADER))
    assert header.table == TableRow(CAPTION, HEADER, HEADER)
    rows = [p for p in paras if p.kind == "table_row"]
    assert len(rows) == 24
    assert rows[0].text == "经济发展\t地区生产总值增速(%)\t2.8\t—\t≥6\t预期性"
    assert rows[0].table.inherited == ()  # printed in full


def test_row_keeps_every_cell_and_inherits_its_category(corpus):
    docs, _ = corpus
    row = next(p for p in _plan(docs).paragraphs if "基本养老保险参保人数" in p.text)
    assert row.kind == "table_row"
    assert row.text == "\t基本养老保险参保人数(万人)\t396.3\t408\t2.3\t预期性"  # the blank 类别 cell kept, verbatim
    assert row.table.cells == ("", "基本养老保险参保人数(万人)", "396.3", "408", "2.3", "预期性")
    assert row.table.cells[1:] == ("基本养老保险参保人数(万人)", "396.3", "408", "2.3", "预期性")
    assert row.table.inherited == ("民生福祉", "", "", "", "", "")
    assert (row.table.caption, row.table.header) == (CAPTION, HEADER)
    blanks = next(p for p in _plan(docs).paragraphs if "单位地区生产总值二氧化碳排放量降低" in p.text)
    assert blanks.table.cells == ("", "单位地区生产总值二氧化碳排放量降低(%)", "—", "", "", "约束性")  # blank cells in the middle too
    assert blanks.table.inherited == ("绿色生态", "", "", "", "", "")


def test_each_body_row_is_a_chunk_indexed_with_header_and_caption(corpus):
    docs, chunks = corpus
    plan = _plan(docs)
    row = next(p for p in plan.paragraphs if "基本养老保险参保人数" in p.text)
    own = [c for c in chunks if c.paragraph_ids == (row.paragraph_id,)]
    assert len(own) == 1
    assert own[0].text == row.text
    assert own[0].index_text == (
        "“十四五”时期聊城市经济社会发展主要指标｜类别 民生福祉｜指标 基本养老保险参保人数(万人)｜2020年 396.3｜"
        "2025年 408｜年均/[累计] 2.3｜属性 预期性"
    )
    assert embedding_text(own[0]).endswith("\n" + own[0].index_text)
    head = [c for c in chunks if c.doc_id == plan.doc_id and c.text.startswith(CAPTION + "\n" + "\t".join(HEADER))]
    assert head  # caption and header are indexed too


def test_space_aligned_rows_are_a_table():
    lines = [
        "二、补助标准",
        "",
        "补助标准一览",
        "类别  城市  农村",
        "低保标准　　440元　　300元",
        "特困人员  660元  660元",
        "本通知自2018年10月1日起执行。",
    ]
    paras = _paragraphs(lines)
    assert [(p.kind, p.text) for p in paras] == [
        ("heading", "二、补助标准"),
        ("table_caption", "补助标准一览"),
        ("table_header", "类别\t城市\t农村"),
        ("table_row", "低保标准\t440元\t300元"),
        ("table_row", "特困人员\t660元\t660元"),
        ("text", "本通知自2018年10月1日起执行。"),
    ]
    assert paras[4].table == TableRow("补助标准一览", ("类别", "城市", "农村"), ("特困人员", "660元", "660元"))


@pytest.mark.parametrize(
    "lines",
    [
        # a sentence with double spaces, and its neighbour: cells end sentences
        ["各县（市、区）要高度重视  认真组织实施  确保取得实效。", "市直各部门要加强协作  形成合力  抓好落实。"],
        # two cells only: a signature and its date
        ["聊城市人民政府办公室  2018年9月20日", "聊城市民政局  2018年9月21日"],
        # one line alone is no table
        ["类别  城市  农村"],
        # a clause between the gaps is prose
        ["为进一步加强城市低保工作，切实保障困难群众基本生活  现就有关事项  通知如下", "一  二  三"],
        # so is a long run of words
        ["为进一步加强城市低保工作并切实保障全市困难群众基本生活和合法权益  现就有关事项  通知如下", "一  二  三"],
    ],
)
def test_prose_with_double_spaces_is_no_table(lines):
    assert table_row_lines(lines) == {}
    assert all(p.kind != "table_row" and "\t" not in p.text for p in _paragraphs(lines))


def test_tab_rows_keep_blank_leading_cells_and_a_lone_indent_is_no_row():
    lines = ["\t一、总则", "", "类别\t标准", "低保\t城市每人每月440元", "\t农村每人每年3600元"]
    assert table_row_lines(lines) == {2: "类别\t标准", 3: "低保\t城市每人每月440元", 4: "\t农村每人每年3600元"}
    paras = _paragraphs(lines)
    assert paras[0].kind == "heading" and paras[0].text == "一、总则"
    assert paras[-1].table == TableRow(None, ("类别", "标准"), ("", "农村每人每年3600元"), ("低保", ""))


def test_cells_are_cleaned_one_by_one():
    """Spaces next to CJK go inside a cell, never the tab between two cells."""
    assert table_row_lines(["**类别**\t2020 年\t增长 3.7%", "经济 发展\t\t6"]) == {0: "类别\t2020年\t增长3.7%", 1: "经济发展\t\t6"}


def test_row_index_text_names_inherited_and_skips_blank_cells():
    row = TableRow("主要指标", ("类别", "指标", "2025年"), ("", "森林覆盖率(%)", ""), ("绿色生态", "", ""))
    assert row_index_text(row) == "主要指标｜类别 绿色生态｜指标 森林覆盖率(%)"


# ---- 大事记 days -------------------------------------------------------------------------


def _chronicle(docs, month: str):
    return next(d for d in docs if d.title == f"聊城市人民政府大事记（{month}）")


def test_chronicle_items_carry_the_iso_date_of_their_day(corpus):
    docs, _ = corpus
    april = _chronicle(docs, "2020年4月")

    def day_of(start: str) -> tuple[str | None, str | None]:
        p = next(p for p in april.paragraphs if p.text.startswith(start))
        return p.day, p.day_end

    assert day_of("14日，市委副书记、代市长李长萍以视频会议形式") == ("2020-04-14", None)
    assert day_of("△山东省委新冠肺炎疫情处置工作领导小组") == ("2020-04-14", None)  # a △ item inherits its day
    assert day_of("△市委副书记、代市长李长萍会见国开行") == ("2020-04-14", None)
    assert day_of("15日，市委副书记、代市长、市委新冠肺炎") == ("2020-04-15", None)
    assert april.paragraphs[0].day is None  # the title
    august = _chronicle(docs, "2023年8月")
    ranged = next(p for p in august.paragraphs if p.text.startswith("2-3日"))
    assert (ranged.day, ranged.day_end, ranged.heading_path[-1]) == ("2023-08-02", "2023-08-03", "2-3日")
    earlier = _chronicle(docs, "2018年8月")
    both = next(p for p in earlier.paragraphs if p.text.startswith("18日-19日"))
    assert (both.day, both.day_end, both.heading_path[-1]) == ("2018-08-18", "2018-08-19", "18日-19日")
    assert all(p.day and p.day.startswith("2018-08-") for p in earlier.paragraphs[1:])


def test_chronicle_chunk_is_indexed_under_its_date(corpus):
    docs, chunks = corpus
    april = _chronicle(docs, "2020年4月")
    day14 = [c for c in chunks if c.doc_id == april.doc_id and c.day == "2020-04-14"]
    assert len(day14) == 1
    assert day14[0].index_text.startswith("2020年4月14日\n14日，市委副书记、代市长李长萍以视频会议形式主持召开市政府第64次常务会议")
    assert "△市委副书记、代市长李长萍会见国开行山东分行党委书记" in day14[0].text
    ranged = next(c for c in chunks if c.text.startswith("2-3日"))
    assert ranged.index_text.startswith("2023年8月2日至3日\n")


def test_day_headings_on_their_own_lines_and_with_a_month():
    lines = ["7日", "市政府召开常务会议。", "△市长调研农业生产。", "4月8日，全市安全生产会议召开。", "2020年4月9日", "市政府举行座谈会。"]
    paras = _paragraphs(lines, root="聊城市人民政府大事记（2020年4月）", chronicle=True)
    assert [(p.text, p.day) for p in paras] == [
        ("7日", "2020-04-07"),
        ("市政府召开常务会议。", "2020-04-07"),
        ("△市长调研农业生产。", "2020-04-07"),
        ("4月8日，全市安全生产会议召开。", "2020-04-08"),
        ("2020年4月9日", "2020-04-09"),
        ("市政府举行座谈会。", "2020-04-09"),
    ]


# ---- tables from each reader ---------------------------------------------------------------


def test_pdf_ruled_table_rows_get_their_header(tmp_path):
    from indexer.readers.pdf import read_pdf
    from tests.utils.pdf_fixtures import split_row_pdf

    source = read_pdf(split_row_pdf(tmp_path / "split.pdf"))
    paras = _paragraphs(["指标体系及责任分工", *source.lines])
    assert [p.kind for p in paras] == ["table_caption", "table_header", "table_row", "table_row", "table_row"]
    assert paras[3].table == TableRow(
        "指标体系及责任分工", ("指标", "责任单位"),
        ("2.万元生产总值技术国际收入（美元）", "市科技局、国家外汇管理局中心支局、各县按职责分工负责"),
    )


def test_docx_table_under_a_merged_cell(tmp_path):
    import docx

    from indexer.readers.docx import read_docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for c, value in enumerate(("类别", "标准", "说明")):
        table.cell(0, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0)).text = "低保"
    table.cell(1, 1).text, table.cell(2, 1).text = "城市每人每月440元", "农村每人每年3600元"
    table.cell(1, 2).text, table.cell(2, 2).text = "2018年10月起", "2018年10月起"
    path = tmp_path / "t.docx"
    document.save(str(path))
    paras = _paragraphs(read_docx(path).lines)
    assert [p.text for p in paras] == ["类别\t标准\t说明", "低保\t城市每人每月440元\t2018年10月起", "\t农村每人每年3600元\t2018年10月起"]
    assert paras[2].table == TableRow(None, ("类别", "标准", "说明"), ("", "农村每人每年3600元", "2018年10月起"), ("低保", "", ""))


def test_html_rowspan_and_colspan_keep_columns(tmp_path):
    from indexer.readers.html import read_html

    page = """<html><head><meta charset="utf-8"></head><body><div id="zoom">
<p>聊城市人民政府办公室关于调整城乡低保标准的通知</p>
<p>一、城乡低保标准调整如下。</p>
<table border="1">
  <tr><th>类别</th><th>城市</th><th>农村</th></tr>
  <tr><td rowspan="2">低保</td><td>440元</td><td>300元</td></tr>
  <tr><td>每人每月</td><td>每人每年</td></tr>
  <tr><td>特困人员</td><td colspan="2">660元</td></tr>
</table>
<p>聊城市人民政府办公室</p><p>2018年9月20日</p>
</div></body></html>"""
    path = tmp_path / "t.html"
    path.write_text(page, encoding="utf-8")
    lines = read_html(path).lines
    assert lines[2:6] == ["类别\t城市\t农村", "低保\t440元\t300元", "\t每人每月\t每人每年", "特困人员\t660元"]
    paras = _paragraphs(lines)
    row = next(p for p in paras if p.text == "\t每人每月\t每人每年")
    assert row.table == TableRow(None, ("类别", "城市", "农村"), ("", "每人每月", "每人每年"), ("低保", "", ""))


def test_bundled_plan_parses_the_same_from_the_file(corpus):
    """parse_gazette on the plan's own file gives the same rows as the corpus parse."""
    docs, _ = corpus
    plan = _plan(docs)
    again = next(d for d in parse_gazette(CORPUS / plan.source_file) if d.docnum == PLAN)
    assert [p.table for p in again.paragraphs if p.table] == [p.table for p in plan.paragraphs if p.table]
