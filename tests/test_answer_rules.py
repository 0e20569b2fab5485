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

    from service.answer import AnswerPolicy, _with_parts
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
