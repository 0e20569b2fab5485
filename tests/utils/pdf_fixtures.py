"""PDF fixtures built at test time: a bundled gazette text printed to PDF by two typesetters.

No PDF of a real issue is committed: the tests print the text conversions in data/gazettes/
and check that indexer.readers.pdf reads back what was printed.

    issue_blocks(txt)                     → the text as printable blocks (paragraph, heading, table)
    print_issue_chromium(txt, out_pdf)    → HTML with CSS `columns: 2`, headings spanning both
                                            columns, running header and page-number footer
                                            (Playwright + Debian's Chromium)
    print_issue_reportlab(txt, out_pdf)   → two Frames a page (STSong-Light, a CID font),
                                            headings centred in their column, ragged right; the
                                            issue's name on odd pages, the section on even pages,
                                            page numbers at the outer corner
    small PDFs: encrypted_pdf, zero_page_pdf, blank_pages_pdf (error paths); text_and_image_pdf
    (a scanned page for OCR, a blank page); odd_pages_pdf (overprinted bold, a diagonal watermark,
    a page set sideways); split_row_pdf (a table row cut by a page break)

Every printed block is one line of the text file, as the text conversions hold them: the
paragraph's first line is indented by two characters, article headers (letterhead, title,
文号, 令 number, 大事记 heading) are centred, and tab or pipe rows are printed as tables with
ruling lines (a TOC's "title<TAB>page" rows without ruling lines). Markdown noise (#, **,
bullets, LaTeX) is taken off first: a printed page does not show it.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.articles import split_articles
from indexer.frontmatter import parse_front_matter
from indexer.metadata import read_header
from indexer.paragraphs import TABLE_SEP_RE
from indexer.text import clean_line, strip_markup
from tests.utils.chromium import CHROMIUM, CHROMIUM_ARGS


@dataclass
class Block:
    kind: str  # "para" | "head" | "table"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # table cells
    ruled: bool = True  # a table printed with ruling lines


def _is_row(raw: str) -> bool:
    s = raw.strip(" ")
    return ("\t" in s and s.strip("\t") != "") or (s.startswith("|") and s.count("|") >= 3)


def _cells(raw: str) -> list[str]:
    s = raw.strip(" ")
    if s.startswith("|"):
        return [c.strip() for c in s.strip().strip("|").split("|")]
    return [c.strip() for c in s.split("\t")]


def header_line_numbers(lines: list[str]) -> set[int]:
    """Indexes (into `lines`) of article header lines: letterhead, title, 文号, 令, 大事记 heading.

    Found with the project's text parser (a fixture may use it; the PDF reader may not).
    """
    raw = [strip_markup(s) for s in lines]
    front = parse_front_matter(raw)
    body = [clean_line(s) for s in raw[front.body_start :]]
    out: set[int] = set()
    for art in split_articles(body):
        head = read_header(art)
        n = len(art.lines) - len(head.body)
        for k in range(n):
            if art.lines[k].strip() and len(art.lines[k]) <= 60:
                out.add(front.body_start + art.start + k)
    return out


def issue_blocks(txt_path: Path) -> list[Block]:
    """The text file's lines as printable blocks, in order; blank lines dropped."""
    lines = txt_path.read_text(encoding="utf-8-sig").splitlines()
    heads = header_line_numbers(lines)
    blocks: list[Block] = []
    table: Block | None = None
    for i, raw in enumerate(lines):
        if _is_row(raw) or (table is not None and raw.rstrip().endswith("\t") and raw.strip()):
            if TABLE_SEP_RE.match(raw.strip()) or re.fullmatch(r"\|?[\s:|-]+\|?", raw.strip()):
                continue  # a Markdown separator row: nothing printed
            if table is None:
                table = Block("table")
                blocks.append(table)
            table.rows.append(_cells(raw))
            continue
        table = None
        s = strip_markup(raw)
        if not s:
            continue
        blocks.append(Block("head" if i in heads else "para", s))
    for b in blocks:  # every row of a table has the same number of cells
        if b.kind == "table":
            width = max(len(r) for r in b.rows)
            b.rows = [r + [""] * (width - len(r)) for r in b.rows]
            # a table of contents ("title<TAB>page") is printed without ruling lines
            b.ruled = not (width == 2 and all(re.fullmatch(r"\d{0,3}", r[-1]) for r in b.rows))
    return blocks


def running_header(txt_path: Path) -> str:
    """"聊城市人民政府公报 2023年第8-9期", from the issue's cover."""
    raw = [strip_markup(s) for s in txt_path.read_text(encoding="utf-8-sig").splitlines()]
    issue = parse_front_matter(raw).issue
    return f"聊城市人民政府公报 {issue.year}年第{issue.number}期" if issue else "聊城市人民政府公报"


# --------------------------------------------------------------------------- Chromium

CSS = """
@page { size: A4; }
html, body { margin: 0; padding: 0; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 10.5pt; line-height: 1.65; }
main { columns: var(--columns); column-gap: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
p.h { column-span: all; text-align: center; text-indent: 0; font-size: 13pt; font-weight: bold; margin: 0.3em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0; font-size: 9pt; line-height: 1.4; }
table.wide { column-span: all; }
table.ruled td { border: 0.6pt solid #000; padding: 1pt 3pt; vertical-align: top; }
table.plain td { padding: 0 0 0 0; vertical-align: bottom; }
table.plain td:last-child { text-align: right; width: 3em; }
"""


def issue_html(txt_path: Path, columns: int = 2) -> str:
    style = CSS + f"main {{ --columns: {columns}; }}"
    out = [f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>{style}</style></head><body><main>"]
    for b in issue_blocks(txt_path):
        if b.kind == "table":
            cls = "ruled" if b.ruled else "plain"
            if b.ruled and len(b.rows[0]) >= 3:
                cls += " wide"
            out.append(f"<table class='{cls}'>")
            for row in b.rows:
                out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
            out.append("</table>")
        else:
            cls = " class='h'" if b.kind == "head" else ""
            out.append(f"<p{cls}>{html.escape(b.text)}</p>")
    out.append("</main></body></html>")
    return "\n".join(out)


HEADER_TEMPLATE = (
    "<div style='width:100%;font-size:9px;text-align:center;font-family:\"Noto Serif CJK SC\";"
    "margin:0 18mm;border-bottom:0.5px solid #000;padding-bottom:2px'>{header}</div>"
)
FOOTER_TEMPLATE = (
    "<div style='width:100%;font-size:9px;text-align:center;font-family:\"Noto Serif CJK SC\"'>"
    "{before}<span class='pageNumber'></span>{after}</div>"
)
PAGE_NUMBER_STYLES = {"dots": ("· ", " ·"), "dashes": ("- ", " -"), "page": ("第", "页"), "plain": ("", "")}


def chromium_available() -> str | None:
    """None when Chromium and Playwright are usable, else why not (a skip reason)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


def print_issue_chromium(txt_path: Path, out_pdf: Path, browser=None, columns: int = 2, page_numbers: str = "dots") -> Path:
    """Print the text file as a two-column A4 issue with Chromium; returns out_pdf.

    `browser`: a launched Playwright Chromium to reuse (one launch for several issues); without
    one, the printing runs in a child process (print_issues_chromium). `columns`: 1 prints a
    one-column issue; `page_numbers`: dots "· 3 ·", dashes "- 3 -", page "第3页" or plain "3".
    """
    if browser is None:
        return print_issues_chromium([PrintJob(txt_path, out_pdf, columns, page_numbers)])[0]
    before, after = PAGE_NUMBER_STYLES[page_numbers]
    page = browser.new_page()
    try:
        page.set_content(issue_html(txt_path, columns), wait_until="load")
        page.pdf(
            path=str(out_pdf),
            format="A4",
            margin={"top": "24mm", "bottom": "22mm", "left": "18mm", "right": "18mm"},
            display_header_footer=True,
            header_template=HEADER_TEMPLATE.format(header=html.escape(running_header(txt_path))),
            footer_template=FOOTER_TEMPLATE.format(before=before, after=after),
            print_background=False,
        )
    finally:
        page.close()
    return out_pdf


@dataclass(frozen=True)
class PrintJob:
    txt_path: Path
    out_pdf: Path
    columns: int = 2
    page_numbers: str = "dots"


def print_issues_chromium(jobs: list[PrintJob]) -> list[Path]:
    """Print several issues with one browser launch, in a child process: Playwright's sync API
    refuses to start in a process where another one runs (the browser tests' session browser)."""
    import json
    import subprocess
    import sys

    spec = json.dumps([[str(j.txt_path), str(j.out_pdf), j.columns, j.page_numbers] for j in jobs])
    repo = Path(__file__).resolve().parents[2]  # the child imports this module as tests.utils.pdf_fixtures
    done = subprocess.run([sys.executable, "-m", "tests.utils.pdf_fixtures", spec], cwd=repo,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"printing with Chromium failed: {done.stderr[-2000:]}")
    return [j.out_pdf for j in jobs]


def _print_here(jobs: list[PrintJob]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for j in jobs:
                print_issue_chromium(j.txt_path, j.out_pdf, browser=b, columns=j.columns, page_numbers=j.page_numbers)
        finally:
            b.close()


# --------------------------------------------------------------------------- reportlab


def print_issue_reportlab(txt_path: Path, out_pdf: Path) -> Path:
    """Typeset the text file in two Frames a page with reportlab (STSong-Light); returns out_pdf."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    size = 10.5
    body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size * 1.6, firstLineIndent=2 * size,
                          alignment=TA_JUSTIFY, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=12.5, leading=20, firstLineIndent=0, alignment=TA_CENTER,
                          spaceBefore=4, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11, firstLineIndent=0, alignment=0)
    page_no = ParagraphStyle("page_no", parent=cell, alignment=2)  # right-aligned
    page_w, page_h = A4
    margin_x, margin_top, margin_bottom, gap = 18 * mm, 24 * mm, 22 * mm, 8 * mm
    col_w = (page_w - 2 * margin_x - gap) / 2
    col_h = page_h - margin_top - margin_bottom
    frames = [
        Frame(margin_x, margin_bottom, col_w, col_h, id="left", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0),
        Frame(margin_x + col_w + gap, margin_bottom, col_w, col_h, id="right", leftPadding=0, rightPadding=0,
              topPadding=0, bottomPadding=0),
    ]
    header = running_header(txt_path)

    def decorate(canvas, doc) -> None:
        # odd pages: the gazette's name and issue; even pages: the section, which changes through the
        # issue (so no one header text repeats on most pages); page numbers at the outer corner
        canvas.saveState()
        canvas.setFont(font, 9)
        odd = doc.page % 2 == 1
        section = "市政府文件" if doc.page < 12 else "市政府办公室文件" if doc.page < 30 else "政务动态"
        canvas.drawCentredString(page_w / 2, page_h - 14 * mm, header if odd else section)
        canvas.setLineWidth(0.5)
        canvas.line(margin_x, page_h - 15.5 * mm, page_w - margin_x, page_h - 15.5 * mm)
        if odd:
            canvas.drawRightString(page_w - margin_x, 12 * mm, f"- {doc.page} -")
        else:
            canvas.drawString(margin_x, 12 * mm, f"- {doc.page} -")
        canvas.restoreState()

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    story = []
    for b in issue_blocks(txt_path):
        if b.kind == "table":
            data = [[Paragraph(esc(c), cell) for c in row] for row in b.rows]
            n = len(b.rows[0])
            widths = [col_w / n] * n if b.ruled else [col_w - 3 * size, 3 * size]  # a TOC: title, page
            if not b.ruled:
                data = [[Paragraph(esc(r[0]), cell), Paragraph(esc(r[1]), page_no)] for r in b.rows]
            t = Table(data, colWidths=widths)
            if b.ruled:
                t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(t)
        else:
            story.append(Paragraph(esc(b.text), head if b.kind == "head" else body))
    doc = BaseDocTemplate(str(out_pdf), pagesize=A4, title=header, author="test fixture")
    doc.addPageTemplates([PageTemplate(id="two", frames=frames, onPage=decorate)])
    doc.build(story)
    return out_pdf


# --------------------------------------------------------------------------- small PDFs for error paths


def text_pdf(out_pdf: Path, pages: list[list[str]], encrypt: str | None = None) -> Path:
    """A plain single-column PDF, one list of lines per page (reportlab, STSong-Light)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(out_pdf), pagesize=A4, encrypt=encrypt)
    for lines in pages:
        y = A4[1] - 72
        c.setFont("STSong-Light", 11)
        for s in lines:
            c.drawString(72, y, s)
            y -= 18
        c.showPage()
    c.save()
    return out_pdf


def encrypted_pdf(out_pdf: Path) -> Path:
    """A PDF that needs a user password to open."""
    return text_pdf(out_pdf, [["聊城市人民政府公报"]], encrypt="secret")


def zero_page_pdf(out_pdf: Path) -> Path:
    """A well-formed PDF whose page tree is empty."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    out_pdf.write_bytes(bytes(out))
    return out_pdf


def blank_pages_pdf(out_pdf: Path, n: int) -> Path:
    """n pages with no text at all (as a scan without its image)."""
    return text_pdf(out_pdf, [[] for _ in range(n)])


def text_and_image_pdf(out_pdf: Path) -> Path:
    """Three pages: text; an image and no text (a scanned page); nothing at all (a blank page)."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(out_pdf), pagesize=A4)
    c.setFont("STSong-Light", 11)
    c.drawString(72, A4[1] - 72, "聊城市人民政府关于印发聊城市水文管理办法的通知")
    c.drawString(72, A4[1] - 90, "各县（市、区）人民政府，市属开发区管委会：")
    c.showPage()
    scan = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(scan).rectangle((40, 60, 360, 80), fill=0)  # a dark bar where a line of text would be
    c.drawImage(ImageReader(scan), 72, A4[1] - 300, 400, 200)
    c.showPage()
    c.showPage()
    c.save()
    return out_pdf


def odd_pages_pdf(out_pdf: Path) -> Path:
    """Pages that trip naive readers, each with a running header and a page number:

    1. a title set in bold faked by printing it twice 0.4 pt apart, and a diagonal watermark;
    2. a landscape page set sideways on a portrait sheet: its text runs up the page;
    3. a plain page.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    w, h = A4
    c = canvas.Canvas(str(out_pdf), pagesize=A4)

    def decorate(number: int, width: float, height: float) -> None:
        c.setFont(font, 9)
        c.drawCentredString(width / 2, height - 40, "聊城市人民政府公报 2023年第8-9期")
        c.drawCentredString(width / 2, 30, str(number))

    decorate(1, w, h)
    c.setFont(font, 16)
    for dx in (0, 0.4):
        c.drawCentredString(w / 2 + dx, h - 120, "聊城市人民政府关于印发聊城市水文管理办法的通知")
    c.setFont(font, 11)
    c.drawString(72, h - 160, "各县（市、区）人民政府，市属开发区管委会：")
    c.saveState()
    c.setFont(font, 40)
    c.setFillGray(0.85)
    c.translate(w / 2, h / 2)
    c.rotate(45)
    c.drawCentredString(0, 0, "聊城市人民政府公报")
    c.restoreState()
    c.showPage()

    c.saveState()  # a landscape page printed sideways on a portrait sheet: its text runs up the page
    c.translate(w, 0)
    c.rotate(90)  # from here on, x runs up the portrait page and y runs to its left
    decorate(2, h, w)
    c.setFont(font, 11)
    c.drawString(72, w - 100, "附件：聊城市水文站网分布表")
    c.drawString(72, w - 120, "东昌府区水文站位于东昌府区，监测徒骇河水位。")
    c.restoreState()
    c.showPage()

    decorate(3, w, h)
    c.setFont(font, 11)
    c.drawString(72, h - 100, "本办法自2023年10月1日起施行。")
    c.showPage()
    c.save()
    return out_pdf


def split_row_pdf(out_pdf: Path) -> Path:
    """A ruled table whose last row on page 1 goes on at the top of page 2, no rule at the cut."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(out_pdf), pagesize=A4)
    xs = (72, 250, 450)

    def grid(top: float, bottom: float, rules: list[float]) -> None:
        for x in xs:
            c.line(x, top, x, bottom)
        for y in rules:
            c.line(xs[0], y, xs[-1], y)

    def cells(y: float, *texts: str) -> None:
        c.setFont("STSong-Light", 10.5)
        for x, t in zip(xs, texts):
            c.drawString(x + 4, y, t)

    grid(700, 60, [700, 680, 660])  # no rule at the bottom: the last row is cut by the page break
    cells(686, "指标", "责任单位")
    cells(666, "1. 万人研究与发展人员数", "市教育体育局")
    cells(646, "2. 万元生产总值技术国", "市科技局、国家外汇管理局中心支")
    c.showPage()
    grid(800, 740, [760, 740])  # no rule at the top: the row goes on from page 1
    cells(786, "际收入（美元）", "局、各县按职责分工负责")
    cells(746, "3. 十万人博士毕业生数", "市教育体育局")
    c.showPage()
    c.save()
    return out_pdf


if __name__ == "__main__":  # print_issues_chromium's child: [[txt, out_pdf, columns, page_numbers], ...]
    import json
    import sys

    _print_here([PrintJob(Path(t), Path(o), c, n) for t, o, c, n in json.loads(sys.argv[1])])
