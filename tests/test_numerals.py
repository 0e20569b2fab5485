"""indexer/numerals.py: one reading of Chinese numerals for the indexer, the service and eval.

The expected values are what the three parsers it replaced returned at their call sites
(indexer.text.cn_number for dates and 有效期N年, indexer.text.cn_integer for the claim check and
eval's figures, service.question.cn_number for counts in questions), so the call sites read
every numeral as before.
"""
from __future__ import annotations

import re

import pytest

from indexer.numerals import BELOW_HUNDRED, CN_ZERO_LOOKALIKES, cn_number, spelled_digits
from indexer.text import iso_date
from service.question import with_arabic_numerals


@pytest.mark.parametrize("text, value", [
    # a date's month and day, a validity's years (was indexer.text.cn_number)
    ("一", 1), ("十", 10), ("十一", 11), ("十二", 12), ("二十三", 23), ("三十一", 31), ("五十", 50), ("两", 2),
    ("一百零二", 102), ("百", 100),
    ("一二", 2), ("十十", 20),  # not checked for form: a later digit replaces an earlier one
    ("二十5", None), ("", None), ("十年", None),  # a character that is no numeral
    # figures in answers and evidence (was indexer.text.cn_integer)
    ("二十六", 26), ("两万", 20000), ("一百零五", 105), ("三千", 3000), ("一百二十", 120), ("○", 0),
    ("两亿三千万", 230_000_000), ("十五万", 150_000), ("一千零五十", 1050), ("三百五", 305),
])
def test_cn_number_reads_as_the_old_parsers_did(text, value):
    assert cn_number(text) == value


@pytest.mark.parametrize("term, written", [
    ("两年", "2年"), ("十五天", "15天"), ("二十四小时", "24小时"), ("三个月", "3个月"), ("零年", "0年"),
    ("十两年", "12年"), ("两十年", "20年"),
    ("一二年", "一二年"),  # no count below a hundred: as written
    # the one change: the old parser read 零十五 as 0×10+5; a leading 零 before 十 is no count
    ("零十五年", "零十五年"),
])
def test_a_count_below_a_hundred_in_a_question(term, written):
    assert with_arabic_numerals(term) == written


@pytest.mark.parametrize("text, whole", [("两", True), ("十", True), ("二十四", True), ("十两", True), ("一二", False),
                                         ("零十", False), ("十十", False), ("一百", False)])
def test_below_hundred_matches_only_a_well_formed_count(text, whole):
    assert bool(re.fullmatch(BELOW_HUNDRED, text)) is whole


@pytest.mark.parametrize("text, digits", [("二〇一二", "2012"), ("二○二○", "2020"), ("二O一五", "2015"), ("二零零八", "2008"),
                                          ("〇一二三", "0123")])
def test_a_year_is_read_digit_by_digit(text, digits):
    assert spelled_digits(text) == digits


def test_dates_in_chinese_numerals():
    assert iso_date("二〇一二年十二月三十一日") == "2012-12-31"
    assert iso_date("二○一五年三月二日") == "2015-03-02"
    assert iso_date("二〇一二年十三月一日") is None  # no 13th month
    assert [iso_date(f"二{z}二{z}年一月九日") for z in CN_ZERO_LOOKALIKES] == ["2020-01-09"] * len(CN_ZERO_LOOKALIKES)
