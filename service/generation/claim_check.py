"""Checks of a model's answer against the passages it was given: pure functions, no I/O.

Before a generated answer is shown:
1. it is not empty;
2. a refusal ("the passages do not say") is honoured as a refusal;
3. every [n] refers to a passage that was given (`unknown_citation`);
4. every sentence carries a citation (`uncited_sentence`), except a sentence that only says
   something is not in the passages;
5. every number, date, 文号, amount and named department of a sentence occurs in the passages
   it cites (`figure_not_in_source`). Chinese and Arabic numerals count as the same value
   (二〇二〇年 = 2020年, 三千元 = 3000元, 十五个工作日 = 15个工作日): both texts are written
   with Arabic numerals first, then compared figure by figure.

The language data (refusal cues, units, department suffixes) is in service/data/claim_check.toml.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from indexer import numerals as N
from indexer.text import is_lead_in

DATA = Path(__file__).resolve().parent.parent / "data" / "claim_check.toml"

# the names of the checks, as `fallback` reports them
EMPTY = "empty_answer"
UNKNOWN_CITATION = "unknown_citation"
UNCITED_SENTENCE = "uncited_sentence"
FIGURE_NOT_IN_SOURCE = "figure_not_in_source"
CHECKS = (EMPTY, UNKNOWN_CITATION, UNCITED_SENTENCE, FIGURE_NOT_IN_SOURCE)


@dataclass(frozen=True)
class Language:
    refusal_cues: tuple[str, ...]
    units: tuple[str, ...]  # longest first
    department_suffixes: tuple[str, ...]  # longest first
    not_departments: tuple[str, ...]


@lru_cache(maxsize=1)
def language() -> Language:
    data = tomllib.loads(DATA.read_text("utf-8"))
    by_len = lambda words: tuple(sorted(set(words), key=len, reverse=True))  # noqa: E731
    return Language(tuple(data["refusal_cues"]), by_len(data["units"]), by_len(data["department_suffixes"]),
                    tuple(data["not_departments"]))


@dataclass(frozen=True)
class SentenceCheck:
    text: str
    cites: tuple[int, ...]
    figures: tuple[str, ...]  # every figure found, as written after numeral normalisation
    missing: tuple[str, ...]  # those absent from the cited passages
    refusal: bool = False  # says the passages do not hold something


@dataclass
class CheckResult:
    passed: bool
    failed: str | None = None  # the first check that failed (one of CHECKS)
    detail: str = ""
    refusal: bool = False  # the whole answer is a refusal
    sentences: list[SentenceCheck] = field(default_factory=list)

    @property
    def fallback(self) -> str | None:
        """What `fallback` says when this result sends the answer back to the extractive one."""
        return None if self.passed else f"{self.failed}: {self.detail}" if self.detail else self.failed

    @property
    def figures_ok(self) -> int:
        """Sentences whose figures all lie in their cited passages."""
        return sum(1 for s in self.sentences if not s.missing)


# ---------------------------------------------------------------- numerals

_CN_NUM = N.ZEROS + N.WHITE_CIRCLE + N.DIGITS + N.TWO + N.UNITS
_MARKER = re.compile(r"\[(\d{1,2})\]")  # [2020] is a 文号's year, not a passage


def arabic(text: str) -> str:
    """The text with full-width forms folded, 文号 brackets as 〔〕, thousands separators dropped,
    and Chinese numerals that count or date something written in Arabic numerals."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[\[【﹝〖(（]\s*(\d{4})\s*[\]】﹞〗)）]", r"〔\1〕", t)  # 聊政发[2020]3号 → 聊政发〔2020〕3号
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    t = re.sub(r"\s*〔\s*(\d{4})\s*〕\s*(\d+)\s*号", r"〔\1〕\2号", t)  # 聊政办字 〔2020〕 28 号 → 聊政办字〔2020〕28号
    # years written digit by digit: 二〇二〇年 → 2020年
    t = re.sub(rf"[{N.ZEROS}{N.WHITE_CIRCLE}{N.DIGITS}]{{4}}(?=年)", lambda m: N.spelled_digits(m[0]), t)
    # months, days, counts, amounts, ordinals: 三月五日, 三千元, 十五个工作日, 第三条
    units = "|".join(re.escape(u) for u in language().units if not u[0].isascii())
    t = re.sub(rf"[{_CN_NUM}][{_CN_NUM}{N.BIG_UNITS}]*(?=(?:万|亿)?(?:{units}))",
               lambda m: str(N.cn_number(m[0])), t)
    t = re.sub(rf"(?<=第)[{_CN_NUM}]+", lambda m: str(N.cn_number(m[0])), t)
    t = re.sub(r"(?<![\d.])0+(?=[1-9]\d?[月日])", "", t)  # 03月05日 → 3月5日
    return t


# ---------------------------------------------------------------- figures

@dataclass(frozen=True)
class Figure:
    kind: str  # docnum | date | number | department
    shown: str  # as written (after normalisation)
    key: object  # what must match: a string, a date tuple, or (value, unit)


_DOCNUM = re.compile(r"([\u4e00-\u9fff]{2})〔(\d{4})〕(\d+)号")
_DATE = re.compile(r"(?<!\d)(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?|(?<![\d年])(\d{1,2})月(\d{1,2})日|(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万|亿)?")
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}[.、．)）]|[（(]\d{1,2}[)）]|\d{1,2}\s+)")


def figures(text: str) -> list[Figure]:
    """The 文号, dates, numbers (with their unit) and named departments of an Arabic-numeral text."""
    lang = language()
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(span: tuple[int, int]) -> bool:
        return not any(span[0] < e and s < span[1] for s, e in taken)

    for m in _DOCNUM.finditer(text):
        found.append(Figure("docnum", m[0], f"{m[1]}〔{m[2]}〕{int(m[3])}号"))
        taken.append(m.span())
    for m in _DATE.finditer(text):
        if not free(m.span()):
            continue
        if m[1]:
            key = (int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
        elif m[4]:
            key = (None, int(m[4]), int(m[5]))
        else:
            key = (int(m[6]), int(m[7]), int(m[8]))
        found.append(Figure("date", m[0], key))
        taken.append(m.span())
    for m in _NUMBER.finditer(text):
        if not free(m.span()):
            continue
        try:
            value = Decimal(m[1]) * (10_000 if m[2] == "万" else 100_000_000 if m[2] == "亿" else 1)
        except InvalidOperation:
            continue
        rest = text[m.end():]
        unit = next((u for u in lang.units if rest.startswith(u)), None)
        found.append(Figure("number", m[0] + (unit or ""), (value.normalize(), unit)))
        taken.append(m.span())
    found += [Figure("department", d, d) for d in departments(text)]
    return found


def departments(text: str) -> list[str]:
    """Named departments: a department suffix and the two Han characters before it (民政局)."""
    lang = language()
    out: list[str] = []
    i = 0
    while i < len(text):
        suffix = next((s for s in lang.department_suffixes if text.startswith(s, i)), None)
        if suffix is None:
            i += 1
            continue
        end = i + len(suffix)
        name = text[max(0, i - 2):end]
        if (i >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", name)
                and not any(_covers(text, w, i, end) for w in lang.not_departments) and name not in out):
            out.append(name)
        i = end
    return out


def _covers(text: str, word: str, start: int, end: int) -> bool:
    """Whether an occurrence of `word` in text overlaps [start, end)."""
    for m in re.finditer(re.escape(word), text[max(0, start - len(word)):end + len(word)]):
        s = max(0, start - len(word)) + m.start()
        if s < end and start < s + len(word):
            return True
    return False


def present(fig: Figure, source: str, source_figures: list[Figure]) -> bool:
    """Whether the figure occurs in the source (an Arabic-numeral text and its figures)."""
    if fig.kind in ("docnum", "department"):
        return fig.key in source if fig.kind == "department" else any(
            f.kind == "docnum" and f.key == fig.key for f in source_figures) or fig.shown in source
    if fig.kind == "date":
        y, mo, d = fig.key
        for f in source_figures:
            if f.kind != "date":
                continue
            fy, fmo, fd = f.key
            if (y is None or y == fy) and (mo is None or mo == fmo) and (d is None or d == fd):
                return True
        return False
    value, unit = fig.key
    for f in source_figures:
        if f.kind == "number" and f.key[0] == value and (unit is None or f.key[1] is None or f.key[1] == unit):
            return True
        if f.kind == "date" and unit in (None, "年", "月", "日") and value in {Decimal(x) for x in f.key if x is not None}:
            return True  # 2020 or 3月 said of a date the source gives
    return False


# ---------------------------------------------------------------- sentences

def split_sentences(text: str) -> list[str]:
    """Sentences with the [n] markers that follow them; a lead-in ending in ：joins the next one."""
    pieces: list[str] = []
    for line in text.splitlines():
        line = _ENUMERATOR.sub("", line)  # "1. " / "（2）" list numbers are not figures
        for m in re.finditer(r"[^。！？!?；;]+(?:[。！？!?；;]+|$)(?:\s*\[\d{1,2}\])*", line):
            piece = m[0].strip()
            if not piece:
                continue
            if _MARKER.sub("", piece).strip(" 。！？!?；;，,") == "" and pieces:
                pieces[-1] += piece  # markers alone: they belong to the sentence before
            else:
                pieces.append(piece)
    merged: list[str] = []
    for p in pieces:
        if merged and is_lead_in(merged[-1].rstrip()):
            merged[-1] += p
        else:
            merged.append(p)
    return [s for s in merged if re.search(r"[\u4e00-\u9fff\w]", _MARKER.sub("", s))]


def is_refusal_sentence(sentence: str) -> bool:
    return any(cue in sentence for cue in language().refusal_cues)


def check_answer(text: str, passages: dict[int, str]) -> CheckResult:
    """Check a model's answer against the passages it was given ({n: text as the model saw it})."""
    sentences = split_sentences(text or "")
    if not sentences:
        return CheckResult(False, EMPTY, "the model wrote nothing")
    markers = [int(n) for n in _MARKER.findall(text)]
    first_refuses = is_refusal_sentence(sentences[0])
    if first_refuses and (not markers or len(sentences) == 1):
        return CheckResult(True, refusal=True)
    if not markers and any(is_refusal_sentence(s) for s in sentences):
        return CheckResult(True, refusal=True)
    unknown = sorted({n for n in markers if n not in passages})
    if unknown:
        return CheckResult(False, UNKNOWN_CITATION, ", ".join(f"[{n}]" for n in unknown))
    sources = {n: arabic(p) for n, p in passages.items()}
    source_figures = {n: figures(t) for n, t in sources.items()}
    checked: list[SentenceCheck] = []
    failure: tuple[str, str] | None = None
    for s in sentences:
        cites = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(s)))
        refusal = is_refusal_sentence(s)
        body = arabic(_MARKER.sub("", s))
        figs = figures(body)
        # a sentence that says something is not there may go uncited; its figures must still be in some passage
        against = cites or (tuple(passages) if refusal else ())
        source = "\n".join(sources[n] for n in against)
        source_figs = [f for n in against for f in source_figures[n]]
        missing = tuple(f.shown for f in figs if not present(f, source, source_figs))
        checked.append(SentenceCheck(s, cites, tuple(f.shown for f in figs), missing, refusal))
        if failure is None and not cites and not refusal:
            failure = (UNCITED_SENTENCE, _clip(s))
        elif failure is None and missing:
            failure = (FIGURE_NOT_IN_SOURCE, "、".join(missing))
    if failure:
        return CheckResult(False, failure[0], failure[1], sentences=checked)
    return CheckResult(True, sentences=checked)


def figures_in_sources(text: str, sources: dict[int, str]) -> tuple[int, int]:
    """For any answer shown (extractive or generated): how many sentences hold figures, and how many
    of those have all their figures in the sources they cite (every source, for a sentence without [n])."""
    arabic_sources = {n: arabic(t) for n, t in sources.items()}
    source_figures = {n: figures(t) for n, t in arabic_sources.items()}
    with_figures = ok = 0
    for s in split_sentences(text or ""):
        figs = figures(arabic(_MARKER.sub("", s)))
        if not figs:
            continue
        cites = [n for n in dict.fromkeys(int(x) for x in _MARKER.findall(s)) if n in sources] or list(sources)
        source = "\n".join(arabic_sources[n] for n in cites)
        source_figs = [f for n in cites for f in source_figures[n]]
        with_figures += 1
        ok += all(present(f, source, source_figs) for f in figs)
    return with_figures, ok


def _clip(s: str, n: int = 30) -> str:
    return s if len(s) <= n else s[:n] + "…"
