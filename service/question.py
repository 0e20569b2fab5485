"""What a question asks for: its intent, its key terms, the kind of figure it wants, follow-ups."""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.lexical import tokenize
from indexer.text import normalize_docnum, normalize_for_index

# Words that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = {
    "多少", "几", "什么", "怎么", "怎么办", "如何", "怎样", "哪些", "哪个", "哪里", "哪", "吗", "呢", "吧", "请问", "是否", "有没有",
    "有", "没有", "我", "我家", "我们", "想", "要", "能", "可以", "需要", "是", "的", "了", "在", "和", "与", "政府", "聊城", "聊城市",
    "市", "规定", "什么时候", "何时", "时候", "哪年", "多久", "谁", "部门", "单位", "负责", "情况", "一下", "一般", "现在", "目前",
    "那", "那么", "这个", "该", "文件", "讲", "说", "内容", "标准", "给", "对", "会", "都", "还", "补贴", "政策",
    "几次", "几年", "几天", "几个", "几项", "多长时间", "多长", "还要", "还能", "拿到", "提到", "那阵子", "行不行",
    "合理", "不", "啥", "咋", "咋办", "么", "嘛", "呀", "啊", "么样", "得", "能不能", "可不可以", "是不是", "要不要",
    "到底", "具体", "哪儿", "多", "最多", "最少", "至少", "一共", "总共", "打算", "准备", "今年", "去年", "里", "上",
}

FIGURE_RE = re.compile(r"\d[\d.,，]*\s*(%|％|元|万元|亿元|万|亿|个|人|家|所|处|张|次|年|天|日|月|小时|公里|平方米|亩|吨|项|条|户|座|名|倍|分)")
DATE_RE = re.compile(r"\d{4}年(\d{1,2}月)?(\d{1,2}日)?|\d{1,2}月\d{1,2}日|(年|月)底前|之日起")
# a responsibility note names the department outright; a bare 负责 only hints at one
DEPT_NOTE_RE = re.compile(r"[（(](牵头单位|责任单位|负责单位)[：:][^）)]*[）)]|[（(]市[^（）()]{1,20}负责[）)]")
DEPT_RE = re.compile(DEPT_NOTE_RE.pattern + r"|负责")
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


def content_terms(question: str) -> list[str]:
    toks = [t for t in tokenize(normalize_for_index(question)) if t not in QUESTION_WORDS]
    return list(dict.fromkeys(toks))


_MONEY_RE = re.compile(r"\d[\d.,，]*\s*(元|万元|亿元)")
_DURATION_RE = re.compile(r"[\d一二两三四五六七八九十百半]+\s*(个)?(工作日|日|天|周|个月|月|年|小时)|每(年|季度|月|周|半年)|[年月]底前|及时|立即|当日|当天")
_MONEY_PCT_RE = re.compile(_MONEY_RE.pattern + r"|\d[\d.]*\s*[%％]")
_MEASURE_RE = re.compile(r"多少(个|家|人|项|所|处|张|次|名|座|条|户|亩|吨|公里|天|年|倍)|几(个|家|人|项|所|处|张|次|名|座|条|户|天|年|倍)")


def expected_figure(question: str) -> re.Pattern | None:
    """What a figure answer must contain: money for 多少钱/奖励/费; the measure word asked for; else any figure."""
    if re.search(r"多少钱|每.{0,3}多少元", question):
        return _MONEY_RE
    if re.search(r"费(?!用)|[^融属]金(?!融|属)|价格|奖励|补贴|补助|罚款|资金|奖补|收费", question) and re.search(r"多少|几|多高|标准", question):
        return _MONEY_PCT_RE
    if re.search(r"多久|多长时间|几天|多少天|几个月|几年", question):
        return _DURATION_RE
    m = _MEASURE_RE.search(question)
    if m:
        unit = m.group(1) or m.group(2)
        # 个 is the general classifier: "多少个基站" is answered by "建成5G基站1500处"
        unit = _COUNT_CLASSIFIERS if unit in _COUNT_CLASSIFIERS_SET else unit
        return re.compile(rf"[\d一二两三四五六七八九十百千万][\d.,，]*\s*(多)?(个)?({unit})")
    return None


_COUNT_CLASSIFIERS = "个|家|项|所|处|张|座|条|户|台|名|人|支|批"
_COUNT_CLASSIFIERS_SET = set(_COUNT_CLASSIFIERS.split("|"))
