"""The benchmark runner: metrics on hand-computed examples, the question loader, and a full run
over a fake engine that writes report.json / report.md / report.html."""
from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import httpx
import pytest

from eval import metrics as M
from eval.command import cmd_eval
from eval.dataset import Question, load_questions
from eval.report import describe_failures, nice_ticks, write_reports
from eval.results import RetrievedChunk
from eval.runner import parse_systems, run_eval
from indexer.errors import GazetteError
from service.results import Answer
from tests.utils.eval_fakes import D5, D76, Q1, Q2, FakeEngine, fake_questions

# ---------------------------------------------------------------- metrics


def doc(doc_id, docnum, title):
    return SimpleNamespace(doc_id=doc_id, docnum=docnum, title=title)


def test_normalise_ref_brackets_spaces_and_title_marks():
    assert M.normalise_ref("聊政办字[2018] 76 号") == M.normalise_ref("聊政办字〔2018〕76号")
    assert M.normalise_ref("聊政办字（2018）76号") == "聊政办字〔2018〕76号"
    assert M.normalise_ref("《聊城市人民政府大事记(2020年4月)》") == M.normalise_ref("聊城市人民政府大事记（2020年4月）")


def test_distinct_documents_keep_first_occurrence():
    hits = [doc("a", "A1", "a"), doc("b", None, "b"), doc("a", "A1", "a"), doc("c", "C1", "c")]
    assert [d.doc_id for d in M.distinct_documents(hits)] == ["a", "b", "c"]


def test_gold_ranks_recall_at_k_and_mrr():
    docs = [doc("x", "聊政发〔2020〕5号", "X"), doc("y", None, "聊城市人民政府大事记（2020年4月）"),
            doc("z", "聊政办字〔2018〕76号", "Z")]
    gold = ["聊政办字[2018]76号", "聊城市人民政府大事记(2020年4月)", "聊政字〔2099〕1号"]
    ranks = M.gold_ranks(gold, docs)
    assert ranks == [3, 2, None]
    assert M.recall_at_k(ranks, 1) == 0.0
    assert M.recall_at_k(ranks, 2) == pytest.approx(1 / 3)
    assert M.recall_at_k(ranks, 3) == pytest.approx(2 / 3)
    assert M.reciprocal_rank(ranks) == 0.5
    assert M.reciprocal_rank([None]) == 0.0
    assert M.recall_at_k([], 5) is None and M.reciprocal_rank([]) is None


def test_evidence_ranks_ignore_whitespace_and_use_concatenated_top_k():
    chunks = ["全市生产总值增长 3.7 %；", "城镇新增就业\n6.78 万人", "其他内容"]
    evidence = ["生产总值增长3.7%", "新增就业 6.78万人", "不存在的句子", "3.7%；城镇"]
    ranks = M.evidence_ranks(evidence, chunks)
    assert ranks == [1, 2, None, 2]  # the last spans chunks 1–2: found in the top-2 concatenation
    assert M.recall_at_k(ranks, 1) == 0.25
    assert M.recall_at_k(ranks, 2) == 0.75


def test_citation_precision_and_recall():
    cited = [doc("a", "聊政发〔2020〕5号", "A"), doc("a", "聊政发〔2020〕5号", "A"), doc("b", "聊政字〔2020〕1号", "B")]
    gold = ["聊政发[2020]5号", "聊政办字〔2018〕76号"]
    assert M.citation_precision(cited, gold) == 0.5  # a matches, b does not (a counted once)
    assert M.citation_recall(cited, gold) == 0.5
    assert M.citation_precision([], gold) == 0.0
    assert M.citation_recall(cited, []) is None


def test_quote_is_verbatim():
    paragraphs = ["第一条 为了弘扬烈士精神。", "第二条 本办法适用于全市。"]
    assert M.quote_is_verbatim("为了弘扬烈士精神", paragraphs)
    assert M.quote_is_verbatim("烈士精神。\n第二条", paragraphs)  # consecutive paragraphs
    assert not M.quote_is_verbatim("为了弘扬 烈士精神", paragraphs)  # no normalisation
    assert not M.quote_is_verbatim("  ", paragraphs)
    assert not M.quote_is_verbatim("第一条", None)


def test_extract_facts_figures_dates_docnums_terms():
    facts = M.extract_facts([
        "2019 年全市生产总值增长 3.7%，新增就业 6.78 万人，提高 11.9 个百分点，“十七连丰”",
        "根据聊政办字[2018] 76号，自2021年1月1日起施行，二〇二〇年五月二十六日印发",
    ])
    assert [f.text for f in facts] == [
        "2019年", "3.7%", "6.78万人", "11.9个百分点", "十七连丰",
        "聊政办字〔2018〕76号", "2021年1月1日", "2020年5月26日",
    ]
    assert "2021-01-01" in facts[6].variants and "二〇二〇年五月二十六日" in facts[7].variants


def test_fact_recall_exact_values():
    facts = M.extract_facts(["增长 3.7%，新增 6.78 万人，自2021年1月1日起施行"])
    assert len(facts) == 3
    assert M.fact_recall(facts, "增长3.7％，2021-01-01起施行") == pytest.approx(2 / 3)
    assert M.fact_recall(facts, "增长13.7%") == 0.0  # not matched in the middle of a number
    assert M.fact_recall([], "anything") is None


def test_facts_bare_decimals_and_question_echo():
    assert [f.text for f in M.extract_facts(["第十条 死亡率控制在0.011以内，热线12345"])] == ["0.011"]
    assert M.fact_recall(M.extract_facts(["控制在0.011以内"]), "控制在0.0115以内") == 0.0
    # figures the question already states are not facts of the answer
    assert [f.text for f in M.extract_facts(["2019年全市生产总值增长3.7%"], "2019年生产总值增长多少？")] == ["3.7%"]


def test_answer_facts_chinese_numerals_gold_filter_and_key_terms():
    ev = ["不小于五百米、不大于一千米，应当在十五个工作日内答复，一年来"]
    assert M.extract_facts(ev) == []  # Chinese-numeral quantities only in answer_facts
    facts = M.answer_facts(ev)
    assert [(f.text, f.variants[-1]) for f in facts] == [
        ("五百米", "500米"), ("一千米", "1000米"), ("十五个工作日", "15个工作日")]  # no lone 一年
    assert M.fact_recall(facts, "500米到1000米之间，15个工作日") == 1.0
    # with a gold answer, only the facts it states
    kept = M.answer_facts(["城镇、农村分别增长 7.1% 和 9.8%"], "城镇居民收入增长多少？", gold_answer="增长7.1%")
    assert [f.text for f in kept] == ["7.1%"]
    # no figure: key terms (jieba nouns) not in the question, only with a gold answer that states them
    ev, q = ["退役军人事务部门负责本行政区域内烈士褒扬工作"], "烈士褒扬工作归哪个部门管？"
    assert M.key_terms(ev[0]) == ["本行政区域", "退役军人", "烈士"]
    assert M.answer_facts(ev, q) == []
    assert [f.text for f in M.answer_facts(ev, q, gold_answer="退役军人事务部门")] == ["退役军人"]


def test_refusal_scores_hand_computed():
    answerable = [False, False, False, False, True, True, True]
    answered = [False, False, True, True, False, True, True]
    s = M.refusal_scores(answerable, answered)
    assert (s.tp, s.fp, s.fn, s.tn) == (2, 1, 2, 2)
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == 0.5
    assert s.f1 == pytest.approx(4 / 7)
    none_refused = M.refusal_scores([True, False], [True, True])
    assert none_refused.precision is None and none_refused.recall == 0.0 and none_refused.f1 is None


def test_percentile_mean_and_ticks():
    assert M.percentile([10, 20, 30, 40], 50) == 25
    assert M.percentile(list(range(1, 11)), 95) == pytest.approx(9.55)
    assert M.percentile([], 50) is None
    assert M.mean([1.0, None, 0.0]) == 0.5 and M.mean([None]) is None
    assert nice_ticks(87) == [0, 20, 40, 60, 80, 100]


# ---------------------------------------------------------------- dataset


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good(**over):
    q = {"id": "q1", "question": "问题？", "answerable": True, "gold_docnums": ["聊政发〔2020〕5号"],
         "evidence": ["证据"], "kind": "figure"}
    q.update(over)
    return json.dumps(q, ensure_ascii=False)


def test_load_questions_reports_malformed_lines_by_number(tmp_path):
    path = write_lines(tmp_path / "q.jsonl", [
        good(id="a"),
        "{not json",
        json.dumps({"id": "c", "answerable": True, "gold_docnums": [], "evidence": []}),
        good(id="d", answerable="yes"),
        "",
        good(id="f", gold_docnums="聊政发〔2020〕5号"),
        good(id="a"),
        good(id="h", evidence=["ok", 3]),
        "[1, 2]",
        good(id="j", answerable=False, gold_docnums=[], evidence=[], kind=None, gold_answer="无"),
        json.dumps({"question": "无编号", "answerable": False, "gold_docnums": [], "evidence": []}),
    ])
    questions, errors = load_questions(path)
    assert [q.id for q in questions] == ["a", "j", "line11"]
    assert errors[0].startswith("line 2: invalid JSON")
    assert errors[1:] == [
        "line 3: missing field 'question'",
        "line 4: field 'answerable' must be a boolean, got string",
        "line 6: field 'gold_docnums' must be a list, got string",
        "line 7: duplicate id 'a'",
        "line 8: field 'evidence' item 1 must be a string, got number",
        "line 9: expected a JSON object, got list",
    ]
    assert questions[1].kind == "unspecified" and questions[1].gold_answer == "无"
    assert questions[0] == Question(id="a", question="问题？", answerable=True,
                                    gold_docnums=("聊政发〔2020〕5号",), evidence=("证据",),
                                    kind="figure", line=1)


def test_load_questions_missing_file(tmp_path):
    with pytest.raises(GazetteError, match="cannot read question file"):
        load_questions(tmp_path / "nope.jsonl")


def test_parse_systems():
    assert parse_systems("hybrid, bm25,hybrid") == ["hybrid", "bm25"]
    with pytest.raises(GazetteError, match="unknown system"):
        parse_systems("hybrid,splade")


@pytest.fixture
def report():
    return run_eval(fake_questions(), ["hybrid", "bm25"], engine=FakeEngine(), progress=False)


def test_run_eval_overall_metrics(report):
    h, b = report.overall["hybrid"], report.overall["bm25"]
    assert (h["recall@1"], h["recall@3"], h["recall@10"]) == (pytest.approx(2 / 3), 1.0, 1.0)
    assert h["mrr"] == pytest.approx(2.5 / 3)
    assert (b["recall@1"], b["recall@3"], b["recall@5"]) == (pytest.approx(1 / 3), pytest.approx(2 / 3),
                                                              pytest.approx(2 / 3))
    assert b["mrr"] == pytest.approx(4 / 9)
    assert h["evidence@1"] == pytest.approx(2 / 3) and h["evidence@3"] == 1.0
    assert b["evidence@1"] == pytest.approx(1 / 6) and b["evidence@3"] == pytest.approx(2 / 3)
    assert (h["citation_precision"], h["citation_recall"]) == (pytest.approx(2.5 / 3), 1.0)
    assert (b["citation_precision"], b["citation_recall"]) == (0.5, 0.5)
    assert h["quote_faithfulness"] == 0.75 and b["quote_faithfulness"] == 1.0
    assert h["fact_recall"] == pytest.approx(2.5 / 3) and b["fact_recall"] == 0.5
    assert (h["refusal_precision"], h["refusal_recall"], h["refusal_f1"]) == (1.0, 1.0, 1.0)
    assert (b["refusal_precision"], b["refusal_recall"], b["refusal_f1"]) == (0.0, 0.0, 0.0)
    assert h["answered"] == 3 and b["answered"] == 3
    assert h["ask_p50_ms"] >= 0 and h["search_p95_ms"] >= 0
    assert report.by_kind["bm25"]["figure"]["recall@1"] == 0.5
    assert report.by_kind["hybrid"]["unanswerable"]["refusal_recall"] == 1.0


def test_run_eval_calls_every_mode_with_k10():
    engine = FakeEngine()
    run_eval(fake_questions()[:1], "hybrid,bm25", engine=engine, progress=False, warmup=False)
    assert engine.calls == [("search", Q1, 10, "hybrid"), ("ask", Q1, None, "hybrid"),
                            ("search", Q1, 10, "bm25"), ("ask", Q1, None, "bm25")]


def test_describe_failures(report):
    qs = {q.id: q for q in fake_questions()}
    bm25 = {r.question_id: r for r in report.results["bm25"]}
    hybrid = {r.question_id: r for r in report.results["hybrid"]}
    assert describe_failures(qs["q1"], bm25["q1"]) == ["refused an answerable question"]
    assert describe_failures(qs["q3"], bm25["q3"])[0] == (
        f"gold 聊城市人民政府大事记(2020年4月) not in top 5; got {D76}, {D5}")
    assert "evidence not retrieved in top 5 chunks: «4月2日，市长主持召开常务会议»" in describe_failures(qs["q3"], bm25["q3"])
    assert describe_failures(qs["q4"], bm25["q4"]) == [f"answered an unanswerable one; cited {D5}"]
    assert describe_failures(qs["q2"], hybrid["q2"]) == [
        f"cited non-gold {D76}", f"quote [2] not verbatim in {D76}: «编造的引文»", "answer lacks 6.78万人"]
    assert describe_failures(qs["q1"], hybrid["q1"]) == []


def test_refusal_f1_without_true_positive_is_zero():
    # like bm25 above: refused one answerable question, answered the unanswerable one
    s = M.refusal_scores([True, True, True, False], [False, True, True, True])
    assert (s.tp, s.fp, s.fn, s.tn) == (0, 1, 1, 2)
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)


def test_write_reports(report, tmp_path):
    paths = write_reports(report, tmp_path / "out")
    assert sorted(p.name for p in paths.values()) == ["report.html", "report.json", "report.md"]

    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["systems"] == ["hybrid", "bm25"]
    assert data["overall"]["hybrid"]["recall@1"] == pytest.approx(2 / 3)
    assert data["overall"]["bm25"]["mrr"] == pytest.approx(4 / 9)
    assert len(data["results"]["bm25"]) == 4
    r1 = data["results"]["bm25"][0]
    assert r1["question_id"] == "q1" and r1["gold_ranks"] == [3] and r1["ask"]["answered"] is False
    assert [c["chunk_id"] for c in r1["search"]["chunks"]] == ["d2-c0000", "d3-c0000", "d1-c0001"]
    assert {m["id"] for m in data["misses"] if m["system"] == "bm25"} == {"q1", "q3", "q4"}
    assert "recall@k" in data["metric_definitions"]

    md = paths["md"].read_text(encoding="utf-8")
    assert "| system | n | R@1 | R@3 | R@5 | R@10 | MRR |" in md
    assert "| hybrid | 4 | 0.667 | 1.000 | 1.000 | 1.000 | 0.833 |" in md
    assert "| bm25 | 4 | 0.333 | 0.667 | 0.667 | 0.667 | 0.444 |" in md
    assert "## By kind — bm25" in md and "| figure | 2 | 0.500 |" in md
    assert "| bm25 | q1 | figure | 烈士褒扬金标准是多少？ | refused an answerable question |" in md
    assert "&lt;script&gt;" in md

    page = paths["html"].read_text(encoding="utf-8")
    assert page.count("<svg") == 5 and "Document recall@k" in page and "Ask latency" in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "src=" not in page and "href=" not in page and "@import" not in page
    assert "<td>refused an answerable question</td>" not in page  # failures are list items
    assert "<li>refused an answerable question</li>" in page


def test_cmd_eval_with_fake_engine(tmp_path, monkeypatch, capsys):
    lines = [json.dumps({"id": q.id, "question": q.question, "answerable": q.answerable,
                         "gold_docnums": list(q.gold_docnums), "evidence": list(q.evidence), "kind": q.kind},
                        ensure_ascii=False) for q in fake_questions()]
    path = write_lines(tmp_path / "dev.jsonl", lines[:2] + ['{"question": 1}'] + lines[2:])
    monkeypatch.setattr("eval.command._load_engine", FakeEngine)
    args = argparse.Namespace(questions=str(path), endpoint=None, systems="hybrid,bm25",
                              out=str(tmp_path / "out"), limit=3)
    assert cmd_eval(args) == 0
    out, err = capsys.readouterr()
    assert "line 3: field 'question' must be a string, got number" in err
    assert "R@1" in out and "hybrid" in out and "bm25" in out
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["meta"]["questions"] == 3 and data["dataset_errors"] == [
        "line 3: field 'question' must be a string, got number"]


def test_cmd_eval_reports_dev_and_test_side_by_side(tmp_path, monkeypatch, capsys):
    lines = [json.dumps({"id": q.id, "question": q.question, "answerable": q.answerable,
                         "gold_docnums": list(q.gold_docnums), "evidence": list(q.evidence), "kind": q.kind},
                        ensure_ascii=False) for q in fake_questions()]
    dev = write_lines(tmp_path / "dev.jsonl", lines[:3])
    test = write_lines(tmp_path / "test.jsonl", lines[3:])
    monkeypatch.setattr("eval.command._load_engine", FakeEngine)
    args = argparse.Namespace(questions=[str(dev), str(test)], endpoint=None, systems="hybrid",
                              out=str(tmp_path / "out"), limit=None)
    assert cmd_eval(args) == 0
    out, _ = capsys.readouterr()
    header = out.splitlines()[0].split()
    assert header == ["metric", "dev:hybrid", "test:hybrid"]
    for name, n in (("dev", 3), ("test", len(lines) - 3)):
        data = json.loads((tmp_path / "out" / name / "report.json").read_text(encoding="utf-8"))
        assert data["meta"]["questions"] == n


# ---------------------------------------------------------------- HTTP endpoint


def test_run_eval_over_http_passes_mode_and_notes_it():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, dict(request.url.params),
                     json.loads(request.content) if request.content else None))
        if request.url.path == "/api/search":
            echoed = {"mode": "hybrid"} if request.url.params["mode"] == "hybrid" else {}
            return httpx.Response(200, json={**echoed, "results": [
                {"doc_id": "d2", "docnum": D5, "title": "t", "text": "全市生产总值增长 3.7%。", "chunk_id": "d2-c0"}]})
        if request.url.path == "/api/ask":
            return httpx.Response(200, json={"answer": "增长3.7%[1]", "answered": True, "timing_ms": {"total": 5},
                                             "citations": [{"n": 1, "doc_id": "d2", "docnum": D5, "title": "t",
                                                            "quote": "全市生产总值增长 3.7%。"}]})
        if request.url.path == "/api/documents/d2":
            return httpx.Response(200, json={"doc_id": "d2", "paragraphs": [{"text": "全市生产总值增长 3.7%。"}]})
        return httpx.Response(404, json={"detail": "not found"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    q = Question("q2", Q2, True, (D5,), ("全市生产总值增长 3.7%",), kind="figure", line=1)
    rep = run_eval([q], ["hybrid", "bm25"], endpoint="http://svc:8000/", progress=False, warmup=False,
                   http_client=client)
    assert ("GET", "/api/search", {"q": Q2, "k": "10", "mode": "bm25"}, None) in seen
    assert ("POST", "/api/ask", {}, {"question": Q2, "mode": "bm25"}) in seen
    for system in ("hybrid", "bm25"):
        o = rep.overall[system]
        assert (o["recall@1"], o["evidence@1"], o["quote_faithfulness"], o["fact_recall"]) == (1.0, 1.0, 1.0, 1.0)
    assert any("did not echo `mode` for: bm25." in n for n in rep.notes)  # hybrid was echoed


def test_evidence_is_also_found_in_the_chunk_title_and_section():
    title = "关于推进创新型城市建设若干措施的通知"
    c = RetrievedChunk(1, "d-c0000", "d", "聊政字〔2020〕15号", title, "一、总体要求", section=f"{title} > 一、总体要求")
    assert M.evidence_ranks([title, "一、总体要求", "二、主要任务"], [c.evidence_text]) == [1, 1, None]


def test_failing_calls_are_recorded_not_fatal():
    class Broken(FakeEngine):
        def search(self, query, k=10, filters=None, mode="hybrid"):
            if mode == "bm25" and query == Q1:
                raise ValueError("question too long")
            return super().search(query, k=k, filters=filters, mode=mode)

        def ask(self, question, history=None, top_k=None, filters=None, mode="hybrid"):
            if mode == "bm25":
                raise RuntimeError("boom")
            return super().ask(question, top_k=top_k, mode=mode)

    rep = run_eval(fake_questions(), ["hybrid", "bm25"], engine=Broken(), progress=False)
    b = rep.overall["bm25"]
    assert (b["search_errors"], b["ask_errors"]) == (1, 4)
    assert b["recall@3"] == pytest.approx(1 / 3)  # the failed search counts as an empty ranking
    assert b["refusal_f1"] is None and b["answered"] == 0 and b["ask_p50_ms"] is None
    r1 = rep.results["bm25"][0]
    assert r1.search.error == "ValueError: question too long" and r1.ask.error == "RuntimeError: boom"
    assert describe_failures(fake_questions()[0], r1)[:2] == [
        "search failed: ValueError: question too long", "ask failed: RuntimeError: boom"]
    assert rep.overall["hybrid"]["ask_errors"] == 0


def test_generated_system_reports_checks_figures_and_first_token(monkeypatch):
    """`generated` retrieves like hybrid and asks for a checked generated answer; with a scripted
    generation the summary counts passes, figure sentences and the time to the first token."""
    from service.generation import generated_answer
    from service.results import AnswerEvent, GenerationRecord

    def scripted_answer(a, question):
        if not a.answered:
            return generated_answer.fall_back(a, generated_answer.NO_PASSAGES)
        if question == Q2:  # a made-up figure: the extractive answer with the reason
            record = GenerationRecord(False, "figure_not_in_source", sentences=2, figures_ok=1, first_token_ms=5.0, text="…")
            return generated_answer.fall_back(a, "figure_not_in_source: 9%", record)
        record = GenerationRecord(True, sentences=1, figures_ok=1, first_token_ms=7.0, text=a.answer)
        return Answer(a.answer, True, a.citations, answer_mode="generated", generation=record)

    def scripted(extractive, question, *args, **kwargs):  # the model's step, after the extractive answer
        yield AnswerEvent("final", answer=scripted_answer(extractive, question))

    monkeypatch.setattr(generated_answer, "generate", scripted)
    engine = FakeEngine()
    rep = run_eval(fake_questions(), "hybrid,generated", engine=engine, progress=False, warmup=False)
    assert {c[3] for c in engine.calls if c[0] == "search"} == {"hybrid"}
    g, h = rep.overall["generated"], rep.overall["hybrid"]
    assert (g["generated"], g["check_pass"], g["generated_shown"], g["fallbacks"]) == (3, 2 / 3, 2, 2)
    assert g["gen_figures_ok"] == 3 / 4
    assert g["first_token_p50_ms"] == 6.0  # 7, 5, 7 and the refusal's whole (sub-5 ms) answer
    assert h["generated"] == 0 and h["check_pass"] is None
    # the answers shown: 30万元 is in q1's quote; both systems show the same extractive text for q2
    assert h["shown_figures_ok"] == g["shown_figures_ok"]
    assert "generated" in parse_systems("hybrid,generated")
