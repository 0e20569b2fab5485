"""Patterns of the gazettes' sentences: what a sentence holds that answers each kind of question.

The question's side (cue words, question words) is in vocabulary.py and is read by question.py;
these are matched against the sentences of retrieved paragraphs (evidence.py, answer.py,
answer_writing.py), and expected_figure picks among the figure patterns.
"""
from __future__ import annotations

import re

from indexer.numerals import COUNT_NUMERALS

from . import vocabulary as V

# a figure in digits with its unit ("30%", "1500处"); a count in words with its measure word ("三个", "两年")
FIGURE_RE = re.compile(r"\d[\d.,，]*\s*(%|％|元|万元|亿元|万|亿|个|人|家|所|处|张|次|年|天|日|月|小时|公里|平方米|亩|吨|项|条|户|座|名|倍|分)")
CN_FIGURE_RE = re.compile(rf"[{COUNT_NUMERALS}]+[个家人项所处张次名座年天倍]")
# a table's cell that is a number alone ("396.3", "0.8左右", ">95"): its unit is in the row's name or
# the header ("常住人口城镇化率(%)", "2025年"), so such a cell states a figure, unless its column
# only numbers or weighs the rows (V.TABLE_ORDINAL_HEADERS: 序号 6, 权重分值 8)
NUMERIC_CELL_RE = re.compile(r"[<>≥≤＞＜约]?\s*\d[\d.,，]*\s*(?:%|％)?\s*(?:左右|以上|以下|以内)?")
TABLE_ORDINAL_HEADER_RE = re.compile(V.TABLE_ORDINAL_HEADERS)


def _time_limit(units: str) -> str:
    """A limit counted in these units: "30个工作日内", "十五日内"."""
    return rf"[\d{COUNT_NUMERALS}]+\s*个?(?:{units})内"


# a date (a year, perhaps with month and day, or a month and day), a deadline ("年底前", "之日起"),
# or a time limit: what answers "什么时候/最晚什么时候" ("通知印发后30个工作日内")
DATE_OR_TIME_LIMIT_RE = re.compile(rf"\d{{4}}年(\d{{1,2}}月)?(\d{{1,2}}日)?|\d{{1,2}}月\d{{1,2}}日|(年|月)底前|之日起|{_time_limit('工作日|日|天|周|月')}")
# a date to the day, or a limit in days; the gazettes write 日 (a 号 would be a 文号's or a decree's)
DAY_DATE_RE = re.compile(rf"\d{{1,2}}\s*日|之日起|当[日天]|{_time_limit('工作日|日|天')}")
# a responsibility note names the department outright; a bare 负责 only hints at one
DEPT_NOTE_RE = re.compile(r"[（(](牵头单位|责任单位|负责单位)[：:][^）)]*[）)]|[（(]市[^（）()]{1,20}负责[）)]")
DEPT_RE = re.compile(DEPT_NOTE_RE.pattern + r"|负责")
# a sentence that names who did or became something: "夏章勇为…院长", "市长张百顺主持会议"
# a telephone number: an area code and number, a mobile number, or a public hotline; a street address
PHONE_RE = re.compile(r"(?<![\d.])(?:0\d{2,3}[-—－]?\d{7,8}|1[3-9]\d{9}|12345|12315|12333|12348|12369|110|119|120|122)(?![\d.])")
ADDRESS_RE = re.compile(r"[\u4e00-\u9fff]{1,10}(?:路|街|大道|大街|巷)(?:\d+号)?|\d+号(?:楼|院)?")
PERSON_RE = re.compile(r"[\u4e00-\u9fff]{2,4}为[\u4e00-\u9fff（）()]{2,}|任命|免去|主持|出席|参加|讲话|带队|带领|率领|率[^，。；]{0,8}[团队组]|致辞|会见|代表|调研|考察|视察|督导|邀请|专家|来聊")
REMOVAL_RE = re.compile(r"[\u4e00-\u9fff]{2,4}的[\u4e00-\u9fff（）()、]{2,}职务")  # 免去：伦炜的…主任职务
APPOINTMENT_RE = re.compile(rf"^{V.NAME_LIST}为[\u4e00-\u9fff（）()]{{2,}}")  # 任命：马新明为…副局长
VALIDITY_RE = re.compile(r"起(施行|执行|实施)|之日起|有效期(至|为|到)|同时废止|停止执行|不再执行")
PROCEDURE_RE = re.compile(r"申请|办理|提交|提供|受理|审核|审批|登记|程序|流程|材料|凭")

# The figure a question wants (question.expected_figure): money, money or a rate, a duration, or a
# count in the asked measure word.
MONEY_RE = re.compile(r"\d[\d.,，]*\s*(元|万元|亿元)")
MONEY_OR_PERCENT_RE = re.compile(MONEY_RE.pattern + r"|\d[\d.]*\s*[%％]")
# "多久…一次" is answered by how often: 每季度, 按月 ("按月调度"), 月调度 ("月调度机制"), 每月一调度
DURATION_RE = re.compile(rf"[\d{COUNT_NUMERALS}半]+\s*(个)?(工作日|日|天|周|个月|月|年|小时)|[每按](年|半年|季度|季|月|旬|周)|[年季月周]调度"
                         r"|[年月]底前|及时|立即|当日|当天")


def counted_figure_re(units: str) -> re.Pattern:
    """A figure in digits or words counted in one of these units ("1500处", "三个", "20多家")."""
    return re.compile(rf"[\d{COUNT_NUMERALS}][\d.,，]*\s*(多)?(个)?({units})")
