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
    "几次", "几年", "几天", "几个", "几项", "几", "多长时间", "多长", "还要", "还能", "还", "拿到", "提到", "那阵子", "行不行",
    "合理", "不", "啥", "咋", "咋办", "么", "吗", "嘛", "呀", "啊", "么样", "得", "能不能", "可不可以", "是不是", "要不要",
    "到底", "具体", "哪儿", "多", "最多", "最少", "至少", "一共", "总共", "打算", "准备", "今年", "去年", "里", "上",
}
UNKNOWN_TERM_WEIGHT = 4.0  # a word the gazettes never use is more likely phrasing than substance
FIGURE_RE = re.compile(r"\d[\d.,，]*\s*(%|％|元|万元|亿元|万|亿|个|人|家|所|处|张|次|年|天|日|月|小时|公里|平方米|亩|吨|项|条|户|座|名|倍|分)")
DATE_RE = re.compile(r"\d{4}年(\d{1,2}月)?(\d{1,2}日)?|\d{1,2}月\d{1,2}日|(年|月)底前|之日起")
DEPT_RE = re.compile(r"（(牵头单位|责任单位|负责单位)[：:][^）]*）|（市[^（）]{1,20}负责）|负责")
# a sentence that names who did or became something: "夏章勇为…院长", "市长张百顺主持会议"
PERSON_RE = re.compile(r"[\u4e00-\u9fff]{2,4}为[\u4e00-\u9fff（）()]{2,}|任命|免去|主持|出席|参加|讲话|带队|率[团队]|致辞|会见|代表|调研|考察|视察|督导|邀请|专家|来聊")
PROCEDURE_RE = re.compile(r"申请|办理|提交|提供|受理|审核|审批|登记|程序|流程|材料|凭")


@dataclass(frozen=True)
class Intent:
    figure: bool = False
    date: bool = False
    department: bool = False
    procedure: bool = False
    document: bool = False  # "聊政办字〔2018〕76号是什么文件"
    person: bool = False  # "谁被任命为…", "谁主持的会议"


def question_intent(q: str) -> Intent:
    return Intent(
        figure=bool(re.search(r"多少|几[个年天岁项家所处次名]?|多大|多高|比例|金额|标准是|多长|多久", q)),
        date=bool(re.search(r"什么时候|何时|哪天|哪一天|哪年|哪一年|几月|日期|截止|施行|生效|有效期", q)),
        department=bool(re.search(r"哪个部门|哪些部门|哪个单位|什么部门|谁负责|牵头|找谁|负责单位|主管|哪家", q)),
        procedure=bool(re.search(r"怎么办|如何|怎样|怎么|流程|程序|手续|步骤", q)),
        document=bool(normalize_docnum(q)) and bool(re.search(r"什么|哪|内容|讲|关于|是啥|主要", q)),
        person=bool(re.search(r"谁|哪位|什么人|何人", q)) and not re.search(r"谁负责|找谁|归谁|由谁|交给谁|向谁|谁牵头|单位是谁|部门是谁|谁受理", q),
    )


def is_follow_up(q: str) -> bool:
    """An elliptical question that leans on the previous one: "那农村的呢？", "这个办法由哪个部门负责？"."""
    return len(q) <= 20 and bool(
        re.match(r"^(那|那么|还有|另外|如果是|要是)", q)
        or re.search(r"(呢|的呢)[？?]?$", q)
        or re.search(r"这个|这项|这些|该(办法|方案|文件|政策|规定)|它|上述|此项", q)
    )


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
        w = self.idf.get(tok, UNKNOWN_TERM_WEIGHT)
        return w * 0.5 if len(tok) == 1 and not tok.isdigit() else w


def content_terms(question: str) -> list[str]:
    toks = [t for t in tokenize(normalize_for_index(question)) if t not in QUESTION_WORDS]
    return list(dict.fromkeys(toks))


# Everyday words and the gazettes' own terms for the same thing.
SYNONYMS = {
    "低保": ("最低生活保障",), "养老院": ("养老机构", "敬老院"), "gdp": ("生产总值",), "热线": ("12345",),
    "老人": ("老年人",), "孩子": ("子女",), "上学": ("就读", "入读"), "罚款": ("罚款", "处罚"), "幼儿园": ("学前教育",),
    "暖气": ("供热",), "失业金": ("失业保险金",), "看病": ("就医", "就诊"), "钱": ("元",), "工资": ("薪酬",),
}


def _present(term: str, norm: str) -> bool:
    return term in norm or any(s in norm for s in SYNONYMS.get(term, ()))


def coverage(terms: list[str], text: str, stats: TermStats) -> float:
    """Share of the question's term weight present in text (0..1)."""
    if not terms:
        return 0.0
    norm = normalize_for_index(text).lower()
    total = sum(stats.weight(t) for t in terms)
    return sum(stats.weight(t) for t in terms if _present(t, norm)) / total


def _split_outside_brackets(text: str) -> list[str]:
    """Cut after 。！？； but never inside （…）: a note "（牵头单位：A；配合单位：B）" stays whole."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
            if depth == 0 and text[start] in "（(":  # a whole note after a sentence: cut after it
                parts.append(text[start : i + 1])
                start = i + 1
        elif ch in "。！？；" and depth == 0:
            parts.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        parts.append(text[start:])
    return parts


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph; a responsibility note "（牵头单位：…）" stays with its sentence."""
    out: list[str] = []
    for s in _split_outside_brackets(text):
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


_MONEY_RE = re.compile(r"\d[\d.,，]*\s*(元|万元|亿元)")
_DURATION_RE = re.compile(r"[\d一二两三四五六七八九十百半]+\s*(个)?(工作日|日|天|周|个月|月|年|小时)|每(年|季度|月|周|半年)|[年月]底前|及时|立即|当日|当天")
_MONEY_PCT_RE = re.compile(_MONEY_RE.pattern + r"|\d[\d.]*\s*[%％]")
_MEASURE_RE = re.compile(r"多少(个|家|人|项|所|处|张|次|名|座|条|户|亩|吨|公里|天|年|倍)|几(个|家|人|项|所|处|张|次|名|座|条|户|天|年|倍)")


def expected_figure(question: str) -> re.Pattern | None:
    """What a figure answer must contain: money for 多少钱/奖励/费; the measure word asked for; else any figure."""
    if re.search(r"多少钱|每.{0,3}多少元", question):
        return _MONEY_RE
    if re.search(r"[费金价]|奖励|补贴|补助|罚款|资金|奖补|收费", question) and re.search(r"多少|几|多高|标准", question):
        return _MONEY_PCT_RE
    if re.search(r"多久|多长时间|几天|多少天|几个月|几年", question):
        return _DURATION_RE
    m = _MEASURE_RE.search(question)
    if m:
        unit = m.group(1) or m.group(2)
        return re.compile(rf"[\d一二两三四五六七八九十百千万][\d.,，]*\s*(多)?(个)?{unit}")
    return None


def _fits_intent(intent: Intent, question: str, c: "Candidate") -> bool:
    """Whether a sentence holds the kind of fact asked for (a figure of the right unit, a date)."""
    s = c.sentence
    if c.hit.chunk.type == "大事记":  # a chronicle entry's date is its day heading and month title
        s = f"{c.hit.chunk.title}{c.paragraph.heading_path[-1]}{s}"
    if intent.figure:
        want = expected_figure(question)
        if want is not None and not want.search(s):
            return False
        if want is None and not FIGURE_RE.search(s) and not re.search(r"[一二两三四五六七八九十百千万]+[个家人项所处张次名座年天倍]", s):
            return False
    if intent.date and not intent.figure and not DATE_RE.search(s):
        return False
    if intent.person and not PERSON_RE.search(s):
        return False
    return True


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
    text = " ".join(f"{c.sentence} {c.hit.chunk.title} {' '.join(c.hit.chunk.heading_path)} {c.hit.chunk.date or ''}" for c in best)
    for year in re.findall(r"(20\d\d|19\d\d)年?", question):
        if year not in text:
            return True
    flat = re.sub(r"\s+", "", text)
    for ordinal in re.findall(r"第[一二三四五六七八九十百\d]+[届次期批]?|\d+[届次期]", re.sub(r"\s+", "", question)):
        if ordinal not in flat:  # "第三人民医院", "第四届运动会", "第64次常务会议": the number must match
            return True
    for y, m in re.findall(r"(20\d\d)年(\d{1,2})月", question):  # a month asked for must be the evidence's month
        if f"{y}年{m}月" not in text and not any((c.hit.chunk.date or "").startswith(f"{y}-{int(m):02d}") for c in best):
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
    from indexer.text import DOCNUM_RE

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
    # evidence must hold the kind of fact asked for and every year, month and ordinal the question names
    fitting = [c for c in ranked if _fits_intent(intent, question, c) and not _missing_constraint(question, [c], engine)]
    if not fitting or fitting[0].cover < min_cover:
        return Answer(answer=REFUSAL, answered=False)
    best = [c for c in fitting if c.cover >= min_cover and c.score >= fitting[0].score - 0.35][: max(3, top_k)]
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
