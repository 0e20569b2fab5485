"""Evidence: the sentences of retrieved paragraphs, scored by how well they answer the question."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from indexer.lexical import tokenize
from indexer.models import Paragraph
from indexer.text import normalize_for_index, sentences

from .question import DATE_RE, DEPT_NOTE_RE, DEPT_RE, FIGURE_RE, PERSON_RE, PROCEDURE_RE, Intent, expected_figure
from .results import Hit

UNKNOWN_TERM_WEIGHT = 4.0  # a word the gazettes never use is more likely phrasing than substance


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


# Everyday words and the gazettes' own terms for the same thing.
SYNONYMS = {
    "低保": ("最低生活保障", "居民最低生活保障"), "养老院": ("养老机构", "敬老院"), "gdp": ("生产总值",), "热线": ("12345",),
    "老人": ("老年人",), "孩子": ("子女",), "上学": ("就读", "入读"), "罚款": ("罚款", "处罚"), "幼儿园": ("学前教育",),
    "暖气": ("供热",), "失业金": ("失业保险金",), "看病": ("就医", "就诊"), "钱": ("元",), "工资": ("薪酬",),
}


@lru_cache(maxsize=4096)
def _variants(term: str) -> tuple[str, ...]:
    """The term, its synonyms, and compounds with a synonym inside ("城市低保" → "城市居民最低生活保障")."""
    out = [term, *SYNONYMS.get(term, ())]
    for key, alts in SYNONYMS.items():
        if key != term and key in term:
            for alt in alts:
                out.append(term.replace(key, alt))
    return tuple(out)


def _present(term: str, norm: str) -> bool:
    return any(v in norm for v in _variants(term))


def coverage(terms: list[str], text: str, stats: TermStats) -> float:
    """Share of the question's term weight present in text (0..1)."""
    if not terms:
        return 0.0
    norm = normalize_for_index(text).lower()
    total = sum(stats.weight(t) for t in terms)
    return sum(stats.weight(t) for t in terms if _present(t, norm)) / total


@dataclass
class Candidate:
    hit: Hit
    paragraph: Paragraph
    sentence: str
    score: float
    cover: float


def fits_intent(intent: Intent, question: str, c: "Candidate") -> bool:
    """Whether a sentence holds the kind of fact asked for (a figure of the right unit, a date)."""
    s = c.sentence
    if c.hit.chunk.type == "大事记":  # a chronicle entry's date is its day heading and month title
        s = f"{c.hit.chunk.title}{c.paragraph.heading_path[-1]}{s}"
    elif c.hit.chunk.type == "任免" and c.hit.chunk.date:  # an appointment takes effect when signed
        s = f"{c.hit.chunk.date[:4]}年{int(c.hit.chunk.date[5:7])}月{int(c.hit.chunk.date[8:])}日{s}"
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


def intent_bonus(intent: Intent, s: str) -> float:
    bonus = 0.0
    if intent.figure and FIGURE_RE.search(s):
        bonus += 0.25
    if intent.date and DATE_RE.search(s):
        bonus += 0.25
    if intent.department and DEPT_NOTE_RE.search(s):
        bonus += 0.45
    elif intent.department and DEPT_RE.search(s):
        bonus += 0.1
    if intent.procedure and PROCEDURE_RE.search(s):
        bonus += 0.1
    return bonus


def rank_sentences(hits: list[Hit], paragraph: Callable[[str], Paragraph], terms: list[str], intent: Intent, stats: TermStats) -> list[Candidate]:
    """Sentences of the hits' paragraphs, best first: key-term coverage, the kind of fact asked for, rank."""
    out: list[Candidate] = []
    for hit in hits:
        context = f"{hit.chunk.title} {' '.join(hit.chunk.heading_path)}"
        ctx_cover = coverage(terms, context, stats)
        for pid in hit.chunk.paragraph_ids:
            p = paragraph(pid)
            if p.kind in ("signature", "heading"):
                continue
            for s in sentences(p.text):
                if len(s) < 6 or s not in hit.chunk.text:
                    continue
                cov = coverage(terms, s, stats)
                # the sentence's own words count most; the document title and section path help
                cover = min(1.0, cov + 0.5 * ctx_cover * (1 - cov))
                score = cover + intent_bonus(intent, s) + 0.3 / (hit.rank + 1)
                out.append(Candidate(hit, p, s, score, cover))
    return sorted(out, key=lambda c: -c.score)


def missing_constraint(question: str, best: list[Candidate]) -> bool:
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
