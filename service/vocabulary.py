"""Language data of questions: question words, intent cues, classifiers, everyday words.

Plain data only; the logic that uses it lives in question.py and evidence.py. The patterns of the
gazettes' sentences are in patterns.py, Chinese numerals in indexer/numerals.py. The everyday-word
lexicon is the file data/colloquial.tsv, so it can grow without touching code.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from indexer.numerals import COUNT_NUMERALS
from indexer.paragraphs import EMBEDDED_SUFFIXES

# Words that say what kind of answer is wanted, or who asks, not what the question is about
# (words with an interrogative character, INTERROGATIVE_CHARS below, need no entry).
QUESTION_WORDS = frozenset("""
多少 几 如何 怎样 吧 请问 是否 有没有 有 没有 我 我家 我们 想 要 能 可以 需要 是 的 了 在 和 与
政府 市 规定 何时 时候 多久 部门 单位 负责 情况 一下 一般 现在 目前 那 这个 该 文件 讲 说 内容 标准
给 对 会 都 还 政策 几次 几年 几天 几个 几项 多长时间 多长 还要 还能 拿到 提到 那阵子 行不行 合理 不
嘛 呀 啊 得 能不能 可不可以 是不是 要不要 到底 具体 多 最多 最少 至少 一共 总共 打算 准备 今年 去年 里
上 家里 俺 咱 咱们 听说 知道 问问 问 一个 个 管不管 多大 又 那位 这位 才行
""".split())

# An A-not-A question ("要不要先批", "能不能领", "有没有补贴", "可不可以"): jieba cuts it in several
# ways (要/不要), so it is removed from the text before the key terms are taken.
A_NOT_A = r"可不可以|([\u4e00-\u9fff])[不没]\1"

# A token holding one of these characters asks rather than names ("啥时候", "为啥", "咋样", "哪天",
# "谁家"): question phrasing, whether or not it is listed above.
INTERROGATIVE_CHARS = "啥咋哪谁吗呢么"

# The corpus' home city is a place, but naming it narrows nothing inside its own gazette.
HOME_WORDS = frozenset({"聊城", "聊城市", "本市", "我市", "全市", "咱市"})

# Documents of a central body apply everywhere (service/scope.py). An issuer is a central body when
# it names no place of the division table and starts with one of NATIONAL_ISSUER_OPENERS
# (国务院办公厅, 国家税务总局, 中国人民银行), or ends with one of CENTRAL_BODY_ENDINGS without
# opening with a local level (民政部, 海关总署; not 市委组织部, 县财政局); or its 文号 opens with
# one of NATIONAL_DOCNUM_OPENERS (国发〔2016〕15号, 国令第699号). 国家税务总局聊城市税务局 names a
# place: a local office of a central body.
NATIONAL_ISSUER_OPENERS = ("国务院", "中华人民共和国", "中共中央", "中央", "全国人民代表大会", "全国人大", "国家", "中国",
                           "最高人民法院", "最高人民检察院")
CENTRAL_BODY_ENDINGS = ("部", "总局", "总署")
LOCAL_ISSUER_OPENERS = ("省", "市", "县", "区", "州", "盟", "旗", "镇", "乡", "街道", "本")
NATIONAL_DOCNUM_OPENERS = ("国发", "国办发", "国办函", "国函", "国令", "国务院令", "中发", "中办发")

# Intent cues: which kind of fact a question asks for.
# ("哪几家医院" asks which ones, not how many)
FIGURE_CUES = r"多少|(?<!哪)几[个年天岁项家所处次名]?|多大|多高|比例|金额|标准是|多长|多久"
# The period a figure is counted over: what a question asks ("一个月能领多少") and what a clause
# states ("每人每年4500元"). An answer notes when they differ rather than leave the citizen to notice.
PERIOD_CUES = {
    "月": r"每月|一个月|每个月|一月|月均|按月",
    "年": r"每年|一年|全年|年均|按年",
}
PERIOD_NAMES = {"月": "每月", "年": "每年"}
DATE_CUES = r"什么时候|啥时候|何时|哪天|哪一天|哪年|哪一年|几月|日期|截止|施行|生效|有效期"
# a date to the day: "哪天开幕" is not answered by "2023年举办"
DAY_CUES = r"哪天|哪一天|几号|几月几[日号]|具体日期"
# Asking for a telephone number, or for a street address: only a number or an address answers
# these; the gazettes seldom print either, and a sentence about the topic is not one.
PHONE_CUES = r"(?:电话|号码|联系方式|手机号)(?:是)?(?:多少|啥|什么)|(?:什么|哪个|啥)(?:电话|号码)|电话号码"
ADDRESS_CUES = r"哪条路|什么路|哪条街|什么街|地址|门牌|具体位置|在哪个位置|在什么位置"
DEPARTMENT_CUES = r"哪个部门|哪些部门|哪个单位|什么部门|谁负责|牵头|找谁|负责单位|主管|哪家|谁管|归谁管|管不管"
# whether, or since / until when, a document applies: answered by its 施行 / 有效期 clause
VALIDITY_CUES = r"还有效|仍然有效|是否有效|有效吗|失效|过期|废止|施行|试行到|执行到|管到|开始(执行|实施|算)|(什么|啥)时候(开始|起)|(管|有效)(几年|多久|多长)"
# "本办法自…起施行": the sentence speaks of its own document, so the document's title is part of what it says
DOCUMENT_ANAPHORA = "本(?:实施|暂行|试行)?(?:" + "|".join((*EMBEDDED_SUFFIXES, "通知", "决定", "条例", "公告")) + ")"
# who held a post before: answered by the removal line of a 任免 notice
FORMER_HOLDER_CUES = r"原来|原先|之前|以前|前任|免去|免了|被免|卸任|调走|调哪|换成|换了"
# a person's new post: answered by the appointment line ("X为…"), not by the removal ("X的…职务");
# "标准调到了多少" asks a figure
NEW_POST_CUES = r"新任|新职|调任|调到(?!了?(?:多少|几))|调哪|调去|任命为|被任命|任什么|担任什么|接任|去哪个单位|到哪个单位"
# "调任之前在哪", "任命以前": the time before the new post, so the removal line answers it
BEFORE_NEW_POST = r"之前|以前|前"
# The former-post cues that ask for it ("原来是什么职务"), as opposed to those that state the
# removal as context ("免去李彤…以后，改任什么职务": the new post is asked).
FORMER_POST_ASKED = r"原来|原先|之前|以前|前任|原任"
# when a document was issued ("是哪天签发的", "什么时候发的文"): its date line under the signature answers it
ISSUED_CUES = r"(?:哪天|哪一天|哪年|几月|几号|什么时候|啥时候|何时)(?:签发|印发|发布|下发|发文|出台|公布|发的)|(?:签发|印发|发文|公布)(?:日期|时间)"
PROCEDURE_CUES = r"怎么办|如何|怎样|怎么|流程|程序|手续|步骤|咋办"
PERSON_CUES = r"谁|哪位|什么人|何人"
# "谁" that asks for a department, not a person; and "谁" before a verb of paying, approving or
# consenting ("钱谁出", "设立谁批", "要谁同意"), which asks which party bears a duty: the gazettes
# answer it with a party (建设单位, 水利部门), never with a person's name.
NOT_PERSON_CUES = (r"谁负责|找谁|归谁|由谁|交给谁|向谁|谁牵头|单位是谁|部门是谁|谁受理|谁管"
                   r"|谁来?(?:出|交|付|缴|掏|承担|负担|买单|批|审批|审核|同意|赔|补偿|发)")
# A 文号 plus one of these asks what the document is; a 文号 with any other question asks a detail.
DOCUMENT_CUES = r"是什么文件|什么文件|哪个文件|讲的是什么|讲什么|讲了什么|说的是什么|是关于什么|关于什么|主要内容|是啥文件|是什么$|是什么[？?]$|标题"
YES_NO_CUES = r"吗[？?]?$|能不能|可不可以|是不是|行不行|要不要|有没有|合不合|算不算"
# Where one asked clause ends and the next begins: "现在的局长是谁？原来那位呢？"
CLAUSE_BREAK = r"[？?；;]+"
MIN_CLAUSE_CHARS = 3  # shorter pieces ("好的？") ask nothing of their own
# Inside one clause a comma can separate two questions too ("是谁作的，在哪次会议上？"). A piece
# between commas asks something of its own only when it holds a question word; the others
# ("我家是低保户，…") are context for the next piece that asks.
SUBCLAUSE_BREAK = r"[，,、]"
ASKING_CUES = r"多少|几|什么|哪|谁|多久|多长|何时|啥|吗|怎么|如何|是否|能不能|要不要|有没有|行不行"
FOLLOW_UP_OPENERS = r"^(那|那么|还有|另外|如果是|要是)"
FOLLOW_UP_REFERENCES = r"这个|这项|这些|该(办法|方案|文件|政策|规定)|它|上述|此项"

# The asked slot of a question ("由哪个部门征收", "由谁担任", "从什么时候开始执行"): a sentence
# that says "由税务部门征收" fills the frame around it. Up to FRAME_CONTEXT_CHARS are kept on each
# side; a filler may be up to FRAME_GAP_CHARS long, and the kept sides must share FRAME_MIN_CHARS.
ASKED_SLOT = r"什么时候|啥时候|多长时间|哪一?[个些家种项位级类天年]?|什么|谁|多少|几[个项家次天年]?|啥|何时"
FRAME_CONTEXT_CHARS = 6
FRAME_GAP_CHARS = 30
FRAME_MIN_CHARS = 4

# Where a document defines a short name for what it just named: "（以下简称市规委会）", "（简称“全委会”）"
ABBREVIATION_DEFINITION = r"[（(](?:以下)?简称[“\"‘]?(?P<short>[^”\"’）)]{2,12})[”\"’]?[）)]"

# The document type of appointment notices, whose lines begin with the people they name:
# "齐现强为…主任；", "孟宪奇的…职务。", "狄胜涛、闫振勇为…"
APPOINTMENT_TYPE = "任免"
NAME_CHARS = (2, 4)  # a person's name: two to four characters
NAME_LIST = rf"[\u4e00-\u9fff]{{{NAME_CHARS[0]},{NAME_CHARS[1]}}}?(?:、[\u4e00-\u9fff]{{{NAME_CHARS[0]},{NAME_CHARS[1]}}}?)*"
APPOINTED_NAMES = rf"(?P<names>{NAME_LIST})(?:为|的)"

# Table columns whose numbers number or weigh the rows rather than state an indicator's value.
TABLE_ORDINAL_HEADERS = r"序号|编号|排序|权重|分值"

# A short form keeps its phrase's characters in order, at most this many apart, within one clause.
ABBREVIATION_MAX_GAP = 3
CLAUSE_PUNCTUATION = "，。；：！？,;:!?、"

# Numbers that are not an asked figure: a year or date ("2019年", "二〇一九年三月五日") and an
# ordinal ("第十二条", "第3项"). A national document admitted for another place answers a figure
# question only with a figure besides these.
NOT_ASKED_FIGURES = (r"(?:19|20)\d\d\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日"
                     rf"|[一二][{COUNT_NUMERALS}]{{3}}年(?:[{COUNT_NUMERALS}]{{1,2}}月(?:[{COUNT_NUMERALS}]{{1,3}}日)?)?"
                     rf"|第\s*[\d{COUNT_NUMERALS}]+\s*[条款项章节号次批]")
# After 第N these words make a sequence word, not the name of one session or item: "第一步要干什么"
# asks for a step, and the text need not say 第一 (unlike 第三届, 第64次, 第三人民医院).
NOT_ORDINAL_NEXT = r"步|时间|责任人|书记"
# Count classifiers: any of them answers "多少个" ("多少个基站" is answered by "1500处").
COUNT_CLASSIFIERS = ("个", "家", "项", "所", "处", "张", "座", "条", "户", "台", "名", "人", "支", "批")
MEASURE_WORDS = COUNT_CLASSIFIERS + ("次", "亩", "吨", "公里", "天", "年", "倍")
# "多少人", "几次": the count asked for, whose measure word is the wanted figure's unit, not a topic;
# removed before cutting, so that "多少人才行" does not yield 人才.
COUNT_ASKED = "(?:多少|几)(?:" + "|".join(MEASURE_WORDS) + ")"
# "多少家上市公司": what a count asks about, the words after its classifier ("哪几个部门" asks which, not
# how many). The figure that answers it names them: "高新技术企业达到400家" does not count 上市公司.
COUNTED_THING = ("(?<!哪)(?:多少|几)(?:" + "|".join(COUNT_CLASSIFIERS + ("件", "笔", "辆", "套", "部", "种", "类", "位", "栋"))
                 + r")(?P<thing>[\u4e00-\u9fff]{2,12})")
COUNTED_THING_TOKENS = 2  # its first words: the rest is often the verb that follows ("小区要移交给…")
# "从啥时候开始算", "什么时候开始执行": asks when, as a question word does; the answer says "自…起施行"
# or "自…起调整", so 开始 and 执行 are not words the evidence must hold.
WHEN_ASKED = r"(?:什么|啥)时候(?:开始|起)(?:算|执行|实施|施行)?|开始(?:算|执行|实施)"
# What a count written in words may count ("两年", "三个月", "十五天"): the gazettes often write it in digits.
COUNTED_UNITS = MEASURE_WORDS + ("月", "周", "日", "岁", "小时", "工作日")
MONEY_UNITS = ("元", "万元", "亿元")
MONEY_CUES = r"多少钱|每.{0,3}多少元|多少[万亿]?元|多少[万亿](?!人)"
MONEY_TOPIC_CUES = r"费(?!用)|[^融属]金(?!融|属)|价格|奖励|补贴|补助|罚款|资金|奖补|收费|工资|钱"
DURATION_CUES = r"多久|多长时间|几天|多少天|几个月|几年|多少个工作日|几个工作日"

# With a 文号, a question made of these words only asks what the document is.
DOCUMENT_WORDS = frozenset("工作 措施 哪些 印发了 方面 类 性质 名字 叫 文件 规章 办法 公布 印发 发布 标题 名称 题目 通知 意见 方案 规定 内容 主要 讲 关于 哪 什么 是 的 啥 号 发的 哪个 部门 单位 发文".split())

# Time words a question may use for "per period" amounts; the gazette may state another period.
PERIODS = ("每月", "每年", "每人每月", "每人每年", "月", "年")

LEXICON_FILE = Path(__file__).parent / "data" / "colloquial.tsv"


@lru_cache(maxsize=1)
def colloquial_lexicon() -> dict[str, tuple[str, ...]]:
    """Everyday word → the gazettes' terms for it, from data/colloquial.tsv."""
    out: dict[str, tuple[str, ...]] = {}
    for line in LEXICON_FILE.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, official = line.partition("\t")
        terms = tuple(t.strip() for t in official.split("|") if t.strip())
        if word.strip() and terms:
            out[word.strip().lower()] = terms
    return out
