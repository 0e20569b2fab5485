"""The answer pipeline's seams: one entry point, typed refusals, the question parsed once (fake embedder)."""
from __future__ import annotations

import pytest

from service.question import parse_question
from service.refusal import Refusal, RefusalKind


def test_an_extractive_answer_never_reaches_the_generation(fake_engine, fake_settings, monkeypatch):
    """The mode is decided in service/answering.py: extractive (the setting's default, or asked for)
    is the engine's answer, and the model's step is not entered at all."""
    from service import answering
    from service.generation import generated_answer

    def no_generation(*args, **kwargs):
        raise AssertionError("an extractive answer went through service/generation")

    monkeypatch.setattr(generated_answer, "generate", no_generation)
    expected = fake_engine.ask("烈士褒扬金标准")
    for requested in (None, "extractive"):
        a = answering.answer(fake_engine, fake_settings, "烈士褒扬金标准", answer_mode=requested)
        assert (a.answer, a.citations, a.answer_mode) == (expected.answer, expected.citations, "extractive")
    events = list(answering.answer_events(fake_engine, fake_settings, "烈士褒扬金标准"))
    assert [e.kind for e in events] == ["final"] and events[0].answer.answer == expected.answer


def test_the_generated_mode_comes_from_the_request_else_the_setting(fake_engine, fake_settings, monkeypatch):
    from service import answering
    from service.generation import generated_answer
    from service.results import AnswerEvent

    seen = []

    def scripted(extractive, question, *args, **kwargs):
        seen.append(question)
        yield AnswerEvent("final", answer=generated_answer.fall_back(extractive, "scripted"))

    monkeypatch.setattr(generated_answer, "generate", scripted)
    generated_setting = fake_settings.model_copy(update={"answer_mode": "generated"})
    assert answering.answer(fake_engine, fake_settings, "烈士褒扬金标准", answer_mode="generated").fallback == "scripted"
    assert answering.answer(fake_engine, generated_setting, "烈士褒扬金标准").fallback == "scripted"
    assert answering.answer(fake_engine, generated_setting, "烈士褒扬金标准", answer_mode="extractive").fallback is None
    assert seen == ["烈士褒扬金标准", "烈士褒扬金标准"]


@pytest.mark.parametrize("question, by_hard_rule, refusal", [
    ("2016年聊城的低保标准是多少？", True, Refusal(RefusalKind.OTHER_YEAR, {"year": "2016"})),
    # the gazettes mention 上海, but not for this: the decision refuses, naming the place
    ("上海市的低保标准是多少？", False, Refusal(RefusalKind.OTHER_PLACE, {"place": "上海市"})),
    ("排污权有偿使用费每吨多少钱？", False, Refusal(RefusalKind.NO_FIGURE)),
])
def test_a_refusal_is_a_typed_reason(fake_engine, question, by_hard_rule, refusal):
    from service.answer import decide
    from service.assessment import assess

    ctx = fake_engine.answer_context
    q = parse_question(question, None, ctx.term_stats.rare, ctx.term_stats.people_names)
    a = assess(ctx, q, 5, None, "hybrid")
    assert (a.refusal == refusal, decide(ctx, a, 5)) == (by_hard_rule, refusal)


@pytest.mark.parametrize("refusal, text", [
    (Refusal(RefusalKind.OTHER_YEAR, {"year": "2016"}), "已收录的聊城市人民政府公报中没有2016年的这项内容（收录的文件签发于2018年至2023年）。"),
    (Refusal(RefusalKind.OTHER_PLACE, {"place": "上海市"}), "已收录的聊城市人民政府公报只涉及聊城市的事务，没有关于上海市的这项内容。"),
    (Refusal(RefusalKind.UNKNOWN_DOCNUM, {"docnum": "聊政办字〔2019〕99号"}), "已收录的聊城市人民政府公报中没有文号为聊政办字〔2019〕99号的文件。"),
    (Refusal(RefusalKind.NO_FIGURE), "已收录的聊城市人民政府公报中没有写明您问的具体数字。"),
    (Refusal(RefusalKind.NOT_FOUND), "抱歉，已收录的聊城市人民政府公报中没有找到能回答这个问题的内容。"),
])
def test_only_the_writer_puts_a_refusal_into_words(fake_engine, refusal, text):
    from service import wording as W
    from service.answer_writing import refusal_answer

    a = refusal_answer(fake_engine.answer_context, refusal)
    assert (a.answered, a.answer, a.citations) == (False, text + W.HOTLINE, [])


def test_places_and_docnums_are_read_from_the_question_once():
    q = parse_question("上海市的低保标准是多少？")
    assert (q.places, q.docnum, q.query_docnum) == (("上海市",), None, None)
    # a follow-up retrieves with its subject, so the subject's 文号 goes first in retrieval;
    # the follow-up itself names none, so it is no detail question about that document
    history = [{"role": "user", "content": "聊政发〔2016〕56号还有效吗？"}]
    follow_up = parse_question("那由哪个部门负责？", history)
    assert (follow_up.docnum, follow_up.query_docnum, follow_up.places) == (None, "聊政发〔2016〕56号", ())


def test_the_scoring_weights_are_the_policys(fake_engine):
    """rank_sentences scores with the ScoringPolicy it is given: a zero rank prior and no bonuses
    leave only the coverage."""
    from dataclasses import replace

    from service.evidence import rank_sentences
    from service.policy import ScoringPolicy

    ctx = fake_engine.answer_context
    q = parse_question("城区供热直供到户由哪个部门牵头？", None, ctx.term_stats.rare, ctx.term_stats.people_names)
    hits = ctx.search(q.query, k=5, mode="bm25", question=q)
    flat = ScoringPolicy(**{f: 0.0 for f in ScoringPolicy.__dataclass_fields__ if f != "context_share"})
    assert all(c.score == c.cover for c in rank_sentences(hits, ctx.paragraph, q, ctx.term_stats, scoring=flat))
    ranked = rank_sentences(hits, ctx.paragraph, q, ctx.term_stats)
    assert any(c.score > c.cover + ScoringPolicy().rank_prior / (c.hit.rank + 1) for c in ranked)  # a bonus was earned
    no_context = rank_sentences(hits, ctx.paragraph, q, ctx.term_stats, scoring=replace(flat, context_share=0.0))
    assert sum(c.cover for c in no_context) < sum(c.cover for c in ranked)
