"""Writing an answer from the chosen passages: every sentence a verbatim piece of a quoted paragraph.

One line per paragraph, "根据《标题》（文号）：sentences[n]", best evidence first, each line with
its year when years differ, with notes on expired or repealed documents; a hedge under its plain
lead-in; plus the fixed answers (a 文号 lookup, a 文号 the corpus only cites, a refusal: the only
place a Refusal becomes words). The wording itself is in wording.py.
"""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from datetime import date

from indexer.models import Document, Paragraph, TableRow
from indexer.text import DOCNUM_RE, normalize_docnum, sentences

from . import wording as W
from .answer_context import AnswerContext
from . import vocabulary as V
from .patterns import DATE_OR_TIME_LIMIT_RE, MONEY_RE
from .question import Question
from .refusal import Refusal, RefusalKind
from .results import Answer, Citation


@dataclass
class Evidence:
    """A paragraph to quote, and the sentences of it that go into the answer text."""

    doc: Document
    paragraph: Paragraph
    sentences: list[str] = field(default_factory=list)
    score: float = 0.0


REFUSAL_TEMPLATES = {
    RefusalKind.NOT_FOUND: W.REFUSAL,
    RefusalKind.UNKNOWN_DOCNUM: W.UNKNOWN_DOCNUM,
    RefusalKind.OTHER_YEAR: W.OUT_OF_SCOPE_YEAR,
    RefusalKind.NO_FIGURE: W.NO_FIGURE,
    RefusalKind.NO_DATE: W.NO_DATE,
    RefusalKind.NO_PHONE: W.NO_PHONE,
    RefusalKind.NO_ADDRESS: W.NO_ADDRESS,
    RefusalKind.NO_POST: W.NO_POST,
}


def refusal_answer(ctx: AnswerContext, r: Refusal) -> Answer:
    return Answer(answer=refusal_text(ctx, r), answered=False)


def refusal_text(ctx: AnswerContext, r: Refusal) -> str:
    """The refusal in words. Another place: "只涉及聊城市的事务" only when the corpus holds nothing else."""
    if r.kind is RefusalKind.OTHER_PLACE:
        if ctx.scope.beyond_home:
            return scope_text(W.OUT_OF_SCOPE_PLACE_HELD, ctx, held=ctx.scope.holdings(), **r.values)
        return scope_text(W.OUT_OF_SCOPE_PLACE, ctx, **r.values)
    if r.kind is RefusalKind.NO_POST:
        return scope_text(W.NO_POST, ctx, name=r.values["name"], which=W.POST_WHICH[r.values["which"]])
    return scope_text(REFUSAL_TEMPLATES[r.kind], ctx, **r.values)


def scope_text(template: str, ctx: AnswerContext, **values) -> str:
    s = ctx.scope
    return template.format(corpus=s.corpus_name, home=s.home_name or "本地", first=s.first_year, last=s.last_year, **values)


def cn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def citation(n: int, ev: Evidence) -> Citation:
    p = ev.paragraph
    return Citation(
        n=n, doc_id=ev.doc.doc_id, docnum=ev.doc.docnum, title=ev.doc.title, date=ev.doc.date,
        section=" > ".join(p.heading_path), quote=p.text, paragraph_id=p.paragraph_id,
        url=f"/documents/{ev.doc.doc_id}#p{p.index}", score=round(ev.score, 4), page=p.page,
        table=p.table if p.kind == "table_row" else None,
    )


def table_row_text(row: TableRow) -> str:
    """A table row in words, every cell verbatim under its header name: "基本养老保险参保人数(万人)：
    2020年 396.3；2025年 408；年均/[累计] 2.3；属性 预期性", with its table's caption when it has one.

    The label is the row's first printed cell that is not a serial number (a cell merged from the
    row above is context, not repeated); a blank cell says nothing and is left out. The row ends
    as a sentence does, so that two rows quoted on one line are two sentences."""
    printed = [(k, cell) for k, cell in enumerate(row.cells) if cell]
    if not printed:
        return ""
    # the row's name: its first printed cell that is not a bare serial number (序号 "2")
    first, label = next(((k, c) for k, c in printed if not c.strip().isdigit()), printed[0])
    rest = [(k, c) for k, c in printed if k != first]
    header = lambda k: row.header[k] if k < len(row.header) else ""  # noqa: E731
    cells = W.TABLE_CELL_SEP.join(W.TABLE_CELL.format(header=header(k), value=v) if header(k) and header(k) != v else v
                                  for k, v in rest)
    text = (W.TABLE_ROW.format(label=label, cells=cells) if cells else label) + W.TABLE_ROW_END
    return W.TABLE_ROW_IN.format(caption=row.caption, row=text) if row.caption else text


def document_answer(ctx: AnswerContext, doc: Document) -> Answer | None:
    """A lookup by 文号: the document's title, date and opening paragraph."""
    body = [p for p in doc.paragraphs if p.kind not in ("signature", "heading", "title") and len(p.text) > 20]
    # an 印发 notice's own text is boilerplate: quote the opening of the document it carries
    inner = [p for p in body if doc.embedded_titles and len(p.heading_path) > 1 and p.heading_path[1] in doc.embedded_titles]
    first = next((p for p in inner or body if not p.text.startswith("各县")), body[0] if body else None)
    if first is None:
        return None
    lead = sentences(first.text)[:2]
    when = W.DOCUMENT_SIGNED.format(date=cn_date(doc.date)) if doc.date else ""
    values = dict(docnum=doc.docnum, issuer=doc.issuer or "", title=doc.title, when=when, lead="".join(lead))
    title = next((p for p in doc.paragraphs if p.kind == "title"), None)
    if title is None:
        return Answer(answer=W.DOCUMENT_LOOKUP.format(**values), answered=True, citations=[citation(1, Evidence(doc, first, lead, 1.0))])
    citations = [citation(1, Evidence(doc, title, [title.text], 1.0)), citation(2, Evidence(doc, first, lead, 1.0))]
    return Answer(answer=W.DOCUMENT_LOOKUP_TITLED.format(**values), answered=True, citations=citations)


def cited_docnum_answer(ctx: AnswerContext, docnum: str) -> Answer | None:
    """A 文号 the gazettes only mention (e.g. as repealed): quote where they mention it."""
    paragraphs = ctx.paragraphs_citing(docnum)[:3]
    if not paragraphs:
        return None
    lines, citations = [W.CITED_ONLY.format(docnum=docnum)], []
    for n, p in enumerate(paragraphs, start=1):
        doc = ctx.document(p.doc_id)
        said = next((s for s in sentences(p.text) if docnum in normalize_docnum_text(s)), p.text)
        lines.append(W.SOURCE_LINE.format(label=doc.label, when="") + f"{said}[{n}]")
        citations.append(citation(n, Evidence(doc, p, [said], 1.0)))
    return Answer(answer="\n".join(lines), answered=True, citations=citations)


def normalize_docnum_text(s: str) -> str:
    """The sentence with every 文号 in it written in normalised form."""
    return DOCNUM_RE.sub(lambda m: normalize_docnum(m.group(0)) or m.group(0), s)


def validity_notes(doc: Document, ctx: AnswerContext, today: date) -> list[str]:
    notes = []
    v = doc.validity
    if v and v.expires and v.expires < today.isoformat():
        notes.append(W.EXPIRED.format(label=doc.label, date=cn_date(v.expires)))
    for other in ctx.documents():
        if other.validity and doc.docnum and doc.docnum in other.validity.repeals:
            notes.append(W.REPEALED.format(label=doc.label, other=other.label))
    return notes


def join_excerpts(paragraph: str, parts: list[str]) -> str:
    """Sentences in paragraph order; "……" marks where text between them was left out."""
    out = parts[0]
    for prev, part in zip(parts, parts[1:]):
        adjacent = paragraph.find(prev) + len(prev) == paragraph.find(part)
        out += part if adjacent else "……" + part
    return out


def period_note(q: Question, chosen: list[Evidence]) -> str | None:
    """A note when the question asks a figure per one period (每月) and the quoted clauses that
    state an amount state it per another (每年): the figure is quoted as printed, never converted.

    The clauses looked at are those of the first quoted paragraph that hold an amount and one of
    the question's key terms (or any amount, when none holds a term)."""
    asked = next((p for p, cue in V.PERIOD_CUES.items() if re.search(cue, q.text)), None)
    if not q.intent.figure or asked is None or not chosen:
        return None
    clauses = [c for s in chosen[0].sentences for c in re.split(V.SUBCLAUSE_BREAK + "|[；;。]", s) if MONEY_RE.search(c)]
    named = [c for c in clauses if any(t in c for t in q.terms)] or clauses
    stated = {p for c in named for p, cue in V.PERIOD_CUES.items() if re.search(cue, c)}
    if not named or not stated or asked in stated:
        return None
    other = sorted(stated)[0]
    shown = [c for c in named if re.search(V.PERIOD_CUES[other], c)]
    return W.PERIOD_DIFFERS.format(asked=V.PERIOD_NAMES[asked], stated=V.PERIOD_NAMES[other], clauses="；".join(shown))


def write_answer(ctx: AnswerContext, chosen: list[Evidence], q: Question, hedged: bool = False) -> Answer:
    """One line per paragraph, "根据《…》（文号）：sentences[n]", best evidence first, each with its
    year when years differ; `hedged` (no sentence states exactly what was asked): under a plain lead-in.

    When a date is asked for and the sentences give none (an appointment, a decision), the
    document's signing date is the answer: it goes into the line's source.
    """
    # The best evidence stays first, whatever its year: sorted newest first, a plan's goal without a
    # figure came before the report that states the figure asked for. Each line names its year,
    # and a note names the newest document.
    several_dates = len({e.doc.date for e in chosen if e.doc.date}) > 1
    lines, citations, notes = [], [], []
    today = date.today()
    opened: tuple[str, str] | None = None  # (doc_id, source text) of the line being written
    date_quoted = {e.doc.doc_id for e in chosen if e.paragraph.kind == "signature"}  # its date line is a quote
    for n, ev in enumerate(chosen, start=1):
        in_order = sorted(ev.sentences, key=ev.paragraph.text.find)
        quoted_text = join_excerpts(ev.paragraph.text, in_order)
        if ev.paragraph.kind == "table_row" and ev.paragraph.table:  # a row means nothing without its header
            quoted_text = table_row_text(ev.paragraph.table) or quoted_text
        when = W.SOURCE_YEAR.format(year=ev.doc.date[:4]) if several_dates and ev.doc.date else ""
        if q.intent.date and ev.doc.date and ev.doc.doc_id not in date_quoted and not any(DATE_OR_TIME_LIMIT_RE.search(x) for x in in_order):
            when = W.SOURCE_SIGNED.format(date=cn_date(ev.doc.date))
        if ev.paragraph.page is not None:  # a PDF source: the caller can turn to the page
            when += W.SOURCE_PAGE.format(page=ev.paragraph.page)
        source = W.SOURCE_LINE.format(label=ev.doc.label, when=when)
        quoted = f"{quoted_text}[{n}]"
        if opened == (ev.doc.doc_id, source):
            lines[-1] += quoted  # the same document again: one opener, several quotes
        else:
            lines.append(source + quoted)
            opened = (ev.doc.doc_id, source)
        citations.append(citation(n, ev))
        for note in validity_notes(ev.doc, ctx, today):
            if note not in notes:
                notes.append(note)
    if several_dates:
        newest = max((e.doc for e in chosen), key=lambda d: d.date or "")
        notes.insert(0, W.SEVERAL_YEARS.format(label=newest.label, date=cn_date(newest.date)))
    period = period_note(q, chosen)
    if period:
        notes.insert(0, period)
    lead = [W.HEDGE_LEAD] if hedged else []
    return Answer(answer="\n".join(lead + lines + notes), answered=True, citations=citations, notes=notes)
