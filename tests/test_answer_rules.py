"""The hard rules of answering, one row per failure class, on the fake embedder (no model loaded)."""
from __future__ import annotations

import pytest

from service import wording as W


@pytest.mark.parametrize(
    "question, answered, expected, why",
    [
        ("上海市的低保标准是多少？", False, "没有关于上海市的这项内容", "another city: refused, saying what is covered"),
        ("德州市新增多少张养老床位？", False, "没有关于德州市的这项内容", "another city"),
        ("2016年聊城的低保标准是多少？", False, "没有2016年的这项内容", "a year no document mentions"),
        ("2012年城市低保标准是多少？", False, "收录的文件签发于2018年至2023年", "the refusal says which years are covered"),
        ("聊政办字〔2019〕99号讲的是什么？", False, "没有文号为聊政办字〔2019〕99号的文件", "an unknown 文号"),
        ("聊政办字[2018]76号是什么文件？", True, "《聊城市人民政府办公室关于印发《聊城市优化政务服务专项行动方案》的通知》", "a 文号 lookup"),
        ("聊政发〔2016〕56号还有效吗？", True, "同时废止", "a 文号 the corpus only cites"),
        ("排污权有偿使用费每吨多少钱？", False, "没有写明您问的具体数字", "an amount no sentence states: no hedge"),
        ("城区供热直供到户以后，暖气费每平方米多少钱？", False, "没有写明您问的具体数字", "an amount no sentence states"),
        ("聊政办字〔2020〕28号里说分几个阶段推进？", True, W.HEDGE_LEAD, "no passage names a 阶段: a count of base stations is no exact answer"),
    ],
)
def test_rule(fake_engine, question, answered, expected, why):
    a = fake_engine.ask(question)
    assert a.answered is answered, why
    assert expected in a.answer, why
    if not answered:
        assert a.citations == [] and W.HOTLINE in a.answer


@pytest.mark.parametrize(
    "question",
    ["聊政办字〔2020〕28号提出到2020年底建成多少5G基站？", "聊政办字(2020)28号里5G基站建设由哪个部门负责？", "聊政办字2020年28号说要建多少基站"],
)
def test_a_named_document_restricts_the_evidence(fake_engine, question):
    a = fake_engine.ask(question)
    assert a.answered and a.citations
    assert {c.docnum for c in a.citations} == {"聊政办字〔2020〕28号"}


def test_corpus_name_follows_the_setting(fake_settings):
    from service.engine import Engine

    engine = Engine.load(fake_settings.model_copy(update={"corpus_name": "测试公报"}))
    assert "已收录的测试公报只涉及聊城市的事务" in engine.ask("上海市的低保标准是多少？").answer


def test_a_lookup_quotes_the_documents_title_line(fake_engine):
    a = fake_engine.ask("聊政办字[2018]76号是什么文件？")
    title = "聊城市人民政府办公室关于印发《聊城市优化政务服务专项行动方案》的通知"
    assert [(c.n, c.quote) for c in a.citations][:1] == [(1, title)]
    assert f"《{title}》[1]" in a.answer and a.answer.rstrip().endswith("[2]")


def test_a_named_document_is_not_refused_for_an_ordinal_it_never_writes(fake_engine):
    """"第一次全体会议" is nowhere in 聊政字〔2020〕16号, but the 文号 pins the document: its best passage is quoted."""
    a = fake_engine.ask("聊政字〔2020〕16号里市规委会第一次全体会议由谁召集？")
    assert a.answered and a.citations and all(c.docnum == "聊政字〔2020〕16号" for c in a.citations)


@pytest.mark.parametrize(
    "question, quoted, why",
    [
        ("2021年市供销社理事会主任换成了谁？原来是谁？",
         ["伦炜的聊城市供销合作社理事会主任职务；", "孙大兴为聊城市供销合作社理事会主任（试用期一年）；"],
         "two asked clauses: the removal and the appointment are both quoted"),
        ("聊政任〔2021〕7号任命了谁？",
         ["市人民政府决定，任命：", "张月莲为聊城市位山灌区管理服务中心主任（试用期一年）。"],
         "a lead-in line ending in '：' brings the list it introduces"),
        ("排污权交易试点那个暂行办法现在还有效吗？",
         ["第三十七条 本办法自2023年11月1日起施行，有效期至2025年10月31日。"],
         "a validity question quotes the 施行 / 有效期 clause first"),
    ],
)
def test_evidence_rule(fake_engine, question, quoted, why):
    a = fake_engine.ask(question)
    assert a.answered, why
    assert [c.quote for c in a.citations][: len(quoted)] == quoted, why


def _candidate(pid: str, sentence: str, score: float):
    from types import SimpleNamespace

    from service.evidence import Candidate

    hit = SimpleNamespace(chunk=SimpleNamespace(doc_id="d1", type="通知", date=None))
    return Candidate(hit, SimpleNamespace(paragraph_id=pid), sentence, score, cover=0.8)


def test_a_parts_sentence_joins_its_paragraph_when_that_is_already_quoted():
    """"…跟哪个部门签约的，一签管几年？": the second part's sentence sits in a paragraph already
    quoted for another sentence; it must still be quoted, and a lead-in never answers a part."""
    from types import SimpleNamespace

    from service.answer import _with_parts
    from service.policy import AnswerPolicy
    from service.answer_writing import Evidence
    from service.evidence import TermStats
    from service.question import parse_question

    q = parse_question("责任规划师跟哪个部门签合同，合同聘期几年？")
    lead_in = _candidate("p1", "合同聘期三年的责任规划师如下：", 3.0)
    signed = _candidate("p2", "市自然资源和规划局与责任规划师团队签订技术服务合同。", 2.0)
    term = _candidate("p2", "合同聘期为3年，聘期结束，考评合格，可以续聘。", 1.0)
    ctx = SimpleNamespace(policy=AnswerPolicy(), term_stats=TermStats({}, 5.0), document=lambda doc_id: None)
    a = SimpleNamespace(question=q, plausible=[lead_in, signed, term])
    chosen = [Evidence(SimpleNamespace(doc_id="d1"), signed.paragraph, [signed.sentence], signed.score)]
    out = _with_parts(ctx, a, chosen)
    assert [(e.paragraph.paragraph_id, e.sentences) for e in out] == [("p2", [signed.sentence, term.sentence])]


@pytest.mark.parametrize("term, text, found", [
    ("低保", "城市最低生活保障标准", True),  # the short form keeps 低 and 保 in order
    ("医保", "城乡居民医疗保险", True),
    ("种树", "种植树木、高秆作物", True),
    ("种树", "种植，树木", False),  # not across a clause
    ("保低", "最低生活保障", False),  # not out of order
    ("低保", "最低工资和社会保障", False),  # too far apart
])
def test_a_short_form_is_found_in_its_phrase(term, text, found):
    from service.evidence import abbreviated_in

    assert abbreviated_in(term, text) is found


def test_only_words_the_corpus_never_uses_match_as_short_forms():
    from service.evidence import TermStats, coverage

    stats = TermStats({"农业": 1.0, "技术": 1.0, "农技": 1.0}, 5.0)
    assert coverage(("农技",), "农业技术推广服务中心", stats) == 0.0  # the corpus says 农技 itself: it must be literal
    assert coverage(("社保",), "参加社会保险", stats) == 1.0  # never said: its long form counts
    assert coverage(("社保", "农业"), "参加社会保险", stats) == pytest.approx(stats.weight("社保") / (stats.weight("社保") + 1.0))


@pytest.mark.parametrize("top_cover, top_score, joins", [
    (1.0, 1.8, True),  # covers as well and ranks higher: quoted after the exact evidence
    (0.6, 1.8, False),  # covers less of the question
    (1.0, 1.2, False),  # ranks lower
])
def test_the_documents_best_sentence_joins_evidence_the_intent_cues_chose(top_cover, top_score, joins):
    """"一般水文测站设立谁批？" reads as asking for a person; the sentence that answers it names none."""
    from service.answer import with_best_match

    top = _candidate("p1", "一般水文测站的设立和调整，经省水利厅批准后，报水利部水文司备案。", top_score)
    top.cover = top_cover
    person = _candidate("p2", "国家基本水文测站分为国家重要水文测站和一般水文测站。", 1.4)
    person.cover = 1.0
    assert with_best_match([person], [top, person]) == ([person, top] if joins else [person])


def test_each_part_of_a_question_gets_its_own_best_sentence():
    """The decision judges a two-part question by the sentences that answer its parts together."""
    from service.decision import part_bests
    from service.evidence import TermStats
    from service.question import parse_question

    q = parse_question("燃气配套费由谁交，通知从什么时候施行？")
    payer = _candidate("p1", "城市集中供气设施配套费的征收对象为在城市规划区进行建设的单位和个人。", 1.0)
    start = _candidate("p2", "本通知自公布之日起施行。", 0.5)
    other = _candidate("p3", "建设单位应严格按照合同示范文本签订合同。", 2.0)
    assert [c.sentence for c in part_bests(q, [other, payer, start], TermStats({}, 5.0))] == [payer.sentence, start.sentence]


@pytest.mark.parametrize("sentence, with_title", [
    ("本办法自2023年11月1日起施行，有效期至2025年10月31日。", True),
    ("本实施意见由市财政局负责解释。", True),
    ("排污单位应当按时缴纳排污权有偿使用费。", False),
])
def test_a_sentence_about_its_own_document_carries_the_title(sentence, with_title):
    from service.decision import with_referent

    c = _candidate("p1", sentence, 1.0)
    c.hit.chunk.title = "聊城市排污权有偿使用和交易试点暂行办法"
    assert with_referent(c) == (f"{sentence} {c.hit.chunk.title}" if with_title else sentence)


def test_decision_features_of_a_question_nothing_was_retrieved_for():
    """No hit at all (an empty index, a filter nothing passes): the features are the empty ones, no error."""
    from types import SimpleNamespace

    from service.decision import decision_features
    from service.policy import AnswerPolicy
    from service.evidence import TermStats
    from service.question import parse_question
    from service.results import RetrievalSignals

    ctx = SimpleNamespace(policy=AnswerPolicy(), term_stats=TermStats({}, 5.0))
    f = decision_features(ctx, parse_question("低保标准是多少？"), [], [], [], [], RetrievalSignals(), None)
    assert (f.best_cover, f.sentence_cover, f.paragraph_missing, f.fits_intent) == (0.0, 0.0, 1.0, 0.0)


def test_the_intent_gap_is_how_much_better_the_topic_sentence_covers_than_the_figure_sentence():
    """"高龄津贴每月发多少？": the sentence on 高龄津贴 states no amount; the amounts found are 低保's."""
    from types import SimpleNamespace

    from service.decision import decision_features
    from service.policy import AnswerPolicy
    from service.evidence import Candidate, TermStats
    from service.question import parse_question
    from service.results import RetrievalSignals

    def cand(sentence, cover, headings=("通知",)):
        chunk = SimpleNamespace(doc_id="d1", type="通知", date=None, title="通知", text=sentence, heading_path=headings)
        return Candidate(SimpleNamespace(chunk=chunk), SimpleNamespace(paragraph_id="p", text=sentence), sentence, cover, cover)

    topic = cand("建立80周岁及以上老年人高龄津贴制度，按月发放高龄津贴。", 0.85)
    amount = cand("城市居民最低生活保障标准提高到每人每月440元。", 0.40)
    ctx = SimpleNamespace(policy=AnswerPolicy(), term_stats=TermStats({}, 5.0))
    q = parse_question("高龄津贴每月发多少？")
    f = decision_features(ctx, q, [], [topic, amount], [topic, amount], [amount], RetrievalSignals(), None)
    assert f.intent_gap == pytest.approx(0.45)
    same = decision_features(ctx, q, [], [amount], [amount], [amount], RetrievalSignals(), None)
    assert same.intent_gap == 0.0
    none = decision_features(ctx, q, [], [topic], [topic], [], RetrievalSignals(), None)
    assert (none.intent_gap, none.fits_intent) == (0.0, 0.0)  # no figure at all: fits_intent says so


def test_the_section_cover_is_how_much_of_the_question_the_best_sentences_headings_hold():
    """The amount of 低保 sits under headings about 低保, not about 高龄津贴: a neighbouring subject."""
    from types import SimpleNamespace

    from service.decision import decision_features
    from service.policy import AnswerPolicy
    from service.evidence import Candidate, TermStats
    from service.question import parse_question
    from service.results import RetrievalSignals

    def cand(sentence, headings):
        chunk = SimpleNamespace(doc_id="d1", type="通知", date=None, title=headings[0], text=sentence, heading_path=headings)
        return Candidate(SimpleNamespace(chunk=chunk), SimpleNamespace(paragraph_id="p", text=sentence), sentence, 1.0, 0.5)

    ctx = SimpleNamespace(policy=AnswerPolicy(), term_stats=TermStats({}, 5.0))
    q = parse_question("高龄津贴每月发多少？")  # terms the stats never saw weigh 4, a single character half that
    other = cand("城市居民最低生活保障标准提高到每人每月440元。", ("关于提高最低生活保障标准的通知", "一、城市低保"))
    own = cand("高龄津贴每月100元。", ("关于建立高龄津贴制度的通知", "二、发放标准"))
    section = lambda c: decision_features(ctx, q, [], [c], [c], [c], RetrievalSignals(), None).section_cover  # noqa: E731
    assert q.terms == ("高龄", "津贴", "每月", "发")
    assert (section(other), section(own)) == (0.0, pytest.approx(10 / 14))  # 高龄, 津贴 and 发 (in 发放)


@pytest.mark.parametrize("question, sentence, fits", [
    # a party and a date: a sentence answering either part fits ("谁交" takes any party)
    ("燃气配套费该谁交？从什么时候开始算？", "城市集中供气设施配套费的征收对象为在城市规划区进行建设的单位和个人。", True),
    ("燃气配套费该谁交？从什么时候开始算？", "本通知自2018年6月1日起施行。", True),
    # an amount and a date: a sentence with neither fits no part
    ("低保每月多少钱？从什么时候开始执行？", "各级各有关部门要充分认识提高城乡低保标准的重要意义。", False),
    ("低保每月多少钱？从什么时候开始执行？", "城市居民最低生活保障标准提高到每人每月440元。", True),
])
def test_a_sentence_fits_a_question_of_several_parts_when_it_fits_one(question, sentence, fits):
    """A question that asks two kinds of fact is answered by sentences of either kind, not only by one holding both."""
    from service.evidence import fits_intent
    from service.question import parse_question

    q = parse_question(question)
    assert len(q.parts) == 2
    assert fits_intent(q, _candidate("p1", sentence, 1.0)) is fits


def test_a_single_question_still_needs_its_kind_of_fact():
    from service.evidence import fits_intent
    from service.question import parse_question

    q = parse_question("燃气配套费从什么时候开始征收？")
    assert not fits_intent(q, _candidate("p1", "城市集中供气设施配套费的征收对象为建设单位。", 1.0))
    assert fits_intent(q, _candidate("p1", "本通知自2018年6月1日起施行。", 1.0))


def test_a_year_the_first_passages_miss_is_looked_for_deeper_before_refusing(fake_engine):
    """The topic ranks high in documents of other years; the passage with the asked year ranks
    lower. The candidates go deeper before the year is called out of scope."""
    from dataclasses import replace

    from service.answer import answer_question

    ctx = fake_engine.answer_context
    question = "到2025年聊城一共要建多少个5G基站？"

    def shallow_search(*args, k: int, **kwargs):
        hits = ctx.search(*args, k=k, **kwargs)
        # every passage that names 2025 sits beyond the first retrieval depth
        return hits if k >= 40 else [h for h in hits if "2025" not in h.chunk.text + h.chunk.title]

    deep = answer_question(replace(ctx, search=shallow_search), question)
    assert deep.answered and "到2025年,累计建成5G基站1.3万个" in deep.answer
    assert deep.citations[0].docnum == "聊政字〔2023〕12号"
    shallow = answer_question(replace(ctx, search=shallow_search, policy=replace(ctx.policy, constrained_candidates=10)), question)
    assert not shallow.answered and "没有2025年的这项内容" in shallow.answer


@pytest.mark.parametrize("sentence, fits", [
    ("市级相关部门和市属开发区管委会要在通知印发后30个工作日内签订委托协议。", True),  # a time limit
    ("本通知自2021年6月1日起施行。", True),
    ("市级相关部门要与市属开发区管委会签订委托协议。", False),  # no date, no time limit
])
def test_when_is_answered_by_a_date_or_a_time_limit(sentence, fits):
    from service.evidence import fits_intent
    from service.question import parse_question

    q = parse_question("委托协议最晚什么时候签完？")
    assert fits_intent(q, _candidate("p1", sentence, 1.0)) is fits


@pytest.mark.parametrize("sentence, fits", [
    ("14日,省财政厅二级巡视员袁培全带领省财政厅政策宣讲组到我市就财政支持新旧动能转换进行政策宣讲。", True),
    ("省人大教科文卫委员会副主任委员毕玉惠率调研组到我市就立法工作情况进行调研。", True),
    ("省财政厅政策宣讲组到我市就财政支持新旧动能转换进行政策宣讲。", False),  # nobody named
])
def test_who_led_a_visit_is_answered_by_the_sentence_naming_who_led_it(sentence, fits):
    from service.evidence import fits_intent
    from service.question import parse_question

    q = parse_question("省财政厅来聊城宣讲财政政策，带队的是谁？")
    assert q.intent.person and fits_intent(q, _candidate("p1", sentence, 1.0)) is fits


@pytest.mark.parametrize("question, sentence, fits", [
    ("第三届运动会是哪天开幕的？", "2023年举办聊城市第三届运动会。", False),  # a year does not name the day
    ("第三届运动会是哪天开幕的？", "9月15日，聊城市第三届运动会开幕。", True),
    ("这个办法从哪一天开始施行？", "本办法自发布之日起施行。", True),
    ("第三届运动会是哪天开幕的？", "依据聊城市人民政府令第46号。", False),  # a decree's 号 is no day
    ("第三届运动会是哪年举办的？", "2023年举办聊城市第三届运动会。", True),  # a year asked, a year given
])
def test_a_question_for_the_day_is_answered_by_a_date_to_the_day(question, sentence, fits):
    from service.evidence import fits_intent
    from service.question import parse_question

    assert fits_intent(parse_question(question), _candidate("p1", sentence, 1.0)) is fits


def test_a_date_question_whose_date_no_passage_states_is_refused_in_its_own_words(fake_engine):
    """The gazette says the games are held in 2023, never on which day they open."""
    from service.answer import answer_question
    from service.wording import NO_DATE

    day = answer_question(fake_engine.answer_context, "2023年聊城市第三届运动会是哪天开幕的？")
    assert not day.answered and day.answer.startswith(NO_DATE.split("{corpus}")[0]) and "具体日期" in day.answer
    year = answer_question(fake_engine.answer_context, "2023年聊城市第三届运动会是哪年举办的？")
    assert year.answered and "2023年举办聊城市第三届运动会。" in year.answer


@pytest.mark.parametrize("question, new_post", [
    ("张宏图新任什么职务？", True), ("马新明被任命到哪个单位了？", True), ("刘瑞峰后来调到哪了？", True),
    ("孟宪奇被免去了什么职务？", False), ("聊城市第二人民医院院长是谁？", False),
    ("刘瑞峰调任之前在哪个单位？", False),  # the time before the new post: the removal line answers it
    ("城市低保标准每月调到了多少？", False),  # a standard raised to a figure: no post
])
def test_a_new_post_is_answered_by_the_appointment_line_first(question, new_post):
    """"新任什么职务": "张宏图为…院长" answers it; "张宏图的…副局长职务" (a removal) holds the word 职务 but not the answer."""
    from service.evidence import intent_bonus
    from service.question import parse_question

    q = parse_question(question)
    assert q.intent.new_post is new_post
    appointed = intent_bonus(q, "张宏图为聊城市教育考试与教学研究院院长（试用期一年）；")
    removed = intent_bonus(q, "张宏图的聊城市教育和体育局副局长职务；")
    assert (appointed - removed == 0.45) is new_post


def test_person_named_is_set_when_the_best_sentence_names_the_person_asked_about():
    from types import SimpleNamespace

    from service.decision import decision_features
    from service.policy import AnswerPolicy
    from service.evidence import Candidate, TermStats
    from service.question import parse_question
    from service.results import RetrievalSignals

    def cand(sentence):
        hit = SimpleNamespace(chunk=SimpleNamespace(doc_id="d1", type="任免", date=None, title="通知", text=sentence, heading_path=("通知",)))
        return Candidate(hit, SimpleNamespace(paragraph_id="p", text=sentence), sentence, 1.0, 0.8)

    stats = TermStats({"任命": 2.0}, 6.0, people=["张宏图"])
    ctx = SimpleNamespace(policy=AnswerPolicy(), term_stats=stats)
    q = parse_question("张宏图被任命为什么职务？", whole=stats.people)
    named = cand("张宏图为聊城市教育考试与教学研究院院长（试用期一年）；")
    other = cand("何靖雯为聊城市公务员局局长；")
    f = lambda c: decision_features(ctx, q, [], [c], [c], [c], RetrievalSignals(), None)  # noqa: E731
    assert (f(named).person_named, f(other).person_named) == (1.0, 0.0)


@pytest.mark.parametrize("question, frames", [
    ("排污权出让收入由哪个部门征收？", (("权出让收入由", "部门征收"),)),
    ("市规委会主任委员由谁担任？", (("会主任委员由", "担任"),)),  # six characters at most on a side
    ("低保提标从什么时候开始执行？", (("低保提标从", "开始执行"),)),
    ("谁主持的会议？", (("", "主持的会议"),)),  # "的" after the slot belongs to the right side here
    ("补贴标准是多少", (("补贴标准是", ""),)),
])
def test_the_frame_of_a_question_is_the_text_around_its_asked_slot(question, frames):
    from service.question import slot_frames

    assert slot_frames(question) == frames


@pytest.mark.parametrize("question, sentence, fills", [
    ("排污权出让收入由哪个部门征收？", "根据《通知》等要求，排污权出让收入由税务部门征收。", True),
    ("排污权出让收入由哪个部门征收？", "排污权出让收入的征收、使用和管理工作应接受税务部门的监督检查。", False),
    ("市规委会主任委员由谁担任？", "市规委会主任委员由市长担任，副主任委员由分管副市长担任。", True),
    ("市规委会主任委员由谁担任？", "主任委员由市长担任。", True),  # the sides shrink towards the slot
    ("市规委会主任委员由谁担任？", "由市长担任。", False),  # "由" + "担任" keep fewer than four characters
    ("低保提标从什么时候开始执行？", "低保提标从2018年1月1日开始执行。", True),
    ("排污权出让收入由哪个部门征收？", "排污权出让收入由" + "某" * 31 + "征收。", False),  # the filler is too long to be the answer
])
def test_a_sentence_that_says_the_question_around_a_filler_fills_its_frame(question, sentence, fills):
    from dataclasses import replace

    from service.evidence import fills_frame, intent_bonus
    from service.policy import ScoringPolicy
    from service.question import parse_question

    q = parse_question(question)
    assert any(fills_frame(f, sentence) for f in q.frames) is fills
    assert intent_bonus(q, sentence) - intent_bonus(replace(q, frames=()), sentence) == pytest.approx(ScoringPolicy().frame_bonus if fills else 0.0)


def test_only_words_some_retrieved_passage_holds_count_in_a_sentences_coverage():
    """"我家地挨着水文站…能在边上种树吗": 挨着 and 那段 are in no passage; counting them shrank
    every sentence's coverage until rank and similarity outweighed 水文站 and 种树 (种植树木)."""
    from types import SimpleNamespace

    from service.evidence import TermStats, reachable_terms

    chunk = SimpleNamespace(title="聊城市水文管理办法", heading_path=["第四章"], text="禁止种植树木、高秆作物。水文站网建设所需土地依法办理。")
    hits = [SimpleNamespace(chunk=chunk)]
    stats = TermStats({}, 5.0)
    assert reachable_terms(("挨着", "水文站", "那段", "种树"), hits, stats) == ("水文站", "种树")
    assert reachable_terms(("管理办法",), hits, stats) == ("管理办法",)  # the title counts
    assert reachable_terms(("挨着", "那段"), hits, stats) == ("挨着", "那段")  # none held: all count


@pytest.mark.parametrize("cover, full_cover, enough", [(0.5, 0.5, True), (0.5, 0.3, False), (0.3, 0.5, False), (0.4, 0.4, True)])
def test_exact_evidence_must_cover_the_words_no_passage_holds_too(cover, full_cover, enough):
    from service.answer import covers_enough
    from service.policy import AnswerPolicy

    c = _candidate("p1", "到2023年，打造试点示范项目20个以上。", 1.0)
    c.cover, c.full_cover = cover, full_cover
    assert covers_enough(c, AnswerPolicy()) is enough


@pytest.mark.parametrize("question, former", [
    ("刘瑞峰调任之前在哪个单位？", True), ("马新明被任命前是什么职务？", True), ("原来那位院长是谁？", True),
    ("刘瑞峰后来调到哪了？", False), ("张宏图新任什么职务？", False),
])
def test_the_time_before_a_new_post_asks_for_the_former_one(question, former):
    from service.question import question_intent

    assert question_intent(question).former is former


@pytest.mark.parametrize("question, issued", [
    ("聊政任〔2023〕14号是哪天签发的？", True), ("这个通知什么时候发的？", True), ("办法的印发日期是哪天？", True),
    ("发布会是哪天开的？", False), ("补助资金什么时候发放？", False),
])
def test_a_question_about_when_a_document_was_issued(question, issued):
    from service.question import question_intent

    assert question_intent(question).issued is issued


def test_the_date_line_answers_when_a_document_was_issued(fake_engine):
    """The sentences chosen for the question's words never state the date; the line under the
    signature does, verbatim, and it is quoted first under one opener for its document."""
    a = fake_engine.ask("聊政任〔2023〕14号是哪天签发的？")
    assert a.answered and a.citations[0].quote == "2023年9月15日"
    assert a.answer.startswith("根据《关于任免刘清章等工作人员职务的通知》（聊政任〔2023〕14号）：2023年9月15日[1]")
    assert "签发）" not in a.answer.splitlines()[0]  # the date is quoted, not repeated from the metadata


def test_a_part_takes_the_line_of_the_kind_it_asks_for_even_when_the_whole_question_covers_it_less():
    """"杜长涛被任命为什么？他原来的总督查职务呢？": the removal line answers the second part and
    covers the whole question best; the first part needs the appointment line, which covers the
    whole question below min_cover but its own words (杜长涛) well."""
    from types import SimpleNamespace

    from service.answer import _with_parts
    from service.policy import AnswerPolicy
    from service.answer_writing import Evidence
    from service.evidence import TermStats
    from service.question import parse_question

    q = parse_question("杜长涛被任命为什么？他原来的总督查职务呢？", whole={"杜长涛"})
    removed = _candidate("p2", "杜长涛的聊城市教育和体育局总督查职务；", 1.6)
    appointed = _candidate("p1", "杜长涛为聊城市教育和体育局副局长；", 1.4)
    appointed.cover = 0.37
    ctx = SimpleNamespace(policy=AnswerPolicy(), term_stats=TermStats({}, 5.0, people=["杜长涛"]), document=lambda doc_id: SimpleNamespace(doc_id=doc_id))
    a = SimpleNamespace(question=q, plausible=[removed, appointed])
    chosen = [Evidence(SimpleNamespace(doc_id="d1"), removed.paragraph, [removed.sentence], removed.score)]
    out = _with_parts(ctx, a, chosen)
    assert [(e.paragraph.paragraph_id, e.sentences) for e in out] == [("p2", [removed.sentence]), ("p1", [appointed.sentence])]
