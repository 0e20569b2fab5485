"""The question parser and the language data it reads: table-driven, no model loaded."""
from __future__ import annotations

import pytest

from service.question import canonical_docnums, everyday_phrases_in, expected_figure, official_terms, parse_question, term_variants
from service.vocabulary import LEXICON_FILE, colloquial_lexicon


@pytest.mark.parametrize(
    "question, intent, why",
    [
        ("城市低保标准是多少？", "figure", "多少 asks for a figure"),
        ("办法什么时候开始施行？", "date", "什么时候 asks for a date"),
        ("这事归哪个部门管，谁负责？", "department", "哪个部门 asks for a department"),
        ("怎么申请法律援助？", "procedure", "怎么 asks for a procedure"),
        ("聊政办字[2018]76号是什么文件？", "document", "a 文号 and 是什么文件"),
        ("聊政办字〔2023〕21号是哪方面的文件？", "document", "only document words besides the 文号"),
        ("聊城市人民政府令第 46 号公布的是什么规章？", "document", "a 令 number is a 文号 too"),
        ("谁被任命为聊城市传染病医院院长？", "person", "谁 without a department cue"),
        ("能直接要过来用吗？", "yes_no", "a yes/no question"),
    ],
)
def test_intent(question, intent, why):
    assert getattr(parse_question(question).intent, intent), why


@pytest.mark.parametrize(
    "question, intent",
    [
        ("聊政办字〔2020〕28号里说分几个阶段推进？", "document"),  # a detail of a named document
        ("这事找谁负责？", "person"),  # 找谁 asks for a department
        # "谁" before a verb of paying or approving asks which party bears the duty, not for a name
        ("修路要把水文站挪走，搬迁的钱谁出？", "person"),
        ("一般水文测站设立谁批？", "person"),
        ("有条件开放的政务数据要谁同意才能开放？", "person"),
        ("5G远程会诊先在哪几家医院搞？", "figure"),  # 哪几家 asks which ones, not how many
    ],
)
def test_not_intent(question, intent):
    assert not getattr(parse_question(question).intent, intent)


@pytest.mark.parametrize(
    "question, text, matches",
    [
        ("一个月给多少钱？", "每人每月500元", True),
        ("一个月给多少钱？", "提高15%", False),
        ("要在几天内答复？", "应当在10个工作日内答复", True),
        ("一共建成多少个基站？", "建成5G基站2000个", True),
        ("一共建成多少个基站？", "新建三个", True),
        ("一共建成多少个基站？", "建成5G基站1500处", True),  # 个 stands for any classifier
        ("金融意见有效期几年？", "有效期五年", True),  # 金融 asks no money
        ("2025年GDP要达到多少亿元？", "占生产总值的比重达到40%以上", False),  # 亿元 asks for money
        ("2025年GDP要达到多少亿元？", "营业收入力争达到200亿元", True),
        ("补贴标准是多少？", "补贴比例为30%", True),  # a money topic may be answered by a percentage
    ],
)
def test_expected_figure(question, text, matches):
    assert bool(expected_figure(question).search(text)) is matches


@pytest.mark.parametrize(
    "question, years, months, ordinals, docnum",
    [
        ("2019年聊城把城市低保标准提到了多少？", ("2019",), (), (), None),
        ("我2023年3月去办的事", ("2023",), (("2023", "3"),), (), None),
        ("聊城市第三人民医院的院长是谁？", (), (), ("第三",), None),
        ("聊政发〔2023〕7号第十条讲什么？", (), (), ("第十",), "聊政发〔2023〕7号"),  # the 文号's numbers are no constraint
        ("聊城市人民政府令第46号什么时候施行？", (), (), (), "聊城市人民政府令第46号"),
        # a step or "at once" is no ordinal to match; nor is a shorter one inside it (第十一步 ≠ 第十)
        ("申请低保第一步要干什么？", (), (), (), None),
        ("第十一步是什么？发现问题第一时间报告给谁？", (), (), (), None),
        ("第三届运动会在哪办？", (), (), ("第三届",), None),
        ("聊政发2023年7号里说了啥", (), (), (), "聊政发〔2023〕7号"),  # typed without brackets
    ],
)
def test_constraints(question, years, months, ordinals, docnum):
    q = parse_question(question)
    assert (q.years, q.months, q.ordinals, q.docnum) == (years, months, ordinals, docnum)


@pytest.mark.parametrize(
    "typed, canonical",
    [
        ("聊政发2023年7号", "聊政发〔2023〕7号"),
        ("聊政办字 2018 76 号", "聊政办字〔2018〕76号"),
        ("余府发2012年3号", "余府发〔2012〕3号"),
        ("2023年7月的大事", "2023年7月的大事"),  # no issuer prefix: not a 文号
    ],
)
def test_canonical_docnums(typed, canonical):
    assert canonical_docnums(typed) == canonical


def test_everyday_words_map_to_the_gazettes_terms():
    assert "最低生活保障" in official_terms(["低保户"])  # a lexicon key inside a longer word
    assert "老年人" in official_terms(["老人"])
    assert official_terms(["水文站"]) == []
    assert "城市最低生活保障" in term_variants("城市低保")  # compounds with a synonym inside


def test_rare_terms_only_are_expanded():
    q = parse_question("我家是农村低保户，一个月能领多少钱？", is_rare=lambda t: t == "低保户")
    assert "最低生活保障" in q.expanded_query and q.expanded_query.startswith(q.query)
    plain = parse_question("我家是农村低保户，一个月能领多少钱？", is_rare=lambda t: False)
    assert plain.expanded_query == plain.query


def test_lexicon_file_is_well_formed():
    lines = [l for l in LEXICON_FILE.read_text("utf-8").splitlines() if l.strip() and not l.startswith("#")]
    assert all(l.count("\t") == 1 for l in lines), "each line: word<TAB>term|term"
    assert len(colloquial_lexicon()) == len(lines)  # no word listed twice


def test_follow_up_carries_the_previous_question():
    history = [{"role": "user", "content": "城市低保标准是多少？"}, {"role": "assistant", "content": "……"}]
    q = parse_question("那农村的呢？", history)
    assert q.query == "城市低保 那农村的呢？" and "低保" in q.terms
    assert parse_question("烈士遗属坐公交免费吗？", history).query == "烈士遗属坐公交免费吗？"


def test_a_follow_up_keeps_the_subject_but_not_what_was_asked_before():
    """"…什么时候开始施行？" then "这个办法由哪个部门负责？": 施行 must not pull the 施行 clause again."""
    history = [{"role": "user", "content": "聊城市烈士褒扬办法什么时候开始施行？"}, {"role": "assistant", "content": "……"}]
    q = parse_question("这个办法由哪个部门负责？", history)
    assert q.query == "聊城市烈士褒扬办法 这个办法由哪个部门负责？"
    assert "烈士褒扬" in q.terms and "施行" not in q.terms and "开始" not in q.terms
    assert q.intent.department and not q.intent.validity


@pytest.mark.parametrize(
    "question, clauses",
    [
        ("城里特困老人每月基本生活费多少？照料护理费又是多少？", ["城里特困老人每月基本生活费多少", "照料护理费又是多少"]),
        ("市公务员局现在的局长是谁？原来那位呢？", ["市公务员局现在的局长是谁", "原来那位呢"]),
        ("2020年的政府工作报告是谁作的，在哪次会议上？", ["2020年的政府工作报告是谁作的", "在哪次会议上"]),
        # context before the first asking piece joins it; a list inside a clause is not split
        ("那份通知，任的是谁、什么岗位、哪天发的？", ["那份通知，任的是谁", "什么岗位", "哪天发的"]),
        ("我家是低保户，一个月能领多少？", []),
        ("专利保护、打击侵权这项措施，牵头部门是哪个？", []),
        ("低保多少钱？", []),  # one clause: no parts
        ("低保多少钱？好？", []),  # a piece too short to ask anything
    ],
)
def test_question_parts(question, clauses):
    assert [p.text for p in parse_question(question).parts] == clauses


@pytest.mark.parametrize(
    "question, validity, former",
    [
        ("排污权交易试点那个暂行办法现在还有效吗？", True, False),
        ("金融产业那个意见管几年？", True, False),
        ("排污权证的有效期是几年？", False, False),  # a permit's term, not the document's
        ("这个规定从啥时候开始算？", True, False),
        ("排污权证的有效期是几年？", False, False),  # a permit's term, not the document's validity
        ("原来的局长是谁？", False, True),
        ("聊城市第二人民医院的新院长是谁？", False, False),
    ],
)
def test_validity_and_former_holder_intents(question, validity, former):
    intent = parse_question(question).intent
    assert (intent.validity, intent.former) == (validity, former)


@pytest.mark.parametrize("question, phrasing", [
    ("金融意见啥时候施行？", "啥时候"),
    ("为啥要交这个钱？", "为啥"),
    ("低保金哪天发？", "哪天"),
])
def test_interrogative_tokens_are_not_key_terms(question, phrasing):
    """A token holding 啥/咋/哪/谁/吗/呢/么 asks rather than names, listed or not."""
    from service.question import content_terms, is_interrogative

    assert is_interrogative(phrasing)
    assert not any(is_interrogative(t) for t in content_terms(question))
    assert phrasing not in content_terms(question)


@pytest.mark.parametrize("question, terms", [
    # an A-not-A question, however jieba cuts it (要/不要), gives no key term
    ("水文站搬迁要不要先批？", ("水文站", "搬迁", "先批")),
    ("可不可以网上办理？", ("网上", "办理")),
    ("有没有养老补贴？", ("养老", "补贴")),
    # the count asked for is the wanted unit: "多少人才行" must not yield 人才
    ("全委会到会要多少人才行？", ("全委会", "到")),
    ("每年至少开几次全委会？", ("每年", "开", "全委会")),
    # "从啥时候开始算" asks when; the evidence says "自…起施行", without 开始 or 算
    ("燃气配套费从啥时候开始算？", ("燃气", "配套费", "配套")),
    ("低保提标什么时候开始执行？", ("低保", "提标")),
    ("项目开始建设了吗？", ("项目", "开始", "建设")),  # 开始 that does not ask when stays
])
def test_asking_phrases_are_not_key_terms(question, terms):
    from service.question import content_terms

    assert tuple(content_terms(question)) == terms


@pytest.mark.parametrize("term, digits", [("两年", "2年"), ("十天", "10天"), ("十五天", "15天"), ("三十天", "30天"),
                                          ("二十四小时", "24小时"), ("百年", "百年"), ("一二年", "一二年")])
def test_chinese_numbers_below_a_hundred(term, digits):
    from service.question import with_arabic_numerals

    assert with_arabic_numerals(term) == digits


@pytest.mark.parametrize("term, variants", [
    ("两年", ("两年", "2年")),  # "连续两年" is written "连续2年" in the gazette
    ("三个月", ("三个月", "3个月")),
    ("十五天", ("十五天", "15天")),
    ("统一", ("统一",)),  # a word with a numeral character is not a count
    ("第三", ("第三",)),  # an ordinal must match as written
    ("两会", ("两会",)),
])
def test_a_count_in_words_also_matches_its_digits(term, variants):
    assert term_variants(term) == variants


def test_an_everyday_phrase_jieba_cuts_is_looked_up_whole():
    # 找工作 is cut into 找/工作 and 冬天取暖 into 冬天/取暖: the lexicon's lines for the phrases still apply
    q = parse_question("我想找工作，冬天取暖有补贴吗？")
    assert q.terms == ("找", "工作", "冬天", "取暖", "补贴")
    assert {"就业", "招聘", "供暖", "供热", "清洁取暖"} <= set(q.expanded_query.split())


def test_a_phrase_is_only_found_where_the_text_has_it_as_words():
    assert everyday_phrases_in("我想找工作，冬天取暖有补贴吗") == ["找工作", "冬天取暖", "补贴"]
    # 网上办 is a lexicon word, but in 网上办理 the words are 网上/办理
    assert everyday_phrases_in("可不可以网上办理") == []


@pytest.mark.parametrize("sentence, holds", [
    ("按月调度产业链各项工作进展", True),  # how often: 多久调度一回
    ("建立5G基站建设月调度机制", True),
    ("每季度召开一次联席会议", True),
    ("在30个工作日内办结", True),
    ("按规定调度资金", False),
    ("月度考核结果通报", False),
])
def test_a_how_often_question_wants_a_period_or_a_frequency(sentence, holds):
    wanted = parse_question("推进组多久调度一次工作进展？").wanted_figure
    assert bool(wanted.search(sentence)) is holds


@pytest.mark.parametrize("question, phone, address, figure", [
    ("市民政局的反馈电话是多少？", True, False, False),
    ("养老服务呼叫中心的电话号码是多少？", True, False, False),
    ("打电话反映问题，多久能回复？", False, False, True),  # 电话 here is how, not what is asked
    ("数据湖产业园在哪条路上？", False, True, False),
    ("会展中心的具体位置在哪？", False, True, False),
    ("在哪个县建竹子种质资源库？", False, False, False),  # a county, not a street address
])
def test_a_question_for_a_phone_number_or_a_street_address_says_so(question, phone, address, figure):
    intent = parse_question(question).intent
    assert (intent.phone, intent.address, intent.figure) == (phone, address, figure)


def test_the_question_names_the_people_the_corpus_names():
    assert parse_question("纪浩晴原来在哪个单位任职？", whole={"纪浩晴", "李彤"}).people == ("纪浩晴",)
    assert parse_question("市供销社主任是谁？", whole={"纪浩晴"}).people == ()


@pytest.mark.parametrize("question, counted", [
    ("截至2020年底聊城一共有多少家上市公司？", ("上市公司",)),
    ("今年市里打算新增多少张养老院床位？", ("养老院", "床位")),
    ("牵头的是哪几个部门？", ()),  # asks which, not how many
    ("每年至少开几次全委会？", ()),  # 次 counts times, not things
    ("低保标准是多少？", ()),
])
def test_a_count_question_names_what_it_counts(question, counted):
    assert parse_question(question).counted == counted
