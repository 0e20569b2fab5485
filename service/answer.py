"""Extractive answers: pick the sentences of retrieved paragraphs that answer the question.

Every sentence of an answer is a verbatim piece of a quoted paragraph, marked [n] with its
citation. When the best evidence does not cover the question's key terms, or the kind of fact
asked for (a figure, a date, a department) is not there, the answer says so plainly instead.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from datetime import date

from indexer.lexical import tokenize
from indexer.models import Document, Paragraph
from indexer.text import normalize_docnum, normalize_for_index

from .results import Answer, Citation, Filters, Hit

REFUSAL = "抱歉，已收录的聊城市人民政府公报中没有找到能回答这个问题的内容。建议拨打12345政务服务便民热线咨询。"
HOTLINE_NOTE = "如需进一步确认，请拨打12345政务服务便民热线。"
# Words that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = {
    "多少", "几", "什么", "怎么", "怎么办", "如何", "怎样", "哪些", "哪个", "哪里", "哪", "吗", "呢", "吧", "请问", "是否", "有没有",
    "有", "没有", "我", "我家", "我们", "想", "要", "能", "可以", "需要", "是", "的", "了", "在", "和", "与", "政府", "聊城", "聊城市",
    "市", "规定", "什么时候", "何时", "时候", "哪年", "多久", "谁", "部门", "单位", "负责", "情况", "一下", "一般", "现在", "目前",
    "那", "那么", "这个", "该", "文件", "讲", "说", "内容", "标准", "给", "对", "会", "都", "还", "补贴", "政策",
}
FIGURE_RE = re.compile(r"\d[\d.,，]*\s*(%|％|元|万元|亿元|万|亿|个|人|家|所|处|张|次|年|天|日|月|小时|公里|平方米|亩|吨|项|条|户|座|名|倍|分)")
DATE_RE = re.compile(r"\d{4}年(\d{1,2}月)?(\d{1,2}日)?|\d{1,2}月\d{1,2}日|(年|月)底前|之日起")
DEPT_RE = re.compile(r"（(牵头单位|责任单位|负责单位)[：:][^）]*）|（市[^（）]{1,20}负责）|负责")
PROCEDURE_RE = re.compile(r"申请|办理|提交|提供|受理|审核|审批|登记|程序|流程|材料|凭")
_SENT_RE = re.compile(r"[^。！？；]*[。！？；]?")


@dataclass(frozen=True)
class Intent:
    figure: bool = False
    date: bool = False
    department: bool = False
    procedure: bool = False
    document: bool = False  # "聊政办字〔2018〕76号是什么文件"


def question_intent(q: str) -> Intent:
    return Intent(
        figure=bool(re.search(r"多少|几[个年天岁项家所处次名]?|多大|多高|比例|金额|标准是|多长", q)),
        date=bool(re.search(r"什么时候|何时|哪天|哪一天|哪年|哪一年|几月|日期|时间|多久|期限|截止|施行|生效|有效期", q)),
        department=bool(re.search(r"哪个部门|哪些部门|哪个单位|什么部门|谁负责|牵头|找谁|负责单位|主管|哪家", q)),
        procedure=bool(re.search(r"怎么办|如何|怎样|怎么|流程|程序|手续|步骤", q)),
        document=bool(normalize_docnum(q)) and bool(re.search(r"什么|哪|内容|讲|关于|是啥|主要", q)),
    )


def is_follow_up(q: str) -> bool:
    return len(q) <= 16 and bool(re.match(r"^(那|那么|还有|另外|如果是|要是)", q) or re.search(r"(呢|的呢)[？?]?$", q))


def retrieval_query(question: str, history: list[dict]) -> str:
    """The question, with the previous user question prepended when it is an elliptical follow-up."""
    previous = [h["content"] for h in history if h.get("role") == "user" and h.get("content", "").strip()]
    if previous and is_follow_up(question):
        return f"{previous[-1]} {question}"
    return question


@dataclass
class TermStats:
    """Inverse document frequency of tokens over the chunks: weights for how specific a term is."""

    idf: dict[str, float]
    default: float

    @classmethod
    def of(cls, texts: list[str]) -> "TermStats":
        df: dict[str, int] = {}
        for t in texts:
            for tok in set(tokenize(normalize_for_index(t))):
                df[tok] = df.get(tok, 0) + 1
        n = max(len(texts), 1)
        idf = {tok: math.log((n + 1) / (c + 0.5)) for tok, c in df.items()}
        return cls(idf, math.log(n + 1) + 1.0)

    def weight(self, tok: str) -> float:
        return self.idf.get(tok, self.default)


def content_terms(question: str) -> list[str]:
    toks = [t for t in tokenize(normalize_for_index(question)) if t not in QUESTION_WORDS]
    return list(dict.fromkeys(toks))


def coverage(terms: list[str], text: str, stats: TermStats) -> float:
    """Share of the question's term weight present in text (0..1)."""
    if not terms:
        return 0.0
    norm = normalize_for_index(text)
    total = sum(stats.weight(t) for t in terms)
    return sum(stats.weight(t) for t in terms if t in norm) / total


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph; a responsibility note "（牵头单位：…）" stays with its sentence."""
    out: list[str] = []
    for s in (m.group(0) for m in _SENT_RE.finditer(text)):
        if not s.strip():
            continue
        if out and (s.startswith("（") and re.match(r"（(牵头|责任|配合|负责)", s) or not re.search(r"[\u4e00-\u9fff\d]", s)):
            out[-1] += s
        else:
            out.append(s)
    return out


@dataclass
class Candidate:
    hit: Hit
    paragraph: Paragraph
    sentence: str
    score: float
    cover: float


@dataclass
class _Evidence:
    doc: Document
    paragraph: Paragraph
    sentences: list[str] = field(default_factory=list)
    score: float = 0.0
    section: str = ""


def _intent_bonus(intent: Intent, s: str) -> float:
    bonus = 0.0
    if intent.figure and FIGURE_RE.search(s):
        bonus += 0.25
    if intent.date and DATE_RE.search(s):
        bonus += 0.25
    if intent.department and DEPT_RE.search(s):
        bonus += 0.3
    if intent.procedure and PROCEDURE_RE.search(s):
        bonus += 0.1
    return bonus


def rank_sentences(engine, hits: list[Hit], terms: list[str], intent: Intent, stats: TermStats) -> list[Candidate]:
    out: list[Candidate] = []
    for hit in hits:
        context = f"{hit.chunk.title} {' '.join(hit.chunk.heading_path)}"
        ctx_cover = coverage(terms, context, stats)
        for pid in hit.chunk.paragraph_ids:
            p = engine.store.get_paragraph(pid)
            if p.kind in ("signature", "heading"):
                continue
            for s in sentences(p.text):
                if len(s) < 6 or s not in hit.chunk.text:
                    continue
                cov = coverage(terms, s, stats)
                # the sentence's own words count most; the document title and section path help
                cover = min(1.0, cov + 0.5 * ctx_cover * (1 - cov))
                score = cover + _intent_bonus(intent, s) + 0.3 / (hit.rank + 1)
                out.append(Candidate(hit, p, s, score, cover))
    return sorted(out, key=lambda c: -c.score)


def _stats(engine) -> TermStats:
    stats = getattr(engine, "_term_stats", None)
    if stats is None:
        stats = TermStats.of([c.text + " " + c.title for c in engine.store.chunks])
        engine._term_stats = stats
    return stats


def _missing_constraint(question: str, best: list[Candidate], engine) -> bool:
    """A year or a figure named in the question that none of the evidence mentions."""
    text = " ".join(c.sentence + " " + c.hit.chunk.title + " " + (c.hit.chunk.date or "") for c in best)
    for year in re.findall(r"(20\d\d|19\d\d)年?", question):
        if year not in text:
            return True
    return False


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
    first = next((p for p in body if not p.text.startswith("各县")), body[0] if body else None)
    if first is None:
        return None
    lead = sentences(first.text)[:2]
    ev = _Evidence(doc, first, lead, 1.0)
    when = f"，{_cn_date(doc.date)}签发" if doc.date else ""
    text = f"{doc.docnum}是{doc.issuer or ''}的《{doc.title}》{when}。其中写道：{''.join(lead)}[1]"
    return Answer(answer=text, answered=True, citations=[_citation(1, ev)])


def answer_question(engine, question: str, history: list[dict], top_k: int = 5, filters: Filters | None = None, mode: str = "hybrid", min_cover: float = 0.5) -> Answer:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    question = question.strip()
    intent = question_intent(question)
    named = normalize_docnum(question)
    if named and not engine.find_by_docnum(question):
        msg = f"已收录的公报中没有文号为{named}的文件。建议拨打12345政务服务便民热线咨询。"
        return Answer(answer=msg, answered=False, timing_ms={"total": _ms(started)})
    if intent.document:
        ans = _document_answer(engine, question, top_k)
        if ans:
            ans.timing_ms = {"total": _ms(started)}
            return ans
    query = retrieval_query(question, history)
    hits = engine.search(query, k=max(top_k * 2, 10), filters=filters, mode=mode, timings=timings)
    t = time.perf_counter()
    stats = _stats(engine)
    terms = content_terms(query)
    ranked = rank_sentences(engine, hits, terms, intent, stats)
    answer = _compose(engine, question, ranked, intent, top_k, min_cover)
    timings["answer"] = _ms(t)
    timings["total"] = _ms(started)
    answer.timing_ms = timings
    return answer


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 3)


def _compose(engine, question: str, ranked: list[Candidate], intent: Intent, top_k: int, min_cover: float) -> Answer:
    if not ranked or ranked[0].cover < min_cover:
        return Answer(answer=REFUSAL, answered=False)
    best = [c for c in ranked if c.cover >= min_cover and c.score >= ranked[0].score - 0.35][: max(3, top_k)]
    if _missing_constraint(question, best[:3], engine):
        return Answer(answer=REFUSAL, answered=False)
    if intent.figure and not any(FIGURE_RE.search(c.sentence) for c in best[:3]):
        return Answer(answer=REFUSAL, answered=False)
    # group the chosen sentences by paragraph, at most 3 paragraphs, newest document first
    evidence: dict[str, _Evidence] = {}
    for c in best:
        key = c.paragraph.paragraph_id
        if key not in evidence:
            if len(evidence) >= 3:
                continue
            doc = engine.get_document(c.hit.chunk.doc_id)
            evidence[key] = _Evidence(doc, c.paragraph, score=c.score)
        ev = evidence[key]
        if c.sentence not in ev.sentences and len(ev.sentences) < 2:
            ev.sentences.append(c.sentence)
    chosen = list(evidence.values())
    several_dates = len({e.doc.date for e in chosen if e.doc.date}) > 1
    if several_dates:
        chosen.sort(key=lambda e: e.doc.date or "", reverse=True)
    lines, citations, notes = [], [], []
    today = date.today()
    for n, ev in enumerate(chosen, start=1):
        in_order = sorted(ev.sentences, key=ev.paragraph.text.find)
        when = f"（{ev.doc.date[:4]}年）" if several_dates and ev.doc.date else ""
        lines.append(f"根据{ev.doc.label}{when}：{''.join(in_order)}[{n}]")
        citations.append(_citation(n, ev))
        for note in _validity_notes(ev.doc, engine, today):
            if note not in notes:
                notes.append(note)
    if several_dates:
        newest = chosen[0].doc
        notes.insert(0, f"以上各条出自不同年份的文件，最新的是{newest.label}（{_cn_date(newest.date)}）。")
    text = "\n".join(lines + notes)
    return Answer(answer=text, answered=True, citations=citations, notes=notes)
