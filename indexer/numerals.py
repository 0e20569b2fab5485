"""Chinese numerals: their characters, and one reading of them as numbers.

The indexer reads them in dates and headings (二〇一二年一月九日, 第十二条), the service in counts
and ordinals (十五个工作日, 第三届), eval and the claim check in figures (两万元); all take the
characters and the reading from here. The character classes differ from site to site on purpose
(a date's month is never 两, a heading never 千), so they are built from the parts below.
"""
from __future__ import annotations

DIGITS = "一二三四五六七八九"
ZEROS = "〇零"  # 〇 (U+3007) and 零
WHITE_CIRCLE = "○"  # U+25CB, which print and conversions give for 〇
TWO = "两"  # 2 before a unit or a measure word: 两年, 两万
UNITS = "十百千"
BIG_UNITS = "万亿"
# A year's zero comes as 〇, ○ or 零, or, in conversions and web pages, a character that only looks
# like it: ◯ (U+25EF), Latin, full-width, Greek or Cyrillic O, a 0.
CN_ZERO_LOOKALIKES = "〇○◯零OoＯｏ0０ΟοОо"

# Character classes (to put inside [...]) shared by several modules.
YEAR_DIGITS = CN_ZERO_LOOKALIKES + DIGITS  # a year written digit by digit: 二〇一二, 二○一五
MONTH_DAY_NUMERALS = DIGITS + "十"  # a month or a day: 十二月三十一日
HEADING_NUMERALS = ZEROS + DIGITS + TWO + "十百"  # 第十二条, 第三章, 三、, （四）
COUNT_NUMERALS = ZEROS + WHITE_CIRCLE + DIGITS + TWO + "十百千万"  # counts and ordinals in questions and answers
BELOW_HUNDRED_NUMERALS = ZEROS + DIGITS + TWO + "十"  # the characters of a count below a hundred
# A count below a hundred written the usual way ("两", "十五", "三十", "二十四"), as a pattern to
# match whole: a run such as 一二 or 零十 is no such count.
BELOW_HUNDRED = rf"[{ZEROS}{DIGITS}{TWO}]|[{DIGITS}{TWO}]?十[{ZEROS}{DIGITS}{TWO}]?"

_DIGIT_VALUES = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                 "八": 8, "九": 9}
_UNIT_VALUES = {"十": 10, "百": 100, "千": 1000}
_BIG_UNIT_VALUES = {"万": 10_000, "亿": 100_000_000}


def cn_number(s: str) -> int | None:
    """A Chinese numeral as an int: 十 → 10, 二十三 → 23, 一百零二 → 102, 三千 → 3000, 两万 → 20000,
    ○ → 0; None when s is empty or holds a character that is no numeral.

    Read the way the gazettes' text needs, not checked for form: a digit before a unit multiplies
    it, a later digit replaces an earlier one (一二 → 2). Match BELOW_HUNDRED first where only a
    well-formed count will do.
    """
    if not s or any(c not in _DIGIT_VALUES and c not in _UNIT_VALUES and c not in _BIG_UNIT_VALUES for c in s):
        return None
    total = section = digit = 0
    for c in s:
        if c in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[c]
        elif c in _UNIT_VALUES:
            section += (digit or 1) * _UNIT_VALUES[c]
            digit = 0
        else:
            total += (section + digit) * _BIG_UNIT_VALUES[c]
            section = digit = 0
    return total + section + digit


def spelled_digits(s: str) -> str:
    """The digits of a number written digit by digit, as a year is: 二〇一二 → "2012"; a zero
    lookalike (○, O, 0) is 0."""
    return "".join(str(_DIGIT_VALUES.get(c, 0)) for c in s)
