"""The extractive answer: decide whether the gazettes answer the question, then choose what to quote.

The stages, one module each, in the order a question goes through them:

    question.py        the question, parsed once (key terms, intent, 文号, places, constraints)
    assessment.py      retrieval, the sentences ranked (evidence.py), the scope rules
    decision.py        the decision features and model: answer, hedge or refuse
    this module        which passages answer it, or a Refusal
    answer_writing.py  the answer text, every sentence quoted; the only place a Refusal becomes words

Every sentence of an answer is a verbatim piece of a quoted paragraph, marked [n] with its
citation. Hard scope rules come first (an unknown 文号, another city, a year the corpus never
mentions); then the decision model; then the answer is written from the exact evidence, or,
when retrieval is sure but no sentence states exactly what was asked, from the best passage
under a plain lead-in. service/answering.py chooses between this answer and a generated one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from indexer.models import Document, Paragraph
from indexer.text import is_date_line, is_lead_in, iso_date, sentences, without_publicity_note

from .answer_context import AnswerContext
from .answer_writing import Evidence, cited_docnum_answer, document_answer, refusal_answer, write_answer
from .assessment import Assessment, assess, ms_since
from .evidence import Candidate, best_for_part, coverage, fits_intent
from .policy import AnswerPolicy
from .patterns import DEPT_NOTE_RE, FIGURE_RE, VALIDITY_RE
from .question import Question, parse_question
from .refusal import Refusal, RefusalKind
from .results import Answer, Filters


def answer_question(ctx: AnswerContext, text: str, history: list[dict] | None = None, top_k: int = 5,
                    filters: Filters | None = None, mode: str = "hybrid") -> Answer:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    q = parse_question(text, history, ctx.term_stats.rare, ctx.term_stats.people_names)
    direct = _docnum_lookup(ctx, q)
    if direct is not None:
        direct.timing_ms = {"total": ms_since(started)}
        return direct
    a = assess(ctx, q, top_k, filters, mode, timings)
    t = time.perf_counter()
    answer = decide_and_write(ctx, a, top_k)
    timings["answer"] = timings.get("answer", 0.0) + ms_since(t)
    timings["total"] = ms_since(started)
    answer.timing_ms = timings
    return answer


def _docnum_lookup(ctx: AnswerContext, q: Question) -> Answer | None:
    """A 文号 not in the corpus (quote who cites it, or say so), or "what is document X" (its opening)."""
    if not q.docnum:
        return None
    docs = ctx.find_by_docnum(q.docnum)
    if not docs:
        return cited_docnum_answer(ctx, q.docnum) or refusal_answer(ctx, Refusal(RefusalKind.UNKNOWN_DOCNUM, {"docnum": q.docnum}))
    if q.intent.document:
        return document_answer(ctx, docs[0])
    return None


@dataclass
class Quotation:
    """What an answer quotes, and whether it only comes close to the question (a hedge)."""

    evidence: list[Evidence]
    hedged: bool = False


def decide_and_write(ctx: AnswerContext, a: Assessment, top_k: int) -> Answer:
    """Refuse, answer from the exact evidence, or hedge with the best passage."""
    decided = decide(ctx, a, top_k)
    if isinstance(decided, Refusal):
        return refusal_answer(ctx, decided)
    return write_answer(ctx, decided.evidence, a.question, hedged=decided.hedged)


def decide(ctx: AnswerContext, a: Assessment, top_k: int) -> Refusal | Quotation:
    """The refusal, or the passages to quote: the exact evidence, else (a hedge) the closest passages."""
    if a.refusal:
        return a.refusal
    # "多少钱" or "哪天" with no sentence stating a figure or date of that kind: a passage without it answers nothing
    missing = None if a.exact else _missing_kind_refusal(a.question)
    if not _answerable(ctx, a):
        if a.foreign:  # the gazettes mention the place, but not for what was asked
            return Refusal(RefusalKind.OTHER_PLACE, {"place": a.foreign[0]})
        if missing and a.plausible and a.plausible[0].cover >= ctx.policy.min_cover:
            return missing  # the topic is there, the figure or date asked for is not: say so
        if _provision_speaks_of_it(a, ctx.policy):
            return Quotation(closest_evidence(ctx, a), hedged=True)
        return Refusal(RefusalKind.NOT_FOUND)
    strong = [c for c in a.exact if covers_enough(c, ctx.policy)]
    if strong:
        return Quotation(exact_evidence(ctx, a, strong, top_k))
    if missing:
        return missing
    evidence = closest_evidence(ctx, a)
    # the date line answers "是哪天签发的" exactly: no lead-in
    return Quotation(evidence, hedged=not (a.question.intent.issued and evidence[0].paragraph.kind == "signature"))


def exact_evidence(ctx: AnswerContext, a: Assessment, strong: list[Candidate], top_k: int) -> list[Evidence]:
    """The paragraphs that answer the question, then what each completing step adds, in order."""
    q = a.question
    evidence = _select_evidence(ctx, q, with_best_match(strong, a.plausible), top_k)
    evidence = _newest_first(q, evidence, ctx.policy.newest_first_margin)  # the same kind of figure from several years: the newest leads
    evidence = _with_parts(ctx, a, evidence)  # each part of a question that asks several things: its best sentence
    evidence = _with_lists(ctx, evidence)  # a lead-in line ("任命：") brings the paragraph it introduces
    evidence = _with_date_line(q, evidence)  # "是哪天签发的": the document's date line first
    return evidence


def closest_evidence(ctx: AnswerContext, a: Assessment) -> list[Evidence]:
    """A hedge: the best passages of the best document, one sentence each, and what completes them."""
    pool = a.exact or a.plausible
    best: list[Candidate] = []
    for c in pool:
        if c.hit.chunk.doc_id == pool[0].hit.chunk.doc_id and all(c.paragraph.paragraph_id != b.paragraph.paragraph_id for b in best):
            best.append(c)
        if len(best) == ctx.policy.hedge_passages:
            break
    evidence = [Evidence(ctx.document(c.hit.chunk.doc_id), c.paragraph, [c.sentence], c.score) for c in best]
    evidence = _with_lists(ctx, evidence)  # a lead-in line brings the paragraph it introduces
    evidence = _with_date_line(a.question, evidence)  # "是哪天签发的": the document's date line first
    return evidence


def _provision_speaks_of_it(a: Assessment, policy: AnswerPolicy) -> bool:
    """A yes/no question ("有没有规定…", "能不能报销") whose topic a provision covers in full: the
    provision is the answer, under the hedge when it does not say yes or no in so many words.

    The model weighs how well a sentence states an asked fact; a yes/no question asks whether a
    rule exists, so a sentence holding every key term of it is quoted rather than refused."""
    q = a.question
    if not q.intent.yes_no or q.intent.figure or q.intent.date or not a.plausible:
        return False
    best = a.plausible[0]
    return min(best.cover, best.full_cover) >= policy.yes_no_min_cover


def _missing_kind_refusal(q: Question) -> Refusal | None:
    """The refusal for a question whose asked kind of fact no passage states: a figure, a date
    (not "还有效吗", which the 施行 clause answers, nor a document's issue date, which its date line
    gives), a telephone number or a street address."""
    if q.intent.figure:
        return Refusal(RefusalKind.NO_FIGURE)
    if q.intent.date and not (q.intent.validity or q.intent.issued or q.intent.yes_no or q.parts):
        return Refusal(RefusalKind.NO_DATE)
    if q.intent.phone:
        return Refusal(RefusalKind.NO_PHONE)
    if q.intent.address:
        return Refusal(RefusalKind.NO_ADDRESS)
    if q.people and (q.intent.new_post or q.intent.former) and not q.intent.person:
        return Refusal(RefusalKind.NO_POST, {"name": q.people[0], "which": "new" if q.intent.new_post else "former"})
    return None


def covers_enough(c: Candidate, policy: AnswerPolicy) -> bool:
    """Whether a sentence of the asked kind covers the question well enough to be quoted as its answer.

    The words no passage holds count too: "分几个阶段推进" where no passage names a 阶段 is not
    answered by a count of projects, however well the sentence covers the other words; it gets the hedge."""
    return min(c.cover, c.full_cover) >= policy.min_cover


def with_best_match(strong: list[Candidate], plausible: list[Candidate]) -> list[Candidate]:
    """The exact evidence, plus the best-matching sentence of its document when that one outranks it.

    The intent cues can misread a question ("谁批" asks for an authority, not a person), so the
    sentence that matches the question best is quoted too, after the evidence of the asked kind.
    """
    top = plausible[0] if plausible else None
    if (top is None or top in strong or top.hit.chunk.doc_id != strong[0].hit.chunk.doc_id
            or top.cover < strong[0].cover or top.score <= strong[0].score or is_lead_in(top.sentence)):
        return strong
    return [*strong, top]


def _answerable(ctx: AnswerContext, a: Assessment) -> bool:
    if not a.plausible:
        return False
    if a.question.docnum:
        return True
    if a.probability is not None and ctx.decision is not None:
        return a.probability >= ctx.decision.threshold
    # no trained model for this embedder: the exact evidence must cover the question well enough
    return bool(a.exact) and a.exact[0].cover >= ctx.policy.fallback_min_cover


def _same_or_as_good(c: Candidate, top: Candidate, q: Question, policy: AnswerPolicy) -> bool:
    """Evidence from a second document must answer as fully as the best, or it only dilutes the citations."""
    margin = policy.other_doc_margin_figure if q.intent.figure else policy.other_doc_margin
    return c.hit.chunk.doc_id == top.hit.chunk.doc_id or c.cover >= top.cover - margin


def _select_evidence(ctx: AnswerContext, q: Question, candidates: list[Candidate], top_k: int) -> list[Evidence]:
    """The paragraphs (at most max_paragraphs) and their sentences that answer the question."""
    policy = ctx.policy
    top = candidates[0]
    best = [c for c in candidates if c.score >= top.score - policy.score_window and _same_or_as_good(c, top, q, policy)]
    if q.intent.validity:  # the 施行 / 有效期 clause answers it, though it shares few words with the topic
        best.sort(key=lambda c: not VALIDITY_RE.search(c.sentence))
    evidence: dict[str, Evidence] = {}
    for c in best[: max(3, top_k)]:
        key = c.paragraph.paragraph_id
        if key not in evidence:
            if len(evidence) >= policy.max_paragraphs:
                continue
            evidence[key] = Evidence(ctx.document(c.hit.chunk.doc_id), c.paragraph, score=c.score)
        ev = evidence[key]
        if c.sentence not in ev.sentences and len(ev.sentences) < policy.max_sentences_per_paragraph:
            ev.sentences.append(c.sentence)
    if q.intent.department:  # the department is in the item's closing note: quote it too
        for ev in evidence.values():
            note = next((x for x in sentences(ev.paragraph.text) if DEPT_NOTE_RE.search(x)), None)
            if note and not any(DEPT_NOTE_RE.search(x) for x in ev.sentences):
                ev.sentences.append(note)
    return list(evidence.values())


def _newest_first(q: Question, chosen: list[Evidence], margin: float) -> list[Evidence]:
    """When documents of several years each state a figure of the kind asked for, the newest
    document's evidence comes first ("一个月能领多少钱": the 2020 standard before the 2018 one).

    Only for a figure question that names no year (a named year picks its own document), and only
    among evidence stating such a figure: a plan's goal without one stays where it ranked. Within a
    document the order is kept."""
    if not q.intent.figure or q.years:
        return chosen
    wanted = q.wanted_figure or FIGURE_RE
    top = max((e.score for e in chosen if any(wanted.search(s) for s in e.sentences)), default=0.0)
    # as good an answer by the question's words: a document the question names ranks far ahead
    states = [bool(e.doc.date) and any(wanted.search(s) for s in e.sentences) and e.score >= top - margin for e in chosen]
    if len({e.doc.date for e, ok in zip(chosen, states) if ok}) < 2:
        return chosen
    rank = {}  # doc_id -> its position among the figure-stating documents, newest first
    for e in sorted((e for e, ok in zip(chosen, states) if ok), key=lambda e: e.doc.date, reverse=True):
        rank.setdefault(e.doc.doc_id, len(rank))
    slots = [i for i, ok in enumerate(states) if ok]  # the figure-stating evidence moves among its own places
    moved = sorted((chosen[i] for i in slots), key=lambda e: rank[e.doc.doc_id])  # stable: in-document order kept
    out = list(chosen)
    for i, e in zip(slots, moved):
        out[i] = e
    return out


def _with_lists(ctx: AnswerContext, chosen: list[Evidence]) -> list[Evidence]:
    """A lead-in line ("市人民政府决定，任命：") says nothing alone: the paragraph it introduces follows it."""
    out: list[Evidence] = []
    quoted = {e.paragraph.paragraph_id for e in chosen}
    for ev in chosen:
        out.append(ev)
        if not is_lead_in(ev.paragraph.text.rstrip()):
            continue
        following = ev.doc.paragraphs[ev.paragraph.index + 1: ev.paragraph.index + 2]
        if following and following[0].kind not in ("heading", "signature", "title") and following[0].paragraph_id not in quoted:
            nxt = following[0]
            quoted.add(nxt.paragraph_id)
            out.append(Evidence(ev.doc, nxt, sentences(nxt.text)[:ctx.policy.max_sentences_per_paragraph], ev.score))
    return out


def _with_parts(ctx: AnswerContext, a: Assessment, chosen: list[Evidence]) -> list[Evidence]:
    """For a question that asks several things, the chosen evidence plus the best sentence of each
    part not yet quoted (added to its paragraph when that paragraph is already quoted).

    A part ranks the candidates by its own key terms first and the whole question's score second
    ("原来是谁" has no terms of its own: it takes the next best person of the same topic). Only
    the documents already quoted are searched: the parts ask about one subject.
    """
    out = list(chosen)
    docs = {e.doc.doc_id for e in chosen}
    for part in a.question.parts:
        # a part is judged by its own words too: "杜长涛被任命为什么" shares few with the whole question
        pool = [c for c in a.plausible if c.hit.chunk.doc_id in docs
                and max(c.cover, coverage(part.terms, c.sentence, ctx.term_stats)) >= ctx.policy.min_cover
                and fits_intent(part, c) and not is_lead_in(c.sentence)]  # a lead-in answers nothing alone
        if not pool:
            continue
        best = best_for_part(part, pool, ctx.term_stats, ctx.policy.scoring)
        home = next((e for e in out if e.paragraph.paragraph_id == best.paragraph.paragraph_id), None)
        if home is None:
            out.append(Evidence(ctx.document(best.hit.chunk.doc_id), best.paragraph, [best.sentence], best.score))
        elif best.sentence not in home.sentences:
            home.sentences.append(best.sentence)
    return out


def _with_date_line(q: Question, chosen: list[Evidence]) -> list[Evidence]:
    """"聊政任〔2023〕14号是哪天签发的？": the first document's date line (under its signature) is
    quoted first, since the sentences chosen for the question's words do not state it."""
    if not q.intent.issued or not chosen:  # a part that asks it holds the cue, so the whole question does
        return chosen
    doc = chosen[0].doc
    found = date_line(doc)
    if found is None or any(e.paragraph.paragraph_id == found[0].paragraph_id for e in chosen):
        return chosen
    return [Evidence(doc, found[0], [found[1]], chosen[0].score), *chosen]


def date_line(doc: Document) -> tuple[Paragraph, str] | None:
    """The document's date line under its signature, and its date as printed: the signature line
    that states the signing date (in Arabic or Chinese numerals), else the last date line.

    A publicity note on the date line ("二○一五年三月二日（此件公开发布）") is not quoted, and a
    note on the line after it ("（此件公开发布）") is a paragraph of its own that hides nothing.
    """
    lines = [(p, without_publicity_note(p.text.strip())) for p in doc.paragraphs
             if p.kind == "signature" and is_date_line(p.text.strip())]
    if not lines:
        return None
    return next(((p, d) for p, d in lines if doc.date and iso_date(d) == doc.date), lines[-1])
