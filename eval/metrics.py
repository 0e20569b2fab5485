"""Benchmark metrics: small pure functions over ranks, strings and flags.

Matching conventions shared by every metric:
- `compact(text)`: NFKC, all whitespace removed, bracket variants ([]【】（）() ﹝﹞〖〗) mapped to 〔〕,
  thousands separators between digits dropped. Used for evidence, facts and document references.
- A document matches a gold entry when `normalise_ref(docnum)` or `normalise_ref(title)` equals
  `normalise_ref(entry)` (the same compaction, plus 《》 stripped from the ends).
"""
from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Iterable, NamedTuple, Protocol, Sequence

from indexer import numerals as N

RECALL_KS = (1, 3, 5, 10)

METRIC_DEFINITIONS: dict[str, str] = {
    "recall@k": (
        "Document recall at k: over answerable questions with gold_docnums, the fraction of gold "
        "entries matched by one of the first k DISTINCT documents of search(q, k=10) (hits "
        "deduplicated by doc_id in rank order); mean over questions. A failed search call counts "
        "as an empty ranking."
    ),
    "mrr": (
        "Mean reciprocal rank: 1 / rank of the first distinct document matching any gold entry "
        "(0 when none among the documents of the top 10 chunks); mean over the same questions."
    ),
    "evidence@k": (
        "Evidence recall at k: over answerable questions with evidence, the fraction of evidence "
        "strings contained in the concatenated text of the top k CHUNKS (rank order; a chunk's text "
        "is its document title, heading path and text; whitespace ignored, NFKC and brackets "
        "normalised); mean over questions (failed search = nothing)."
    ),
    "citation_precision": (
        "Over answerable questions with gold_docnums that were answered: distinct cited documents "
        "matching a gold entry / distinct cited documents (0 when an answer cites nothing); mean."
    ),
    "citation_recall": (
        "Over the same questions: gold entries matched by some cited document / gold entries; mean."
    ),
    "quote_faithfulness": (
        "Over every citation of every answer: the fraction whose quote (stripped, non-empty) occurs "
        "verbatim, without any normalisation, in the text of its document's paragraphs (one "
        "paragraph, or consecutive paragraphs joined by a newline). Should be 1.0."
    ),
    "fact_recall": (
        "Over answerable questions that were answered and have facts: the fraction of facts "
        "present in the answer text (compacted). Facts of each evidence string: 文号, dates "
        "(Arabic or Chinese numerals; ISO and zero-padded forms accepted), numbers with units "
        "(%, 万元, 万人, 个百分点, ...; Chinese numerals too: 十个工作日 = 10个工作日, 五百米), "
        "bare decimals, and quoted terms (“…”, 「…」, 《…》), minus those the question already "
        "states; with a gold_answer, an evidence string with none of these gives instead its top 3 "
        "jieba TF-IDF nouns (2+ characters, generic words excluded) not in the question, and only "
        "the facts the gold_answer states are kept (so a gold answer scores 1.0). Numeric facts "
        "are not matched inside a longer number. Mean over questions."
    ),
    "cited_gold": (
        "Over every answerable question with gold_docnums (a refusal scores 0): 1 when some cited "
        "document matches a gold entry; first_cited_gold: when the first citation does; mean."
    ),
    "quote_evidence": (
        "Over every answerable question with evidence (a refusal scores 0): the share of evidence "
        "strings contained in the cited quotes taken together (compacted); first_quote_evidence: "
        "in the first quote alone; mean."
    ),
    "answer_facts": (
        "Fact recall of the answer text over every answerable question with facts, a refusal "
        "scoring 0 (fact_recall is the same over answered questions only)."
    ),
    "refusal": (
        "Positive class = refused (answered == false); truth = answerable == false. "
        "precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R); "
        "undefined (–) when a denominator is 0. Questions whose ask call failed are left out of the "
        "refusal and answer metrics and counted in ask_errors."
    ),
    "generation": (
        "System `generated` (hybrid retrieval, a language model writes the answer from the passages the "
        "extractive answer cites; service/generation/). generated: answers the model wrote (an unreachable "
        "model is counted in LLM errors instead); check pass: share of those that passed every check "
        "(markers name given passages, every sentence cited, every figure in its cited passages; a refusal "
        "passes); gen sentences: figures in quotes: share of the model's sentences whose numbers, dates, "
        "文号 and departments all lie in the passages they cite (Chinese and Arabic numerals as one value); "
        "generated shown: answers shown as generated; fallbacks: answers where the extractive one was "
        "shown instead (any reason)."
    ),
    "shown_figures": (
        "Every system, answered questions only: shown figures in quotes is the share of sentences of the "
        "answer shown that hold figures whose figures all lie in their cited quotes (with the cited "
        "document's title, 文号 and date; a sentence without [n] against every quote; validity notes left out); "
        "answers w/ unsourced figure counts answers with at least one such sentence that fails."
    ),
    "first_token": (
        "Milliseconds from the start of answering to the first piece of text a stream would send: the "
        "model's first token for a generated answer, the whole answer for an extractive one (it is sent "
        "at once). p50 and p95."
    ),
    "latency": (
        "Wall-clock milliseconds of each successful search / ask call as seen by the runner "
        "(in-process, or HTTP round trip with an endpoint); p50 and p95 by linear interpolation."
    ),
}


# ---------------------------------------------------------------- normalisation

_OPEN = "[(【〖〔﹝"
_CLOSE = "])】〗〕﹞"
_BRACKETS = str.maketrans({**{c: "〔" for c in _OPEN}, **{c: "〕" for c in _CLOSE}})
_WS = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def compact(text: str | None) -> str:
    """The text as compared by evidence, fact and reference matching."""
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    s = _WS.sub("", s).translate(_BRACKETS)
    return _THOUSANDS.sub("", s)


def normalise_ref(ref: str | None) -> str:
    """A 文号 or title as compared with gold_docnums."""
    return compact(ref).removeprefix("《").removesuffix("》")


# ---------------------------------------------------------------- documents

class DocLike(Protocol):
    doc_id: str
    docnum: str | None
    title: str


class DocRef(NamedTuple):
    doc_id: str
    docnum: str | None
    title: str

    @property
    def label(self) -> str:
        return self.docnum or self.title


def distinct_documents(items: Iterable[DocLike]) -> list[DocRef]:
    """The documents of ranked hits or citations, first occurrence order, one per doc_id."""
    seen: dict[str, DocRef] = {}
    for it in items:
        if it.doc_id not in seen:
            seen[it.doc_id] = DocRef(it.doc_id, it.docnum, it.title)
    return list(seen.values())


def matches_ref(doc: DocLike, key: str) -> bool:
    """Whether the document is the one a normalised gold entry names."""
    return key in (normalise_ref(doc.docnum), normalise_ref(doc.title))


def matches_gold(doc: DocLike, gold: Sequence[str]) -> bool:
    return any(matches_ref(doc, normalise_ref(g)) for g in gold)


def gold_ranks(gold: Sequence[str], docs: Sequence[DocLike]) -> list[int | None]:
    """For each gold entry, the 1-based rank of the first matching document, or None."""
    keys = [normalise_ref(g) for g in gold]
    return [next((r for r, d in enumerate(docs, 1) if matches_ref(d, key)), None) for key in keys]


def recall_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Fraction of items found at rank <= k; None when there is nothing to find."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """1 / the best rank among the items, 0.0 if none was found, None if there are no items."""
    if not ranks:
        return None
    found = [r for r in ranks if r is not None]
    return 1.0 / min(found) if found else 0.0


# ---------------------------------------------------------------- evidence

def evidence_ranks(evidence: Sequence[str], chunk_texts: Sequence[str]) -> list[int | None]:
    """For each evidence string, the smallest k whose concatenated top-k chunk text contains it."""
    prefixes = list(accumulate(compact(t) for t in chunk_texts))
    return [_first_prefix_containing(compact(e), prefixes) for e in evidence]


def _first_prefix_containing(needle: str, prefixes: Sequence[str]) -> int | None:
    if not needle:
        return None
    return next((k for k, text in enumerate(prefixes, 1) if needle in text), None)


# ---------------------------------------------------------------- citations and quotes

def evidence_share(evidence: Sequence[str], quotes: Sequence[str]) -> float:
    """Share of evidence strings contained in the quotes taken together (compacted; 0 with no quotes)."""
    if not evidence:
        return 0.0
    text = "\n".join(compact(q) for q in quotes)
    return sum(1 for e in evidence if compact(e) in text) / len(evidence)


def citation_precision(cited: Sequence[DocLike], gold: Sequence[str]) -> float:
    """Distinct cited documents that match gold / distinct cited documents; 0.0 if none cited."""
    docs = distinct_documents(cited)
    if not docs:
        return 0.0
    return sum(1 for d in docs if matches_gold(d, gold)) / len(docs)


def citation_recall(cited: Sequence[DocLike], gold: Sequence[str]) -> float | None:
    """Gold entries matched by some cited document / gold entries; None without gold."""
    if not gold:
        return None
    docs = distinct_documents(cited)
    return sum(1 for g in gold if any(matches_ref(d, normalise_ref(g)) for d in docs)) / len(gold)


def quote_is_verbatim(quote: str, paragraph_texts: Sequence[str] | None) -> bool:
    """Whether the quote occurs exactly in one paragraph or across consecutive paragraphs."""
    q = (quote or "").strip()
    return bool(q) and paragraph_texts is not None and q in "\n".join(paragraph_texts)


# ---------------------------------------------------------------- facts

class Fact(NamedTuple):
    text: str  # as displayed
    variants: tuple[str, ...]  # compacted forms any of which counts as present


def _alternation(words: str) -> str:
    return "|".join(re.escape(w) for w in sorted(words.split(), key=len, reverse=True))


_UNITS = _alternation(
    """个百分点 百分点 % ‰ 元 人次 人 户 亩 公顷 平方公里 平方千米 平方米 立方米 公里 千米 米 吨
    千瓦时 千瓦 兆瓦 个工作日 工作日 个月 周岁 岁 小时 分钟 天 日 月 年 周 倍 个 家 项 所 处 座 条
    辆 台 套 件 名 次 张 床 间 批 届 类 种 宗 位"""
)
_CN_UNITS = _alternation(  # after a Chinese numeral, fewer units: 一家/两类 are mostly words
    "个百分点 元 人 名 个工作日 工作日 个月 周岁 岁 小时 天 日 年 次 倍 个 项 平方米 公里 千米 米 亩 吨"
)
_CN_NUM = N.ZEROS + N.DIGITS + N.TWO + N.UNITS + N.BIG_UNITS
_CN_SMALL = f"[{N.MONTH_DAY_NUMERALS}]{{1,3}}"
_FACT_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    # 文号: from the nearest 聊/鲁/国/中 (issuer abbreviations), else at most 4 Han characters
    ("docnum", re.compile(r"[聊鲁国中][\u4e00-\u9fff]{0,6}?〔\d{4}〕\d+号")),
    ("docnum", re.compile(r"[\u4e00-\u9fff]{1,4}〔\d{4}〕\d+号")),
    ("ymd", re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")),
    ("cn_date", re.compile(rf"([{N.ZEROS}{N.DIGITS}]{{4}})年({_CN_SMALL})月(?:({_CN_SMALL})日)?")),
    ("iso", re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")),
    ("ym", re.compile(r"(\d{4})年(\d{1,2})月")),
    ("md", re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")),
    # 3.7%, 6.78万人, 43.1万件, 120亿元
    ("quantity", re.compile(rf"(?<![\d.])\d+(?:\.\d+)?[万亿千]?(?:{_UNITS})")),
    # 十个工作日, 五百米, 两次; not a lone 一 (一年来, 一项), not an ordinal (第十条)
    ("cn_quantity", re.compile(
        rf"(?<![第\d.{_CN_NUM}])((?!一(?![{_CN_NUM}]))[零{N.DIGITS}{N.TWO}十][{_CN_NUM}]*)({_CN_UNITS})"
    )),
    # bare decimals: 0.011 (bare integers are mostly hotline numbers, years, counts in names)
    ("number", re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")),
    ("quoted", re.compile(r"“([^“”]{2,30})”|「([^「」]{2,30})」|\"([^\"]{2,30})\"|《([^《》]{2,40})》")),
)
_STRICT_PATTERNS = tuple(p for p in _FACT_PATTERNS if p[0] != "cn_quantity")
# Too generic in this corpus to show that an answer has the content
GENERIC_TERMS = frozenset(
    "聊城 聊城市 全市 我市 本市 市级 政府 人民政府 部门 单位 工作 建设 城市 印发 通知 实施 措施 有关 "
    "相关 管理 发展 推进 时代 规定 办法 意见 方案".split()
)
KEY_TERM_POS = ("n", "nr", "ns", "nt", "nz", "nrt", "vn", "eng", "j", "l", "i")


def extract_facts(evidence: Iterable[str], question: str = "") -> list[Fact]:
    """The Arabic-numeral figures, dates, 文号 and quoted terms of the evidence strings that the
    question does not already state, deduplicated, in order."""
    return list(_extract_facts(tuple(evidence), question))


def answer_facts(evidence: Sequence[str], question: str = "", gold_answer: str | None = None) -> list[Fact]:
    """What fact_recall looks for in an answer. Per evidence string: its figures (Chinese-numeral
    quantities too), dates, 文号 and quoted terms not already in the question, or, when it has
    none and there is a gold answer, its jieba key terms not in the question. With a gold answer
    only the facts it states are kept, so the gold answer itself scores 1.0."""
    facts = _extract_facts(tuple(evidence), question, extended=True, with_key_terms=gold_answer is not None)
    if gold_answer is None:
        return list(facts)
    present = facts_found(facts, gold_answer)
    return [f for f, ok in zip(facts, present) if ok]


@lru_cache(maxsize=4096)
def _extract_facts(evidence: tuple[str, ...], question: str, extended: bool = False,
                   with_key_terms: bool = False) -> tuple[Fact, ...]:
    asked = compact(question)
    patterns = _FACT_PATTERNS if extended else _STRICT_PATTERNS
    facts: dict[str, Fact] = {}
    for text in evidence:
        found = [f for f in _facts_of(compact(text), patterns) if not fact_present(f, asked)]
        if not found and with_key_terms:
            found = [Fact(t, (t,)) for t in key_terms(text) if t not in asked]
        for fact in found:
            facts.setdefault(fact.variants[0], fact)
    return tuple(facts.values())


def key_terms(text: str, top_k: int = 3) -> list[str]:
    """Up to top_k nouns of the text by jieba TF-IDF weight (2+ characters, not generic)."""
    try:
        import jieba
        import jieba.analyse
    except ImportError:
        return []
    jieba.setLogLevel(logging.WARNING)
    tags = jieba.analyse.extract_tags(text, topK=top_k * 3, allowPOS=KEY_TERM_POS)
    return [compact(t) for t in tags if len(t) > 1 and t not in GENERIC_TERMS][:top_k]


def _facts_of(text: str, patterns=None) -> list[Fact]:
    """The pattern facts of a compacted text, in text order; earlier patterns win overlaps."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Fact]] = []
    for kind, pattern in patterns or _FACT_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append(m.span())
            found.append((m.start(), _fact_from_match(kind, m)))
    return [fact for _, fact in sorted(found, key=lambda x: x[0])]


def _fact_from_match(kind: str, m: re.Match) -> Fact:
    if kind in ("ymd", "iso"):
        return _date_fact(int(m[1]), int(m[2]), int(m[3]))
    if kind == "cn_date":
        y, mo = int(N.spelled_digits(m[1])), N.cn_number(m[2])
        base = _date_fact(y, mo, N.cn_number(m[3])) if m[3] else _month_fact(y, mo)
        return Fact(base.text, base.variants + (m[0],))
    if kind == "ym":
        return _month_fact(int(m[1]), int(m[2]))
    if kind == "md":
        mo, d = int(m[1]), int(m[2])
        return Fact(f"{mo}月{d}日", _unique((f"{mo}月{d}日", f"{mo:02d}月{d:02d}日")))
    if kind == "cn_quantity":
        return Fact(m[0], _unique((m[0], f"{N.cn_number(m[1])}{m[2]}")))
    if kind == "quoted":
        term = next(g for g in m.groups() if g)
        return Fact(term, (term,))
    return Fact(m[0], (m[0],))


def _date_fact(y: int, mo: int, d: int) -> Fact:
    text = f"{y}年{mo}月{d}日"
    return Fact(text, _unique((text, f"{y}年{mo:02d}月{d:02d}日", f"{y}-{mo:02d}-{d:02d}")))


def _month_fact(y: int, mo: int) -> Fact:
    text = f"{y}年{mo}月"
    return Fact(text, _unique((text, f"{y}年{mo:02d}月", f"{y}-{mo:02d}")))




def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def fact_present(fact: Fact, answer_compact: str) -> bool:
    """Whether any form of the fact is in the (compacted) answer; numbers not matched mid-number."""
    return any(_variant_pattern(v).search(answer_compact) for v in fact.variants)


def _variant_pattern(variant: str) -> re.Pattern:
    before = r"(?<![\d.])" if variant[:1].isdigit() else ""
    after = r"(?!\d|\.\d)" if variant[-1:].isdigit() else ""
    return re.compile(before + re.escape(variant) + after)


def facts_found(facts: Sequence[Fact], answer: str) -> list[bool]:
    text = compact(answer)
    return [fact_present(f, text) for f in facts]


def fact_recall(facts: Sequence[Fact], answer: str) -> float | None:
    """Fraction of the facts present in the answer; None when there are no facts."""
    if not facts:
        return None
    found = facts_found(facts, answer)
    return sum(found) / len(found)


# ---------------------------------------------------------------- refusals

@dataclass(frozen=True)
class RefusalScores:
    tp: int  # refused an unanswerable question
    fp: int  # refused an answerable question
    fn: int  # answered an unanswerable question
    tn: int  # answered an answerable question
    precision: float | None
    recall: float | None
    f1: float | None


def refusal_scores(answerable: Sequence[bool], answered: Sequence[bool]) -> RefusalScores:
    """Precision/recall/F1 of refusing, the positive class being answered == False."""
    pairs = list(zip(answerable, answered, strict=True))
    tp = sum(1 for a, ans in pairs if not a and not ans)
    fp = sum(1 for a, ans in pairs if a and not ans)
    fn = sum(1 for a, ans in pairs if not a and ans)
    tn = len(pairs) - tp - fp - fn
    p = _ratio(tp, tp + fp)
    r = _ratio(tp, tp + fn)
    f1 = None if p is None or r is None else (0.0 if p + r == 0 else 2 * p * r / (p + r))
    return RefusalScores(tp, fp, fn, tn, p, r, f1)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


# ---------------------------------------------------------------- aggregation helpers

def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the defined values; None when there are none."""
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile with linear interpolation (numpy's default); None when empty."""
    vals = sorted(values)
    if not vals:
        return None
    pos = (len(vals) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def micro_fraction(flags: Iterable[bool]) -> float | None:
    """Fraction of true flags; None when there are none."""
    flags = list(flags)
    return sum(flags) / len(flags) if flags else None


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: characters inserted, deleted or substituted (OCR's character error rate)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
