"""Gazettes as they are published, end to end: the bundled corpus printed to PDF, an article saved as
a portal page and as a Word file, a scanned page; each added through the library, the CLI or the
admin upload of a running app (no restart), and asked about. Fixtures are built at test time from
the bundled text files (tests/utils/pdf_fixtures.py); no PDF of a real issue is committed.

The fake embedder (unit tier) is enough: the question is phrased in the document's words, and the
point is that every format yields the same paragraphs, hence the same quoted evidence.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.build import build_index
from indexer.parser import parse_files
from indexer.settings import REPO_ROOT, Settings
from service.app import create_app
from service.engine import Engine
from tests.utils.api import make_web_dir
from tests.utils.pdf_fixtures import PrintJob, chromium_available, print_issues_chromium
from tests.utils.portal import DOCNUM as PORTAL_DOCNUM
from tests.utils.portal import article_lines, portal_page

GAZETTES = REPO_ROOT / "data" / "gazettes"
ISSUE_2023 = GAZETTES / "001_4e409ccb49078295.txt"
ARTICLE_2018 = GAZETTES / "003_3fd668cf8acf80e9.txt"
QUESTION = "烈士遗属短期休养每期多少天？"
EVIDENCE = "短期休养每期不少于15天。"
TOKEN = "formats-token"

needs_chromium = pytest.mark.skipif(chromium_available() is not None, reason=str(chromium_available()))


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    """The five bundled gazette files printed as two-column PDFs by Chromium, one browser launch."""
    if chromium_available() is not None:
        pytest.skip(chromium_available())
    out = tmp_path_factory.mktemp("printed")
    jobs = [PrintJob(txt, out / f"{txt.stem}.pdf") for txt in sorted(GAZETTES.glob("*.txt"))]
    print_issues_chromium(jobs)
    return {j.txt_path.name: j.out_pdf for j in jobs}


def _settings(tmp_path: Path, files: list[Path], **overrides) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True)
    for f in files:
        shutil.copy(f, corpus / f.name)
    values = dict(cache_dir=tmp_path / "cache", corpus_dir=corpus, model="fake-64", admin_token=TOKEN)
    return Settings(**{**values, **overrides})


def _key(doc) -> tuple:
    return (doc.docnum, doc.title, doc.date, [p.text for p in doc.paragraphs])


@needs_chromium
def test_the_bundled_corpus_printed_to_pdf_gives_the_same_44_documents(printed):
    from_text = parse_files(sorted(GAZETTES.glob("*.txt")))
    from_pdf = parse_files(sorted(printed.values()))
    assert (len(from_text.documents), from_text.errors) == (44, [])
    assert (len(from_pdf.documents), from_pdf.errors) == (44, [])
    text_meta = sorted((d.docnum or "", d.title, d.date or "") for d in from_text.documents)
    pdf_meta = sorted((d.docnum or "", d.title, d.date or "") for d in from_pdf.documents)
    assert pdf_meta == text_meta
    # paragraph by paragraph: every document but those of the Markdown pipe tables of 003 (a table the
    # text file holds as "|…|" lines, which a printed table never reproduces), see test_reader_pdf
    text_docs = {(d.docnum, d.title): d for d in from_text.documents}
    differ = [d.title for d in from_pdf.documents if _key(d) != _key(text_docs[(d.docnum, d.title)])]
    assert len(differ) <= 3, differ
    assert all(d.source_format == "pdf" and d.source_pages and d.source_pages > 5 for d in from_pdf.documents)
    assert all(p.page is not None for d in from_pdf.documents for p in d.paragraphs if d.source_file.startswith("001"))


@needs_chromium
def test_a_question_over_the_pdf_quotes_the_same_evidence_with_its_page(printed, tmp_path):
    text_engine = Engine.load(_ready(_settings(tmp_path / "text", [ISSUE_2023])))
    pdf_engine = Engine.load(_ready(_settings(tmp_path / "pdf", [printed[ISSUE_2023.name]])))
    from_text, from_pdf = text_engine.ask(QUESTION), pdf_engine.ask(QUESTION)
    assert from_text.answered and from_pdf.answered
    assert [c.quote for c in from_pdf.citations] == [c.quote for c in from_text.citations]
    assert EVIDENCE in from_pdf.citations[0].quote
    page = from_pdf.citations[0].page
    assert isinstance(page, int) and 1 <= page <= pdf_engine.get_document(from_pdf.citations[0].doc_id).source_pages
    assert f"（第{page}页）：" in from_pdf.answer and "页）" not in from_text.answer
    assert from_text.citations[0].page is None


def _ready(settings: Settings) -> Settings:
    build_index(settings, progress=False)
    return settings


def test_portal_page_and_word_file_quote_the_same_evidence(tmp_path):
    """One article saved as a portal page (site chrome, metadata table) and as a Word file."""
    article = article_lines()
    page = tmp_path / "src" / "page.html"
    page.parent.mkdir()
    page.write_bytes(portal_page(article, '<meta charset="gb2312">').encode("gbk"))
    word = tmp_path / "src" / "notice.docx"
    import docx

    d = docx.Document()
    for line in article:
        d.add_paragraph(line)
    d.save(str(word))
    question = "政务服务专项行动的牵头部门要负起什么责任？"
    answers, docs = {}, {}
    for name, f in (("html", page), ("docx", word)):
        engine = Engine.load(_ready(_settings(tmp_path / name, [f])))
        (docs[name],) = engine.documents()
        answers[name] = engine.ask(question)
    assert [(d.docnum, d.source_format) for d in docs.values()] == [(PORTAL_DOCNUM, "html"), (PORTAL_DOCNUM, "docx")]
    assert [p.text for p in docs["html"].paragraphs] == [p.text for p in docs["docx"].paragraphs]
    assert answers["html"].answered and answers["docx"].answered
    assert [c.quote for c in answers["html"].citations] == [c.quote for c in answers["docx"].citations]
    assert docs["html"].date == docs["docx"].date == "2018-09-14"


def test_admin_upload_of_pdf_html_and_docx_is_answered_without_a_restart(tmp_path):
    """Upload through the running app; the new documents are answered at once, and the originals
    can be downloaded with their content type (a saved web page never as HTML)."""
    from tests.utils.pdf_fixtures import text_pdf

    settings = _ready(_settings(tmp_path, [ARTICLE_2018]))
    pdf = text_pdf(tmp_path / "notice.pdf", [_notice_lines()[:9], _notice_lines()[9:]])
    with TestClient(create_app(settings, Engine.load(settings), web_dir=make_web_dir(tmp_path)),
                    raise_server_exceptions=False) as client:
        r = client.post("/api/admin/documents", headers={"Authorization": f"Bearer {TOKEN}"},
                        files=[("files", ("通知.PDF", pdf.read_bytes(), "application/pdf")),
                               ("files", ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "application/msword")),
                               ("files", ("empty.html", b"<html><body><nav>\xe9\xa6\x96\xe9\xa1\xb5</nav></body></html>", "text/html"))])
        assert r.status_code == 200, r.text
        files = r.json()["files"]
        assert [(f["filename"], f["status"], f["source"]) for f in files] == [
            ("通知.PDF", "added", "通知.pdf"), ("old.doc", "error", None), ("empty.html", "error", None)]
        assert files[1]["detail"].startswith("legacy Word/WPS .doc/.wps files are not read")
        assert files[2]["detail"].startswith("HTML page has no document text")
        sources = {s["source"]: s for s in client.get("/api/admin/documents", headers={"Authorization": f"Bearer {TOKEN}"}).json()["sources"]}
        assert (sources["通知.pdf"]["format"], sources["通知.pdf"]["pages"]) == ("pdf", 2)
        answer = client.post("/api/ask", json={"question": "城区共享单车停放点设置多少个？"}).json()
        assert answer["answered"], answer
        cited = answer["citations"][0]
        assert cited["title"] == NOTICE_TITLE and cited["page"] == 2 and "（第2页）" in answer["answer"]
        # the hotline desk's search gives the page too, for the agent to quote
        hits = client.get("/api/search", params={"q": "城区共享单车停放点", "k": 3}).json()["results"]
        found = next(h for h in hits if h["doc_id"] == cited["doc_id"] and cited["quote"][:10] in h["text"])
        assert found["page"] == 2
        original = client.get(f"/api/documents/{cited['doc_id']}/source")
        assert original.status_code == 200 and original.headers["content-type"] == "application/pdf"
        assert original.content == pdf.read_bytes()
        progress = client.get("/api/admin/progress", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert progress["stage"] == "done" and progress["files_total"] == 3


NOTICE_TITLE = "聊城市人民政府办公室关于规范城区共享单车停放管理的通知"


def _notice_lines() -> list[str]:
    return [
        "聊政办字〔2024〕9号", NOTICE_TITLE,
        "各县（市、区）人民政府，市政府各部门：",
        "为规范城区共享单车停放秩序，经市政府同意，现就有关事项通知如下：",
        "一、城区共享单车停放点由市城市管理局统一规划。",
        "二、运营企业应当按照停放点要求投放车辆，及时清理违规停放车辆。",
        "三、市城市管理局负责监督检查，对违规企业依法处理。",
        "四、各县（市、区）参照执行。",
        "五、本通知自印发之日起施行。",
        "六、城区共享单车停放点设置1200个，其中主城区800个，开发区400个。",
        "七、市民可通过12345热线反映违规停放问题。",
        "聊城市人民政府办公室",
        "2024年3月5日",
    ]
