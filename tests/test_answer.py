"""Extractive answers: pure helpers (unit tier) and the real model on the real corpus."""
from __future__ import annotations

import re

import pytest

from indexer.text import sentences
from service.question import expected_figure, is_follow_up, question_intent, retrieval_query


def test_sentences_keep_responsibility_note_whole():
    text = "由供热企业直供到户，负责维护。（牵头单位：市城管局；配合单位：市住建局）其他事项另行通知。"
    assert sentences(text) == ["由供热企业直供到户，负责维护。（牵头单位：市城管局；配合单位：市住建局）", "其他事项另行通知。"]


def test_question_intent():
    assert question_intent("城市低保标准是多少？").figure
    assert question_intent("办法什么时候开始施行？").date
    assert question_intent("这事归哪个部门管，谁负责？").department
    assert question_intent("怎么申请法律援助？").procedure
    assert question_intent("聊政办字[2018]76号是什么文件？").document


def test_expected_figure_units():
    assert expected_figure("一个月给多少钱？").search("每人每月500元")
    assert not expected_figure("一个月给多少钱？").search("提高15%")
    assert expected_figure("要在几天内答复？").search("应当在10个工作日内答复")
    assert expected_figure("一共建成多少个基站？").search("建成5G基站2000个")
    assert expected_figure("一共建成多少个基站？").search("新建三个") is not None
    assert expected_figure("一共建成多少个基站？").search("建成5G基站1500处")  # 个 stands for any classifier
    assert expected_figure("金融意见有效期几年？").search("有效期五年")  # 金融 asks no money


def test_follow_up_uses_previous_question():
    history = [{"role": "user", "content": "城市低保标准是多少？"}, {"role": "assistant", "content": "……"}]
    assert is_follow_up("那农村的呢？") and is_follow_up("这个办法由哪个部门负责？")
    assert not is_follow_up("聊城市烈士褒扬办法什么时候开始施行？")
    assert retrieval_query("那农村的呢？", history) == "城市低保 那农村的呢？"
    assert retrieval_query("烈士遗属坐公交免费吗？", history) == "烈士遗属坐公交免费吗？"


def _assert_faithful(engine, answer):
    """Every [n] has a citation, every quote is a paragraph of its document, every sentence is quoted."""
    assert answer.citations
    ns = {c.n for c in answer.citations}
    assert set(int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)) == ns
    for c in answer.citations:
        doc = engine.get_document(c.doc_id)
        para = next(p for p in doc.paragraphs if p.paragraph_id == c.paragraph_id)
        assert para.text == c.quote
        assert c.url == f"/documents/{c.doc_id}#p{para.index}"
    for line in answer.answer.split("\n"):
        m = re.match(r"^根据《.+?》(（[^）]*）)*：(.*\])$", line)
        if m:  # "根据《…》：quoted[1]quoted[2]": every quoted piece is in its citation's paragraph
            for said, n in re.findall(r"(.*?)\[(\d+)\]", m.group(2)):
                quote = next(c.quote for c in answer.citations if c.n == int(n))
                assert all(part in quote for part in re.split(r"……|(?<=[。；])", said) if part), (said, quote)


@pytest.mark.model
def test_answer_quotes_decree_and_effective_date(real_engine):
    a = real_engine.ask("聊城市烈士褒扬办法什么时候开始施行？")
    assert a.answered
    assert a.answer.startswith("根据《聊城市烈士褒扬办法》（聊城市人民政府令第46号）：")
    assert "2023年10月1日起施行" in a.answer
    _assert_faithful(real_engine, a)


@pytest.mark.model
def test_figure_question_quotes_the_figure_first_and_names_years(real_engine):
    """The best evidence first, not the newest document: the 2021 plan's goal states no figure."""
    a = real_engine.ask("城市低保标准是多少？")
    assert a.answered
    assert a.answer.startswith("根据《政府工作报告》（2020年）：城市低保标准提至每人每月500元")
    assert a.answer.index("500元") < a.answer.index("440元")
    assert "（2020年）" in a.answer and "（2018年）" in a.answer
    assert "最新的是《聊城市人民政府关于印发聊城市国民经济和社会发展第十四个五年规划" in a.answer  # the note names the newest
    _assert_faithful(real_engine, a)


@pytest.mark.model
def test_follow_up_retrieves_rural_standard(real_engine):
    history = [{"role": "user", "content": "城市低保标准是多少？"}, {"role": "assistant", "content": "……"}]
    a = real_engine.ask("那农村的呢？", history=history)
    assert a.answered and "农村低保提至每人每年4500元" in a.answer
    alone = real_engine.ask("那农村的呢？")
    assert "4500元" not in alone.answer


@pytest.mark.model
def test_department_question_cites_lead_unit(real_engine):
    a = real_engine.ask("城区供热直供到户由哪个部门牵头？")
    assert a.answered and "（牵头单位：市城管局" in a.answer
    _assert_faithful(real_engine, a)
    a = real_engine.ask("食盐质量安全监管归哪个部门负责？")
    assert "加强食盐质量安全监管。……" in a.answer and "（市盐务局负责）[1]" in a.answer
    _assert_faithful(real_engine, a)


@pytest.mark.model
def test_date_of_an_appointment_is_its_signing_date(real_engine):
    a = real_engine.ask("周玉明的审计局副局长职务是什么时候免的？")
    assert a.answered
    assert "（聊政任〔2021〕5号）（2021年4月13日签发）：周玉明的聊城市审计局副局长职务。[1]" in a.answer


@pytest.mark.model
def test_docnum_lookup_in_any_variant(real_engine):
    for q in ("聊政办字[2018]76号是什么文件？", "聊政办字〔2018〕76 号讲的什么？"):
        a = real_engine.ask(q)
        assert a.answered and a.citations[0].docnum == "聊政办字〔2018〕76号"
        assert "《聊城市人民政府办公室关于印发《聊城市优化政务服务专项行动方案》的通知》" in a.answer


@pytest.mark.model
def test_repealed_document_is_answered_from_the_repealing_one(real_engine):
    a = real_engine.ask("聊政发〔2016〕56号还有效吗？")
    assert a.answered and a.citations[0].docnum == "聊政发〔2021〕5号"
    assert "同时废止" in a.answer


@pytest.mark.model
def test_expired_document_is_flagged(real_engine):
    a = real_engine.ask("责任规划师的合同聘期是几年？")
    assert a.answered and "合同聘期为3年" in a.answer
    assert "的有效期至2023年5月31日，已经到期。" in a.answer


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    [
        "2022年聊城城市低保标准是每月多少钱？",  # the year is not in the gazettes
        "聊城市第三人民医院现在的院长是谁？",  # another hospital's director is
        "聊政办字〔2019〕99号讲的是什么？",  # no such document
        "护照丢了怎么补办？",  # off topic
        "新生儿怎么上户口？",  # off topic: refused by sentence similarity
        "结婚登记需要带什么？",
        "聊城市第四届运动会哪年在哪里举办？",
    ],
)
def test_refusal_cites_nothing_and_points_to_hotline(real_engine, question):
    a = real_engine.ask(question)
    assert not a.answered and a.citations == []
    assert "12345" in a.answer


@pytest.mark.model
def test_everyday_words_and_their_follow_up_are_answered(real_engine):
    a = real_engine.ask("我家是农村低保户，一个月能领多少钱？")  # 低保户 is one jieba word; the gazettes say 最低生活保障
    assert a.answered and "农村低保提至每人每年4500元" in a.answer
    _assert_faithful(real_engine, a)
    history = [{"role": "user", "content": "我家是农村低保户，一个月能领多少钱？"}, {"role": "assistant", "content": a.answer}]
    f = real_engine.ask("那城市的呢？", history=history)
    assert f.answered and "城市低保标准提至每人每月500元" in f.answer


@pytest.mark.model
def test_another_city_is_refused_even_where_the_gazettes_name_it(real_engine):
    for q, place in (("上海市的低保标准是多少？", "上海市"), ("济南市烈士遗属坐公交免费吗？", "济南市")):
        a = real_engine.ask(q)
        assert not a.answered and a.citations == []
        assert f"只涉及聊城市的事务，没有关于{place}的这项内容" in a.answer


@pytest.mark.model
def test_a_place_inside_a_plans_name_is_not_another_city(real_engine):
    a = real_engine.ask("按突破菏泽鲁西崛起的实施方案，聊城到2025年要累计建成多少个5G基站？")
    assert a.answered and a.citations[0].docnum == "聊政字〔2023〕12号"


@pytest.mark.model
def test_a_detail_of_a_named_document_is_answered_from_it(real_engine):
    a = real_engine.ask("聊政办字〔2020〕28号提出到2020年底建成多少5G基站？")
    assert a.answered and {c.docnum for c in a.citations} == {"聊政办字〔2020〕28号"}
    assert "建成5G基站1500处" in a.answer
    _assert_faithful(real_engine, a)


@pytest.mark.model
def test_no_exact_statement_gives_the_best_passage_under_a_plain_lead(real_engine):
    from service.wording import HEDGE_LEAD

    a = real_engine.ask("聊政办字〔2020〕28号里说分几个阶段推进？")  # the plan names no stages
    assert a.answered and a.answer.startswith(HEDGE_LEAD)
    assert {c.docnum for c in a.citations} == {"聊政办字〔2020〕28号"}
    _assert_faithful(real_engine, a)
