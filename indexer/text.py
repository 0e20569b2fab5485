"""Pure text helpers for gazette lines: noise removal, 文号 and dates, structural markers.

Everything here works on one string at a time and knows nothing about files or documents.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .numerals import HEADING_NUMERALS, MONTH_DAY_NUMERALS, YEAR_DIGITS, cn_number, spelled_digits

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。；：、！？（）《》“”‘’【】〔〕"

# 文号: issuer abbreviation, year in any bracket, number, 号. The prefix is 2–12 CJK characters.
_OPEN = r"[〔［\[【(（]"
_CLOSE = r"[〕］\]】)）]"
DOCNUM_RE = re.compile(
    rf"(?P<prefix>[{CJK}]{{2,12}}?)\s*{_OPEN}\s*(?P<year>\d{{4}})\s*{_CLOSE}\s*(?P<num>\d{{1,4}})\s*号"
)
# 令 numbers cited under several names. Each row: the name the index keys a number under, the
# spellings it is cited by (read as the end of the words before 第N号, so "请问国务院令第699号"
# is 国令 too), and the organ that issues it. A city's own 令 keeps its full name (聊城市人民政府令第46号).
DECREE_NAMES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("国令", ("中华人民共和国国务院令", "国务院令", "国令"), "国务院"),
    ("主席令", ("中华人民共和国主席令", "国家主席令", "主席令"), "中华人民共和国主席"),
)
# 令: 聊城市人民政府令第46号, 国务院令（第699号）, and 国令第699号 (a name of one character before 令)
_DECREE_ISSUER = "|".join([rf"[{CJK}]{{2,20}}令", *(n for n, _, _ in DECREE_NAMES if len(n) == 2)])
DECREE_RE = re.compile(
    rf"(?P<issuer>{_DECREE_ISSUER})\s*(?P<open>[（(〔])?\s*第\s*(?P<num>\d{{1,4}})\s*号(?(open)\s*[)）〕])"
)
# The state's name before a ministry's 令 is optional in citations: 中华人民共和国公安部令 = 公安部令.
STATE_NAME = "中华人民共和国"
# The masthead's publication licence looks like a 文号 and is not one.
NOT_DOCNUM_PREFIXES = ("刊号", "准字", "聊新出准字")

# A date in Arabic numerals, to the day: 2012年1月9日 (year, month, day groups).
ARABIC_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ARABIC_DATE_LINE_RE = re.compile(rf"^\s*{ARABIC_DATE_RE.pattern}\s*$")
# Dates in Chinese numerals, as signed documents print them: 二〇一二年一月九日, 二○一二年十二月三十一日
# (the year's zero in any of its lookalikes, numerals.CN_ZERO_LOOKALIKES).
CN_DATE_RE = re.compile(rf"([{YEAR_DIGITS}]{{4}})\s*年\s*([{MONTH_DAY_NUMERALS}]{{1,3}})\s*月\s*([{MONTH_DAY_NUMERALS}]{{1,4}})\s*日")
CN_DATE_LINE_RE = re.compile(rf"^\s*{CN_DATE_RE.pattern}\s*$")
# A date in either numeral style, as a pattern to build other patterns from (no groups of its own).
ANY_DATE = (
    r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    rf"|[{YEAR_DIGITS}]{{4}}\s*年\s*[{MONTH_DAY_NUMERALS}]{{1,3}}\s*月\s*[{MONTH_DAY_NUMERALS}]{{1,4}}\s*日)"
)
# How a document says whether it is published, on the line under its signature and date (or at the
# end of the date line itself): "（此件公开发布）". Not part of the date; not a sentence of the text.
PUBLICITY_NOTES = (
    "此件公开发布",
    "此件主动公开",
    "此件依申请公开",
    "此件删减后公开",
    "此件不予公开",
    "此件不公开",
)
PUBLICITY_NOTE_RE = re.compile(
    r"[（(]\s*(?:" + "|".join(sorted(map(re.escape, PUBLICITY_NOTES), key=len, reverse=True)) + r")\s*[)）]"
)
SENTENCE_END = "。！？；：…”’）)」』"
MOVED_TO_RE = re.compile(r"[（(]\s*下\s*转\s*第\s*(\d+)\s*页\s*[)）]")
MOVED_FROM_RE = re.compile(r"[（(]\s*上\s*接\s*第\s*(\d+)\s*页\s*[)）]")

# Zero-width characters a web page leaves in copied text ("\u200b二○一五年…" is still a date line).
_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def clean_line(line: str) -> str:
    """One printed line with conversion noise removed: Markdown, bold, bullets, LaTeX, odd spaces."""
    return space_article_number(squeeze_cjk_spaces(strip_markup(line)))


def space_article_number(s: str) -> str:
    """Keep the printed space after an article number: "第十二条 退役军人事务部门…"."""
    return re.sub(rf"^(第[{HEADING_NUMERALS}]+条)(?=\S)", r"\1 ", s)


def strip_markup(line: str) -> str:
    """Markdown headings, bold, bullets and LaTeX removed; spacing kept (the TOC needs it)."""
    s = _ZERO_WIDTH_RE.sub("", line).replace("\u3000", " ").replace("\xa0", " ").rstrip()
    s = re.sub(r"^\s*#{1,6}\s*", "", s)  # Markdown headings: never structure, only noise
    s = re.sub(r"^\s*[-*]\s+", "", s)  # bullets
    s = s.replace("**", "")
    s = re.sub(r"\$\s*\\frac\{([^}]*)\}\{([^}]*)\}\s*\$", r"\1/\2", s)
    s = re.sub(r"\$\s*([^$]{1,40}?)\s*\$", r"\1", s)
    return s.strip()


def squeeze_cjk_spaces(s: str) -> str:
    """Remove spaces that touch a CJK character or CJK punctuation ("的 通 知", "2019 年", "增长 3.7%")."""
    s = re.sub(rf"(?<=[{CJK}{_CJK_PUNCT}])[ \t]+(?=\S)", "", s)
    s = re.sub(rf"(?<=\S)[ \t]+(?=[{CJK}{_CJK_PUNCT}])", "", s)
    return s


def strip_spaces(s: str) -> str:
    return re.sub(r"\s+", "", s)


def normalize_docnum(text: str) -> str | None:
    """The normalised 文号 found in `text` (no spaces, 〔〕 brackets), or None.

    A 令 number is keyed under one name whatever spelling cites it: 中华人民共和国国务院令第699号,
    国务院令 第 699 号 and 国令第699号 are all 国令第699号 (DECREE_NAMES).
    """
    m = DECREE_RE.search(text)
    if m:
        return f"{decree_name(m['issuer'])}第{m['num']}号"
    m = DOCNUM_RE.search(text)
    if not m or any(p in m["prefix"] for p in NOT_DOCNUM_PREFIXES):
        return None
    return f"{_issuer_prefix(m['prefix'])}〔{m['year']}〕{m['num']}号"


# Issuing-organ abbreviations start with a place or 国 ("聊政办字", "鲁政发", "国办发"): words typed
# before them in a question ("请问聊政办字…") are not part of the 文号.
_PREFIX_ANCHORS = "聊鲁国"


def _issuer_prefix(run: str) -> str:
    k = max(run.rfind(ch) for ch in _PREFIX_ANCHORS)
    return run[k:] if k > 0 and len(run) - k >= 2 else run


def decree_name(run: str) -> str:
    """The name a 令 number is keyed under, from the words before "第N号" (spaces ignored):
    "中华人民共和国国务院令" → 国令, "请问国务院令" → 国令, "中华人民共和国公安部令" → 公安部令;
    any other name stays as it is ("聊城市人民政府令", "宁国市人民政府令")."""
    run = strip_spaces(run)
    for name, spellings, _ in DECREE_NAMES:
        if run.endswith(spellings):
            return name
    rest = run.rsplit(STATE_NAME, 1)[-1]
    return rest if len(rest) >= 3 else run


def decree_issuer(docnum: str) -> str:
    """The organ that issues a 令 number: 国令第699号 → 国务院, 聊城市人民政府令第46号 → 聊城市人民政府."""
    name = docnum.split("第")[0] if "令第" in docnum else docnum
    for canonical, _, organ in DECREE_NAMES:
        if name == canonical:
            return organ
    return name[:-1] if name.endswith("令") else name


def unbracket(s: str) -> str:
    """"（余府发〔2012〕3号）" → "余府发〔2012〕3号": a web page prints a 文号 in round brackets under the title."""
    if len(s) > 2 and s[0] in "（(" and s[-1] in "）)":
        return s[1:-1].strip()
    return s


def is_docnum_line(line: str) -> bool:
    """A line that holds a 文号 and nothing else (how a document's number is printed), bare or in round brackets."""
    s = unbracket(strip_spaces(line))
    m = DOCNUM_RE.fullmatch(s)
    return bool(m) and not any(p in m["prefix"] for p in NOT_DOCNUM_PREFIXES)


def iso_date(text: str) -> str | None:
    """The first date in `text` as ISO: 2012年1月9日, or in Chinese numerals 二○一二年一月九日."""
    m = ARABIC_DATE_RE.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = CN_DATE_RE.search(text)
        if not m:
            return None
        y, mo, d = int(spelled_digits(m[1])), cn_number(m[2]), cn_number(m[3])
        if mo is None or d is None:
            return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_date_line(line: str) -> bool:
    """A line that is a date and nothing else (a signature's date), in Arabic or Chinese numerals;
    a publicity note printed at its end ("2015年3月2日（此件公开发布）") does not change that."""
    s = without_publicity_note(line)
    return bool(ARABIC_DATE_LINE_RE.match(s) or CN_DATE_LINE_RE.match(s))


def without_publicity_note(line: str) -> str:
    """The line without a publicity note at its end: "二○一五年三月二日（此件公开发布）" → the date."""
    m = PUBLICITY_NOTE_RE.search(line)
    return line[: m.start()].rstrip() if m and not line[m.end() :].strip() else line


def ends_sentence(s: str) -> bool:
    return bool(s) and s[-1] in SENTENCE_END


def is_lead_in(s: str) -> bool:
    """A line that introduces what follows it: "市人民政府决定，任命：", "主要任务如下："."""
    return s.endswith(("：", ":"))


def has_punctuation(s: str) -> bool:
    return any(ch in "，。；：！？,;:" for ch in s)


# Memoised: answering normalises the same corpus sentences again for every question (about 90
# calls an answer, a fifth of its time outside the model); the result is a str, so sharing it is safe.
@lru_cache(maxsize=16384)
def normalize_for_index(s: str) -> str:
    """A copy of paragraph text for indexing: NFKC widths, " and " → 和, half-width punctuation made full."""
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(rf"(?<=[{CJK}])\s+and\s+(?=[{CJK}])", "和", s)
    s = re.sub(rf"(?<=[{CJK}]),|,(?=[{CJK}])", "，", s)
    s = s.replace("(", "（").replace(")", "）")
    return s


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
    return list(_sentences(text))  # a new list: callers may change theirs


@lru_cache(maxsize=4096)  # each answer splits the same retrieved paragraphs again
def _sentences(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for s in _split_outside_brackets(text):
        if not s.strip():
            continue
        note = s.startswith(("（", "(")) and bool(re.match(r"[（(](牵头|责任|配合|负责)", s) or re.search(r"负责[）)]$", s))
        if out and (note or not re.search(r"[\u4e00-\u9fff\d]", s)):
            out[-1] += s
        else:
            out.append(s)
    return tuple(out)


def sentence_key(sentence: str) -> str:
    """The part of a sentence whose vector is kept for the on-topic check: its opening says what it is about."""
    return sentence[:SENTENCE_KEY_CHARS]


SENTENCE_KEY_CHARS = 96
MIN_SENTENCE_CHARS = 6
