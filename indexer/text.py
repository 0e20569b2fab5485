"""Pure text helpers for gazette lines: noise removal, 文号 and dates, structural markers.

Everything here works on one string at a time and knows nothing about files or documents.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。；：、！？（）《》“”‘’【】〔〕"

# 文号: issuer abbreviation, year in any bracket, number, 号. The prefix is 2–12 CJK characters.
_OPEN = r"[〔［\[【(（]"
_CLOSE = r"[〕］\]】)）]"
DOCNUM_RE = re.compile(
    rf"(?P<prefix>[{CJK}]{{2,12}}?)\s*{_OPEN}\s*(?P<year>\d{{4}})\s*{_CLOSE}\s*(?P<num>\d{{1,4}})\s*号"
)
# 令: 聊城市人民政府令第46号
DECREE_RE = re.compile(rf"(?P<issuer>[{CJK}]{{2,20}}令)\s*第\s*(?P<num>\d{{1,4}})\s*号")
# The masthead's publication licence looks like a 文号 and is not one.
NOT_DOCNUM_PREFIXES = ("刊号", "准字", "聊新出准字")

DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_LINE_RE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
# Dates in Chinese numerals, as signed documents print them: 二〇一二年一月九日, 二○一二年十二月三十一日.
# The year's zero comes as 〇 (U+3007), ○ (U+25CB, a white circle), 零, or a Latin O in bad conversions.
_CN_YEAR_DIGIT = "〇○零OoＯ一二三四五六七八九"
CN_DATE_RE = re.compile(rf"([{_CN_YEAR_DIGIT}]{{4}})\s*年\s*([一二三四五六七八九十]{{1,3}})\s*月\s*([一二三四五六七八九十]{{1,4}})\s*日")
CN_DATE_LINE_RE = re.compile(rf"^\s*{CN_DATE_RE.pattern}\s*$")
SENTENCE_END = "。！？；：…”’）)」』"
MOVED_TO_RE = re.compile(r"[（(]\s*下\s*转\s*第\s*(\d+)\s*页\s*[)）]")
MOVED_FROM_RE = re.compile(r"[（(]\s*上\s*接\s*第\s*(\d+)\s*页\s*[)）]")

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def clean_line(line: str) -> str:
    """One printed line with conversion noise removed: Markdown, bold, bullets, LaTeX, odd spaces."""
    return space_article_number(squeeze_cjk_spaces(strip_markup(line)))


def space_article_number(s: str) -> str:
    """Keep the printed space after an article number: "第十二条 退役军人事务部门…"."""
    return re.sub(r"^(第[〇零一二三四五六七八九十百两]+条)(?=\S)", r"\1 ", s)


def strip_markup(line: str) -> str:
    """Markdown headings, bold, bullets and LaTeX removed; spacing kept (the TOC needs it)."""
    s = line.replace("\u3000", " ").replace("\xa0", " ").rstrip()
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
    """The normalised 文号 found in `text` (no spaces, 〔〕 brackets), or None."""
    m = DECREE_RE.search(text)
    if m:
        return f"{strip_spaces(m['issuer'])}第{m['num']}号"
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


def _cn_year(s: str) -> int:
    return int("".join(str(_CN_DIGITS.get(ch, 0)) for ch in s))  # ○ and O are no keys: they read as 0 too


def iso_date(text: str) -> str | None:
    """The first date in `text` as ISO: 2012年1月9日, or in Chinese numerals 二○一二年一月九日."""
    m = DATE_RE.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = CN_DATE_RE.search(text)
        if not m:
            return None
        y, mo, d = _cn_year(m[1]), cn_number(m[2]), cn_number(m[3])
        if mo is None or d is None:
            return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_date_line(line: str) -> bool:
    """A line that is a date and nothing else (a signature's date), in Arabic or Chinese numerals."""
    return bool(DATE_LINE_RE.match(line) or CN_DATE_LINE_RE.match(line))


def ends_sentence(s: str) -> bool:
    return bool(s) and s[-1] in SENTENCE_END


def is_lead_in(s: str) -> bool:
    """A line that introduces what follows it: "市人民政府决定，任命：", "主要任务如下："."""
    return s.endswith(("：", ":"))


def has_punctuation(s: str) -> bool:
    return any(ch in "，。；：！？,;:" for ch in s)


def cn_number(s: str) -> int | None:
    """二十三 → 23, 十 → 10, 一百零二 → 102. None when s is not a Chinese numeral."""
    if not s or any(ch not in _CN_DIGITS and ch not in "十百" for ch in s):
        return None
    total, current = 0, 0
    for ch in s:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}


def cn_integer(s: str) -> int:
    """A Chinese numeral as an int, characters that are none read as nothing: 十五 → 15,
    二十六 → 26, 三千 → 3000, 一百二十 → 120, 两万 → 20000, ○ → 0."""
    total = section = digit = 0
    for c in s:
        if c in _CN_DIGITS or c == "○":
            digit = _CN_DIGITS.get(c, 0)
        elif c in _CN_SMALL_UNITS:
            section += (digit or 1) * _CN_SMALL_UNITS[c]
            digit = 0
        elif c in _CN_BIG_UNITS:
            total += (section + digit) * _CN_BIG_UNITS[c]
            section = digit = 0
    return total + section + digit


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
