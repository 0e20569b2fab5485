"""indexer.readers.pdf: a gazette issue printed to PDF reads back as its text conversion.

The bundled text conversions (data/gazettes/000–003) are printed at test time by two
typesetters (tests/utils/pdf_fixtures.py): Chromium (CSS columns, titles spanning both columns, a
running header, page numbers as "· 3 ·", "- 3 -", "第3页" or "3") and reportlab (two Frames a
page, a CID font, titles centred in their column, ragged right, the issue's name on odd pages and
the section on even ones). Each PDF's lines go through the project's parser (parse_lines) and
must give the same documents (文号, title, signing date) and the same paragraphs as the text file.

Agreement measured when these tests were written (paragraphs identical, in order, per issue):

    issue  chromium  reportlab  what differs
    000    405/405   403/405    reportlab breaks inside Latin words ("G" / "DP" in a table cell
                                reads back "G DP") and drops the space at a break after "+"
                                ("+ AI" reads back "+AI"): the PDF cannot tell these apart
    001    699/699   699/699
    002    346/346   346/346
    003    343/415   343/415    the text conversion holds Markdown pipe tables ("| a | b |"): 70
                                paragraphs that a printed table cannot reproduce; the reader gives
                                tab-separated rows, clean_line drops tabs next to CJK, so the
                                parser joins those rows, and the "注:" and "附件3:" lines next to
                                them, into other paragraphs. The text is the same (test_same_text)

EXPECTED_DIFFERENT holds those measured differences: a regression fails, an improvement passes.
"""
from __future__ import annotations

import difflib
import re
import time
from pathlib import Path

import pytest

from indexer.errors import GazetteParseError
from indexer.paragraphs import TABLE_SEP_RE
from indexer.parser import parse_lines
from indexer.readers import PDF
from indexer.readers import pdf as pdf_reader
from indexer.readers.pdf import read_pdf
from indexer.settings import REPO_ROOT
from indexer.text import strip_markup
from tests.utils.fake_ocr import FakeOcr
from tests.utils.pdf_fixtures import (
    PrintJob,
    blank_pages_pdf,
    chromium_available,
    encrypted_pdf,
    issue_blocks,
    odd_pages_pdf,
    print_issue_reportlab,
    print_issues_chromium,
    running_header,
    split_row_pdf,
    text_and_image_pdf,
    zero_page_pdf,
)

GAZETTES = REPO_ROOT / "data" / "gazettes"
ISSUES = ("000", "001", "002", "003")

# paragraphs of the text file that the PDF does not reproduce, as measured (see the module docstring)
EXPECTED_DIFFERENT = {("000", "reportlab"): 2, ("003", "chromium"): 72, ("003", "reportlab"): 72}
# Chromium footers in each style the reader must recognise as page numbers
CHROMIUM_PAGE_NUMBERS = {"000": "page", "001": "dots", "002": "dashes", "003": "plain"}
MAX_SECONDS_PER_PAGE = 0.2
PAGE_NUMBER_RE = re.compile(r"^\s*(?:[·\-–—]\s*)?\d{1,3}(?:\s*[·\-–—])?\s*$|^第\s*\d{1,3}\s*页$")


def issue_text(issue: str) -> Path:
    return next(GAZETTES.glob(f"{issue}_*.txt"))


# --------------------------------------------------------------------------- fixtures: the printed issues


@pytest.fixture(scope="module")
def chromium_pdfs(tmp_path_factory) -> dict[str, Path]:
    reason = chromium_available()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("chromium-pdf")
    jobs = {issue: PrintJob(issue_text(issue), folder / f"{issue}.pdf", 2, CHROMIUM_PAGE_NUMBERS[issue]) for issue in ISSUES}
    jobs["000-one-column"] = PrintJob(issue_text("000"), folder / "000-one-column.pdf", 1, "dots")
    print_issues_chromium(list(jobs.values()))
    return {name: job.out_pdf for name, job in jobs.items()}


@pytest.fixture(scope="module")
def reportlab_pdfs(tmp_path_factory) -> dict[str, Path]:
    pytest.importorskip("reportlab", reason="reportlab is not installed (pip install -e .[test])")
    folder = tmp_path_factory.mktemp("reportlab-pdf")
    return {issue: print_issue_reportlab(issue_text(issue), folder / f"{issue}.pdf") for issue in ISSUES}


_read_cache: dict[Path, object] = {}


def read(path: Path):
    """read_pdf once per file in this module (several tests look at the same result)."""
    if path not in _read_cache:
        _read_cache[path] = read_pdf(path)
    return _read_cache[path]


def typeset(typesetter: str, issue: str, request) -> Path:
    pdfs = request.getfixturevalue(f"{typesetter}_pdfs")
    return pdfs[issue]


# --------------------------------------------------------------------------- comparing with the text file


def parse_text(issue: str):
    path = issue_text(issue)
    return parse_lines(path.read_text(encoding="utf-8-sig").splitlines(), path)


def doc_keys(docs) -> list[tuple]:
    return [(d.docnum, d.title, d.date) for d in docs]


def paragraph_agreement(expected_docs, got_docs) -> tuple[int, int, list[str]]:
    """(identical paragraphs, all paragraphs of the text file, the differences described)."""
    got = {(d.docnum, d.title, d.date): d for d in got_docs}
    same = total = 0
    diffs: list[str] = []
    for d in expected_docs:
        want = [p.text for p in d.paragraphs]
        have = [p.text for p in got[(d.docnum, d.title, d.date)].paragraphs] if (d.docnum, d.title, d.date) in got else []
        total += len(want)
        sm = difflib.SequenceMatcher(a=want, b=have, autojunk=False)
        same += sum(block.size for block in sm.get_matching_blocks())
        for op, a0, a1, b0, b1 in sm.get_opcodes():
            if op != "equal":
                diffs.append(f"{d.docnum or d.title} ¶{a0}: {op} {want[a0:a1][:2]} → {have[b0:b1][:2]}")
    return same, total, diffs


def bare(lines: list[str]) -> str:
    """The lines' characters without whitespace and table pipes."""
    return re.sub(r"[\s|]", "", "".join(lines))


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize("typesetter", ["chromium", "reportlab"])
@pytest.mark.parametrize("issue", ISSUES)
def test_same_documents_and_paragraphs(issue, typesetter, request):
    pdf = typeset(typesetter, issue, request)
    source = read(pdf)
    expected, got = parse_text(issue), parse_lines(source.lines, pdf)
    assert doc_keys(got) == doc_keys(expected)
    same, total, diffs = paragraph_agreement(expected, got)
    print(f"{issue} {typesetter}: {len(got)}/{len(expected)} documents, {same}/{total} paragraphs identical")
    assert total - same <= EXPECTED_DIFFERENT.get((issue, typesetter), 0), "\n".join(diffs[:10])


@pytest.mark.parametrize("typesetter", ["chromium", "reportlab"])
@pytest.mark.parametrize("issue", ISSUES)
def test_same_text(issue, typesetter, request):
    """No character lost, doubled or moved: the reader's lines hold the text file's characters in
    the same order (whitespace, Markdown and table pipes aside: a printed page has none)."""
    pdf = typeset(typesetter, issue, request)
    lines = issue_text(issue).read_text(encoding="utf-8-sig").splitlines()
    printed = [strip_markup(s) for s in lines if not TABLE_SEP_RE.match(s.strip())]
    assert bare(read(pdf).lines) == bare(printed)


def test_one_column_print_reads_the_same(chromium_pdfs):
    pdf = chromium_pdfs["000-one-column"]
    got = parse_lines(read(pdf).lines, pdf)
    expected = parse_text("000")
    assert doc_keys(got) == doc_keys(expected)
    same, total, diffs = paragraph_agreement(expected, got)
    assert same == total, "\n".join(diffs[:10])


# --------------------------------------------------------------------------- headers, page numbers, pages


@pytest.mark.parametrize("typesetter", ["chromium", "reportlab"])
@pytest.mark.parametrize("issue", ISSUES)
def test_no_running_header_or_page_number_left(issue, typesetter, request):
    pdf = typeset(typesetter, issue, request)
    source = read(pdf)
    header = re.sub(r"\s", "", running_header(issue_text(issue)))
    assert not [s for s in source.lines if header in re.sub(r"\s", "", s)]
    text_lines = issue_text(issue).read_text(encoding="utf-8-sig").splitlines()
    # a number alone on a line: only where the text file has one (the cover's year "2023")
    assert sum(bool(PAGE_NUMBER_RE.match(s)) for s in source.lines) == sum(bool(PAGE_NUMBER_RE.match(s)) for s in text_lines)
    for doc in parse_lines(source.lines, pdf):
        for p in doc.paragraphs:
            assert header not in re.sub(r"\s", "", p.text)
            assert not PAGE_NUMBER_RE.match(p.text)


@pytest.mark.parametrize("typesetter", ["chromium", "reportlab"])
def test_every_line_has_its_page(typesetter, request):
    pdf = typeset(typesetter, "001", request)
    source = read(pdf)
    assert source.format == PDF
    assert len(source.pages) == len(source.lines)
    assert source.pages == sorted(source.pages)
    assert source.pages[0] == 1 and source.pages[-1] == source.page_count
    assert all(1 <= p <= source.page_count for p in source.pages)
    # the last lines of the issue (the September chronicle) are on the last page
    last = issue_text("001").read_text(encoding="utf-8-sig").strip().splitlines()[-1]
    assert bare([source.lines[-1]]).endswith(bare([last]))
    assert source.warnings == []


# --------------------------------------------------------------------------- tables


@pytest.mark.parametrize("typesetter", ["chromium", "reportlab"])
def test_ruled_table_rows_are_tab_separated(typesetter, request):
    """000's indicator tables (tab-separated in the text file) come back one row a line, cells
    joined by tabs; 001's table of contents, printed without rules, by its x-gap."""
    pdf = typeset(typesetter, "000", request)
    lines = {s.strip() for s in read(pdf).lines}
    rows = ["\t".join(r).strip() for b in issue_blocks(issue_text("000")) if b.kind == "table" for r in b.rows]
    found = [r for r in rows if r in lines]
    assert len(found) >= len(rows) - 2, set(rows) - set(found)
    toc = read(typeset(typesetter, "001", request)).lines
    assert "聊政办字〔2023〕24号\t48" in toc and "聊城市人民政府大事记（2023年9月）\t60" in toc


def test_table_row_cut_by_a_page_break_is_one_row(tmp_path):
    source = read_pdf(split_row_pdf(tmp_path / "split.pdf"))
    assert source.lines == [
        "指标\t责任单位",
        "1. 万人研究与发展人员数\t市教育体育局",
        "2. 万元生产总值技术国际收入（美元）\t市科技局、国家外汇管理局中心支局、各县按职责分工负责",
        "3. 十万人博士毕业生数\t市教育体育局",
    ]
    assert source.pages == [1, 1, 1, 2]


# --------------------------------------------------------------------------- odd pages


def test_overprinted_bold_watermark_and_sideways_page(tmp_path):
    """A title printed twice to look bold reads once, a diagonal watermark is left out, a page
    set sideways reads in its text's direction; header and page numbers go on every page."""
    source = read_pdf(odd_pages_pdf(tmp_path / "odd.pdf"))
    assert source.lines == [
        "聊城市人民政府关于印发聊城市水文管理办法的通知",
        "各县（市、区）人民政府，市属开发区管委会：",
        "附件：聊城市水文站网分布表",
        "东昌府区水文站位于东昌府区，监测徒骇河水位。",
        "本办法自2023年10月1日起施行。",
    ]
    assert source.pages == [1, 1, 2, 2, 3]


# --------------------------------------------------------------------------- speed


def test_speed_per_page(chromium_pdfs):
    pdf = chromium_pdfs["001"]
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        source = read_pdf(pdf)
        best = min(best, time.perf_counter() - start)
    per_page = best / source.page_count
    print(f"read_pdf on 001 (Chromium, {source.page_count} pages): {per_page:.3f} s/page")
    assert per_page <= MAX_SECONDS_PER_PAGE


# --------------------------------------------------------------------------- pages without text, progress


def test_page_without_text_goes_to_ocr(tmp_path):
    pdf = text_and_image_pdf(tmp_path / "mixed.pdf")
    ocr, progress = FakeOcr(0.62), []
    source = read_pdf(pdf, progress=lambda page, pages: progress.append((page, pages)), ocr=ocr)
    assert ocr.calls == [(pdf, 1)]  # page 2 (index 1): an image and no text; page 3 is blank
    assert source.lines == [
        "聊城市人民政府关于印发聊城市水文管理办法的通知",
        "各县（市、区）人民政府，市属开发区管委会：",
        "扫描页 第一行",
        "扫描页第二行",
    ]
    assert source.pages == [1, 1, 2, 2]
    assert source.page_count == 3
    assert source.warnings == ["page 2: read by OCR with low confidence (0.62)"]
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_confident_ocr_gives_no_warning(tmp_path):
    source = read_pdf(text_and_image_pdf(tmp_path / "mixed.pdf"), ocr=FakeOcr(0.93))
    assert source.warnings == []


def test_page_without_text_and_no_ocr_is_reported(tmp_path):
    source = read_pdf(text_and_image_pdf(tmp_path / "mixed.pdf"))
    assert source.warnings == ["page 2: no text layer (OCR not available)"]
    assert source.pages == [1, 1]


# --------------------------------------------------------------------------- bad input


def problem(path: Path) -> str:
    with pytest.raises(GazetteParseError) as info:
        read_pdf(path)
    assert info.value.path == str(path)
    return info.value.problem


def test_encrypted_pdf(tmp_path):
    assert problem(encrypted_pdf(tmp_path / "locked.pdf")) == "encrypted PDF: a password is needed to open it"


@pytest.mark.parametrize("typesetter", ["chromium", "reportlab"])
def test_truncated_pdf(typesetter, request, tmp_path):
    data = typeset(typesetter, "001", request).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    assert problem(cut) == "corrupt or truncated PDF: the end-of-file marker (%%EOF) is missing"
    cut.write_bytes(data[: len(data) // 2] + b"\n%%EOF\n")  # the marker is there, the structure is not
    assert problem(cut) == "corrupt or truncated PDF: the PDF library cannot read its structure"


def test_not_a_pdf(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 500 + b"\n%%EOF\n")
    assert problem(junk).startswith("corrupt or truncated PDF")


def test_zero_pages(tmp_path):
    assert problem(zero_page_pdf(tmp_path / "empty.pdf")) == "the PDF has no pages"


def test_too_many_pages(reportlab_pdfs, monkeypatch):
    monkeypatch.setattr("indexer.readers.source.MAX_PAGES", 3)
    assert re.fullmatch(r"the PDF has \d{2} pages, more than the 3 a gazette file may have", problem(reportlab_pdfs["001"]))


def test_library_failure_is_reported_for_the_file(reportlab_pdfs, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(pdf_reader, "_read_chars", broken)
    assert problem(reportlab_pdfs["002"]) == "the PDF library failed on page 1 (RuntimeError: boom)"


def test_page_with_more_text_than_a_page_holds(reportlab_pdfs, monkeypatch):
    monkeypatch.setattr(pdf_reader, "MAX_PAGE_CHARS", 100)
    assert re.fullmatch(
        r"page 1: \d+ characters on one page, more than the 100 a printed page holds", problem(reportlab_pdfs["002"])
    )


def test_blank_pages_give_no_lines_and_no_warning(tmp_path):
    source = read_pdf(blank_pages_pdf(tmp_path / "blank.pdf", 3))
    assert (source.lines, source.pages, source.page_count, source.warnings) == ([], [], 3, [])
