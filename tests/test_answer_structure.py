"""Answers over structure: table rows under their header, chronicle days, the newest figure first,
a figure's period, and yes/no questions — pure functions on hand-made records, then the bundled
corpus on the fake embedder (the rules are lexical) and on the real model."""
from __future__ import annotations

import pytest

from indexer.models import Document, Paragraph, TableRow
from service import wording as W
from service.answer import _newest_first
from service.answer_writing import Evidence, period_note, table_row_text
from service.evidence import labelled, on_a_named_day, states_figure
from service.question import parse_question

PLAN_ROW = TableRow(
    caption="“十四五”时期聊城市经济社会发展主要指标",
    header=("类别", "指标", "2020年", "2025年", "年均/[累计]", "属性"),
    cells=("", "基本养老保险参保人数(万人)", "396.3", "408", "2.3", "预期性"),
    inherited=("民生福祉", "", "", "", "", ""),
)


def _doc(doc_id: str, date: str) -> Document:
    return Document(doc_id, None, f"文件{doc_id}", None, date, "通知", None, None, "x.txt")


def _para(doc_id: str, text: str, **kw) -> Paragraph:
    return Paragraph(f"{doc_id}-p0001", doc_id, 1, (), text, **kw)


def test_a_table_row_is_written_cell_by_cell_under_its_header():
    assert table_row_text(PLAN_ROW) == (
        "【“十四五”时期聊城市经济社会发展主要指标】基本养老保险参保人数(万人)：2020年 396.3；2025年 408；年均/[累计] 2.3；属性 预期性。")


def test_blank_cells_say_nothing_and_a_row_without_caption_has_no_brackets():
    row = TableRow(None, ("指标", "2020年", "2025年", "属性"), ("森林覆盖率(%)", "10.43", "", "约束性"))
    assert table_row_text(row) == "森林覆盖率(%)：2020年 10.43；属性 约束性。"
    numbered = TableRow(None, ("序号", "具体任务", "完成时限"), ("2", "加快推动开发区改造升级", "2022年12月底前"))
    assert table_row_text(numbered) == "加快推动开发区改造升级：序号 2；完成时限 2022年12月底前。"


def test_evidence_reads_a_row_with_its_header_and_inherited_category():
    p = _para("d", "\t基本养老保险参保人数(万人)\t396.3\t408\t2.3\t预期性", kind="table_row", table=PLAN_ROW)
    assert labelled("\t基本养老保险参保人数(万人)\t396.3\t408\t2.3\t预期性", p) == (
        "“十四五”时期聊城市经济社会发展主要指标｜类别 民生福祉｜指标 基本养老保险参保人数(万人)｜2020年 396.3｜2025年 408｜年均/[累计] 2.3｜属性 预期性")
    prose = _para("d", "到2025年，参保人数达到408万人。")
    assert labelled(prose.text, prose) == prose.text


def test_a_numeric_cell_of_a_value_column_states_a_figure_but_a_serial_number_or_weight_does_not():
    rate = TableRow("主要指标", ("类别", "指标", "2020年", "2025年", "年均/[累计]", "属性"),
                    ("", "常住人口城镇化率(%)", "—", "—", "0.8左右", "预期性"), ("经济发展", "", "", "", "", ""))
    assert states_figure("\t常住人口城镇化率(%)\t—\t—\t0.8左右\t预期性", rate)
    ranked = TableRow(None, ("序号", "指标", "权重分值", "责任部门"), ("6", "高新技术企业数量(家)", "8", "市科技局"))
    assert not states_figure("6\t高新技术企业数量(家)\t8\t市科技局", ranked)
    # prose needs its unit: a bare number in a sentence is not read as the figure asked for
    assert not states_figure("指标由市科技局负责考核。") and states_figure("到2025年达到120家。")


@pytest.mark.parametrize("days, expected", [
    (("2020-04-14",), True), (("2020-04-13",), False), (("2020-04-12", "2020-04-14"), True),
])
def test_a_chronicle_item_is_of_its_day(days, expected):
    assert on_a_named_day(days, _para("c", "14日，市委开会。", kind="chronicle", day="2020-04-14")) is expected


def test_a_range_heading_counts_for_each_of_its_days_and_an_undated_paragraph_is_not_ruled_out():
    ranged = _para("c", "12—13日，考察。", kind="chronicle", day="2020-04-12", day_end="2020-04-13")
    assert on_a_named_day(("2020-04-13",), ranged) and not on_a_named_day(("2020-04-14",), ranged)
    assert on_a_named_day(("2020-04-13",), _para("c", "全市开展……"))


def test_the_question_names_its_days():
    assert parse_question("2020年4月14日市委开会部署了什么？").days == ("2020-04-14",)
    assert parse_question("2023年2月30日开了什么会？").days == ()
    assert parse_question("2020年4月开了几次常务会议？").days == ()


def test_the_newest_document_stating_the_figure_leads():
    q = parse_question("农村低保一个月能领多少钱？")
    old = Evidence(_doc("a", "2018-09-20"), _para("a", "农村低保提高到每人每年3800元。"), ["农村低保提高到每人每年3800元。"], 1.50)
    new = Evidence(_doc("b", "2020-05-26"), _para("b", "农村低保提至每人每年4500元。"), ["农村低保提至每人每年4500元。"], 1.45)
    assert [e.doc.doc_id for e in _newest_first(q, [old, new], 0.1)] == ["b", "a"]
    # a document the question's words favour by far keeps its place, and so does a named year
    assert [e.doc.doc_id for e in _newest_first(q, [old, new], 0.01)] == ["a", "b"]
    assert _newest_first(parse_question("2018年农村低保一个月多少钱？"), [old, new], 0.1) == [old, new]


def test_a_figure_of_another_period_is_noted_verbatim():
    q = parse_question("我家是农村低保户，一个月能领多少钱？")
    s = "城市低保标准提至每人每月500元，农村低保提至每人每年4500元；"
    ev = Evidence(_doc("b", "2020-05-26"), _para("b", s), [s], 1.0)
    assert period_note(q, [ev]) == W.PERIOD_DIFFERS.format(asked="每月", stated="每年", clauses="农村低保提至每人每年4500元")
    assert period_note(parse_question("城市低保一个月多少钱？"), [ev]) is None  # the clause it names is monthly


@pytest.mark.parametrize("question, cover, expected", [
    ("有没有规定物业不能捆绑收暖气费？", 0.85, True),  # yes/no, a provision covers its topic
    ("有没有规定物业不能捆绑收暖气费？", 0.5, False),  # it does not: refused as before
    ("暖气费每平方米多少钱？", 0.95, False),  # not yes/no: an amount must be stated
])
def test_a_yes_no_question_is_answered_by_the_provision_on_its_topic(question, cover, expected):
    from types import SimpleNamespace

    from service.answer import _provision_speaks_of_it
    from service.policy import AnswerPolicy

    best = SimpleNamespace(cover=cover, full_cover=cover)
    a = SimpleNamespace(question=parse_question(question), plausible=[best])
    assert _provision_speaks_of_it(a, AnswerPolicy()) is expected


@pytest.mark.model
def test_a_table_row_answer_quotes_the_row_and_its_header(real_engine):
    a = real_engine.ask("十四五规划里，到2025年基本养老保险参保人数要达到多少？")
    assert a.answered
    row = next(c for c in a.citations if c.table is not None)
    assert row.quote.strip() == "基本养老保险参保人数(万人)\t396.3\t408\t2.3\t预期性"
    assert row.table.header == ("类别", "指标", "2020年", "2025年", "年均/[累计]", "属性")
    assert "基本养老保险参保人数(万人)：2020年 396.3；2025年 408" in a.answer
    # faithful: every cell shown is a cell of the quoted row, every header name one of its header
    assert all(cell in row.quote for cell in ("396.3", "408", "2.3", "预期性"))


@pytest.mark.model
def test_a_row_whose_unit_is_in_its_name_answers_a_figure_question(real_engine):
    # the cell says "0.8左右" and the unit (%) is in the row's name: still the figure asked for
    a = real_engine.ask("十四五期间聊城常住人口城镇化率每年大概提高多少？")
    assert a.answered
    assert a.citations[0].quote.strip() == "常住人口城镇化率(%)\t—\t—\t0.8左右\t预期性"
    assert "常住人口城镇化率(%)：2020年 —；2025年 —；年均/[累计] 0.8左右；属性 预期性。" in a.answer


@pytest.mark.model
def test_a_phone_number_the_gazettes_do_not_print_is_refused_as_such(real_engine):
    # the topic (养老服务) is there; no sentence of it holds a telephone number
    a = real_engine.ask("对基本养老服务政策有意见想反映，市民政局的反馈电话是多少？")
    assert not a.answered and a.citations == []
    assert a.answer == "已收录的聊城市人民政府公报中没有写明您问的电话号码。建议拨打12345政务服务便民热线咨询。"


@pytest.mark.model
def test_a_persons_post_is_answered_by_their_own_line_or_refused(real_engine):
    # the notice appoints 姚辉富 but removes nobody of that name: the former post is not given
    a = real_engine.ask("聊政任〔2023〕14号里姚辉富原来是什么职务？")
    assert not a.answered
    assert a.answer == "已收录的聊城市人民政府公报中没有写明姚辉富的原任职务。建议拨打12345政务服务便民热线咨询。"
    # the removal line names them, its parenthesis listing more posts (with 、)
    b = real_engine.ask("纪浩晴原来在哪个单位任职？")
    assert b.answered and b.citations[0].quote.startswith("纪浩晴的聊城市疾病预防控制中心副主任")
    # another person appointed in the same notice is no answer about the one removed
    c = real_engine.ask("聊政任〔2021〕5号免去李彤交巡警支队副支队长职务以后，改任什么职务了？")
    assert not c.answered and "李彤的新任职务" in c.answer


@pytest.mark.model
def test_a_count_is_answered_by_a_figure_that_counts_the_thing_asked(real_engine):
    # the gazettes count 高新技术企业 (400家) and other firms, never 上市公司
    a = real_engine.ask("截至2020年底聊城一共有多少家上市公司？")
    assert not a.answered
    # a count that names its thing is still answered by it
    b = real_engine.ask("市级学生运动会至少要设几个比赛项目？")
    assert b.answered and "比赛项目" in b.citations[0].quote


@pytest.mark.model
def test_a_day_question_quotes_that_days_item(real_engine):
    a = real_engine.ask("2021年4月20日李长萍主持召开的市政府常务会议研究了哪些工作？")
    assert a.answered
    assert "市政府第93次常务会议，研究金融产业加快发展" in a.citations[0].quote  # not the 13th's nor the 28th's


@pytest.mark.model
def test_an_answer_notes_the_period_it_was_not_asked_in(real_engine):
    a = real_engine.ask("我家是农村低保户，一个月能领多少钱？")
    assert a.answered and a.citations[0].date == "2020-05-26"  # the newest standard first
    assert W.PERIOD_DIFFERS.format(asked="每月", stated="每年", clauses="农村低保提至每人每年4500元") in a.notes
