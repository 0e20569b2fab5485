"""Extractive answers: pick the sentences of retrieved paragraphs that answer the question.

Every sentence of an answer is a verbatim piece of a quoted paragraph, marked [n] with its
citation. When the best evidence does not cover the question's key terms, or the kind of fact
asked for (a figure, a date, a department, a person) is not there, the answer says so plainly.

    question.py (what is asked) → evidence.py (which sentences answer it) → this module (the answer)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from indexer.models import Document, Paragraph
from indexer.settings import min_answer_similarity
from indexer.text import DOCNUM_RE, normalize_docnum, sentence_key, sentences

from .evidence import Candidate, fits_intent, missing_constraint, rank_sentences
from .question import DATE_RE, DEPT_NOTE_RE, Intent, content_terms, question_intent, retrieval_query
from .results import Answer, Citation, Filters

REFUSAL = "抱歉，已收录的聊城市人民政府公报中没有找到能回答这个问题的内容。建议拨打12345政务服务便民热线咨询。"


@dataclass
class _Evidence:
    doc: Document
    paragraph: Paragraph
    sentences: list[str] = field(default_factory=list)
    score: float = 0.0
    section: str = ""


def _validity_notes(doc: Document, engine, today: date) -> list[str]:
    notes = []
    v = doc.validity
    if v and v.expires and v.expires < today.isoformat():
        notes.append(f"注意：{doc.label}的有效期至{_cn_date(v.expires)}，已经到期。")
    for other in engine.documents():
        if other.validity and doc.docnum and doc.docnum in other.validity.repeals:
            notes.append(f"注意：{doc.label}已被{other.label}废止。")
    return notes


def _cn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def _citation(n: int, ev: _Evidence) -> Citation:
    p = ev.paragraph
    return Citation(
        n=n, doc_id=ev.doc.doc_id, docnum=ev.doc.docnum, title=ev.doc.title, date=ev.doc.date,
        section=" > ".join(p.heading_path), quote=p.text, paragraph_id=p.paragraph_id,
        url=f"/documents/{ev.doc.doc_id}#p{p.index}", score=round(ev.score, 4),
    )


def _document_answer(engine, question: str, top_k: int) -> Answer | None:
    """A lookup by 文号: the document's title, date and opening paragraph."""
    docs = engine.find_by_docnum(question)
    if not docs:
        return None
    doc = docs[0]
    body = [p for p in doc.paragraphs if p.kind not in ("signature", "heading") and len(p.text) > 20]
    # an 印发 notice's own text is boilerplate: quote the opening of the document it carries
    inner = [p for p in body if doc.embedded_titles and len(p.heading_path) > 1 and p.heading_path[1] in doc.embedded_titles]
    first = next((p for p in inner or body if not p.text.startswith("各县")), body[0] if body else None)
    if first is None:
        return None
    lead = sentences(first.text)[:2]
    ev = _Evidence(doc, first, lead, 1.0)
    when = f"，{_cn_date(doc.date)}签发" if doc.date else ""
    text = f"{doc.docnum}是{doc.issuer or ''}的《{doc.title}》{when}。其中写道：{''.join(lead)}[1]"
    return Answer(answer=text, answered=True, citations=[_citation(1, ev)])


def _cited_docnum_answer(engine, docnum: str) -> Answer | None:
    """A 文号 the gazettes only mention (e.g. as repealed): quote where they mention it."""
    paragraphs = engine.store.paragraphs_citing(docnum)[:3]
    if not paragraphs:
        return None
    lines, citations = [f"已收录的公报没有收录{docnum}原文，但以下文件提到了它："], []
    for n, p in enumerate(paragraphs, start=1):
        doc = engine.get_document(p.doc_id)
        said = next((s for s in sentences(p.text) if docnum in normalize_docnum_text(s)), p.text)
        lines.append(f"根据{doc.label}：{said}[{n}]")
        citations.append(_citation(n, _Evidence(doc, p, [said], 1.0)))
    return Answer(answer="\n".join(lines), answered=True, citations=citations)


def normalize_docnum_text(s: str) -> str:
    """The sentence with every 文号 in it written in normalised form."""
    return DOCNUM_RE.sub(lambda m: normalize_docnum(m.group(0)) or m.group(0), s)


def answer_question(engine, question: str, history: list[dict], top_k: int = 5, filters: Filters | None = None, mode: str = "hybrid", min_cover: float = 0.4) -> Answer:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    question = question.strip()
    intent = question_intent(question)
    named = normalize_docnum(question)
    if named and not engine.find_by_docnum(question):
        answer = _cited_docnum_answer(engine, named) or Answer(
            answer=f"已收录的公报中没有文号为{named}的文件。建议拨打12345政务服务便民热线咨询。", answered=False
        )
        answer.timing_ms = {"total": _ms(started)}
        return answer
    if intent.document:
        ans = _document_answer(engine, question, top_k)
        if ans:
            ans.timing_ms = {"total": _ms(started)}
            return ans
    query = retrieval_query(question, history)
    qvec = None
    if mode != "bm25":  # embedded once: for dense search and for the on-topic check
        t = time.perf_counter()
        qvec = engine.retriever.embedder.embed_query(query)
        timings["embed"] = _ms(t)
    hits = engine.search(query, k=max(top_k * 2, 10), filters=filters, mode=mode, timings=timings, query_vector=qvec)
    t = time.perf_counter()
    stats = engine.term_stats
    terms = content_terms(query)
    ranked = rank_sentences(hits, engine.store.get_paragraph, terms, intent, stats)
    chosen = _select_evidence(engine, question, ranked, intent, top_k, min_cover)
    if chosen and qvec is not None and not _on_topic(engine, qvec, chosen):
        chosen = []
    answer = _write_answer(engine, chosen, intent) if chosen else Answer(answer=REFUSAL, answered=False)
    timings["answer"] = _ms(t)
    timings["total"] = _ms(started)
    answer.timing_ms = timings
    return answer


def _on_topic(engine, qvec: np.ndarray, chosen: list[_Evidence]) -> bool:
    """Whether the chosen sentences are about what was asked, by embedding similarity.

    Key-term coverage cannot tell "社保卡丢了怎么办？" from a gazette sentence about something
    else that shares a word; the embeddings of the sentences can. Their vectors are built with
    the index, so this costs a few dot products.
    """
    threshold = min_answer_similarity(engine.settings)
    keys = [sentence_key(s) for ev in chosen for s in ev.sentences]
    if threshold <= 0 or not keys:
        return True
    missing = [k for k in keys if k not in engine.sentence_vectors]
    fresh = dict(zip(missing, engine.retriever.embedder.embed_passages(missing))) if missing else {}
    vectors = np.vstack([engine.sentence_vectors.get(k, fresh.get(k)) for k in keys])
    return float((vectors @ qvec).max()) >= threshold


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 3)


SCORE_WINDOW = 0.35  # sentences this close to the best one join the answer
# Another document joins only when it covers the question about as well; for a figure the margin is
# wider, because the same figure from an older document (another year's standard) is worth showing.
OTHER_DOC_MARGIN = 0.05
OTHER_DOC_MARGIN_FIGURE = 0.15


def _same_or_as_good(c: Candidate, top: Candidate, intent: Intent) -> bool:
    """Evidence from a second document must answer as fully as the best, or it only dilutes the citations."""
    margin = OTHER_DOC_MARGIN_FIGURE if intent.figure else OTHER_DOC_MARGIN
    return c.hit.chunk.doc_id == top.hit.chunk.doc_id or c.cover >= top.cover - margin


def _select_evidence(engine, question: str, ranked: list[Candidate], intent: Intent, top_k: int, min_cover: float) -> list[_Evidence]:
    """The paragraphs (at most 3) and their sentences that answer the question; [] when none does."""
    # evidence must hold the kind of fact asked for and every year, month and ordinal the question names
    fitting = [c for c in ranked if fits_intent(intent, question, c) and not missing_constraint(question, [c])]
    if not fitting or fitting[0].cover < min_cover:
        return []
    top = fitting[0]
    best = [c for c in fitting if c.cover >= min_cover and c.score >= top.score - SCORE_WINDOW and _same_or_as_good(c, top, intent)]
    evidence: dict[str, _Evidence] = {}
    for c in best[: max(3, top_k)]:
        key = c.paragraph.paragraph_id
        if key not in evidence:
            if len(evidence) >= 3:
                continue
            evidence[key] = _Evidence(engine.get_document(c.hit.chunk.doc_id), c.paragraph, score=c.score)
        ev = evidence[key]
        if c.sentence not in ev.sentences and len(ev.sentences) < 2:
            ev.sentences.append(c.sentence)
    if intent.department:  # the department is in the item's closing note: quote it too
        for ev in evidence.values():
            note = next((x for x in sentences(ev.paragraph.text) if DEPT_NOTE_RE.search(x)), None)
            if note and not any(DEPT_NOTE_RE.search(x) for x in ev.sentences):
                ev.sentences.append(note)
    return list(evidence.values())


def _join_excerpts(paragraph: str, parts: list[str]) -> str:
    """Sentences in paragraph order; "……" marks where text between them was left out."""
    out = parts[0]
    for prev, part in zip(parts, parts[1:]):
        adjacent = paragraph.find(prev) + len(prev) == paragraph.find(part)
        out += part if adjacent else "……" + part
    return out


def _write_answer(engine, chosen: list[_Evidence], intent: Intent) -> Answer:
    """One line per paragraph, "根据《…》（文号）：sentences[n]", newest document first when years differ.

    When a date is asked for and the sentences give none (an appointment, a decision), the
    document's signing date is the answer: it goes into the line's source.
    """
    several_dates = len({e.doc.date for e in chosen if e.doc.date}) > 1
    if several_dates:
        chosen = sorted(chosen, key=lambda e: e.doc.date or "", reverse=True)
    lines, citations, notes = [], [], []
    today = date.today()
    opened: tuple[str, str] | None = None  # (doc_id, source text) of the line being written
    for n, ev in enumerate(chosen, start=1):
        in_order = sorted(ev.sentences, key=ev.paragraph.text.find)
        quoted_text = _join_excerpts(ev.paragraph.text, in_order)
        when = f"（{ev.doc.date[:4]}年）" if several_dates and ev.doc.date else ""
        if intent.date and ev.doc.date and not any(DATE_RE.search(x) for x in in_order):
            when = f"（{_cn_date(ev.doc.date)}签发）"
        source = f"根据{ev.doc.label}{when}："
        quoted = f"{quoted_text}[{n}]"
        if opened == (ev.doc.doc_id, source):
            lines[-1] += quoted  # the same document again: one opener, several quotes
        else:
            lines.append(source + quoted)
            opened = (ev.doc.doc_id, source)
        citations.append(_citation(n, ev))
        for note in _validity_notes(ev.doc, engine, today):
            if note not in notes:
                notes.append(note)
    if several_dates:
        newest = chosen[0].doc
        notes.insert(0, f"以上各条出自不同年份的文件，最新的是{newest.label}（{_cn_date(newest.date)}）。")
    return Answer(answer="\n".join(lines + notes), answered=True, citations=citations, notes=notes)
