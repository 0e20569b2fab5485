"""POST /v1/chat/completions and GET /v1/models, with the official `openai` SDK as the client
against a live uvicorn server (fake engine): streaming and not, references, errors, feedback."""
from __future__ import annotations

import json
import re

import httpx
import openai
import pytest

from tests.utils.api import make_settings, make_web_dir
from tests.utils.fake_engine import FakeEngine
from tests.utils.live import serve

ANSWER = "烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍[1]。该办法自2023年9月1日起施行。"
REFERENCE = {
    "n": 1, "docnum": "聊城市人民政府令第46号", "title": "聊城市烈士褒扬办法", "date": "2023-07-24",
    "quote": "第十九条 烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍。",
}


@pytest.fixture
def engine(tmp_path) -> FakeEngine:
    return FakeEngine(make_settings(tmp_path))


@pytest.fixture
def base_url(tmp_path, engine):
    with serve(engine.settings, engine, make_web_dir(tmp_path)) as url:
        yield url


@pytest.fixture
def client(base_url) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0, timeout=20)


def test_models_lists_the_gazette_model(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["liaocheng-gazette"]
    assert models.data[0].owned_by == "liaocheng-gazette-qa"


def test_completion_answers_the_last_user_message_with_history(client, engine, base_url):
    completion = client.chat.completions.create(
        model="gpt-4o",  # any name: the service has one model
        messages=[
            {"role": "system", "content": "你是助手"},
            {"role": "user", "content": "烈士遗属有什么优待？"},
            {"role": "assistant", "content": "见《聊城市烈士褒扬办法》。"},
            {"role": "user", "content": " 烈士褒扬金标准是多少？ "},
        ],
    )
    assert re.fullmatch(r"ans_[0-9a-f]{32}", completion.id)
    assert completion.object == "chat.completion" and completion.model == "liaocheng-gazette"
    choice = completion.choices[0]
    assert (choice.message.role, choice.message.content, choice.finish_reason) == ("assistant", ANSWER, "stop")
    assert completion.usage.completion_tokens > 0
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    extra = completion.model_extra
    assert extra["answered"] is True
    assert extra["references"] == [{**REFERENCE, "url": f"{base_url}/documents/2023-08-ling46#p2"}]
    name, question, history, top_k, filters, mode, in_loop = engine.calls[-1]
    assert (name, question, top_k, filters, mode) == ("ask", "烈士褒扬金标准是多少？", None, None, "hybrid")
    assert history == [
        {"role": "user", "content": "烈士遗属有什么优待？"},
        {"role": "assistant", "content": "见《聊城市烈士褒扬办法》。"},
    ]
    assert in_loop is False  # engine.ask ran in the threadpool, as /api/ask runs it


def test_completion_streams_chunks_and_ends_with_references(client, base_url):
    stream = client.chat.completions.create(
        model="liaocheng-gazette", messages=[{"role": "user", "content": "烈士褒扬金标准"}], stream=True
    )
    chunks = list(stream)
    assert len(chunks) >= 4
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert len({c.id for c in chunks}) == 1 and chunks[0].id.startswith("ans_")
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == ANSWER
    assert [c.choices[0].finish_reason for c in chunks][-1] == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert chunks[-1].model_extra["references"] == [{**REFERENCE, "url": f"{base_url}/documents/2023-08-ling46#p2"}]
    assert chunks[-1].model_extra["answered"] is True
    assert all("references" not in c.model_extra for c in chunks[:-1])


def test_stream_wire_format_ends_with_done(base_url):
    body = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "烈士"}]}
    with httpx.stream("POST", f"{base_url}/v1/chat/completions", json=body, timeout=10) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [block for block in text.split("\n\n") if block]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    assert json.loads(events[-2][len("data: "):])["choices"][0]["finish_reason"] == "stop"


def test_refusal_has_no_references(client):
    completion = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "火星上有公报吗"}])
    assert completion.choices[0].message.content == "公报中没有找到相关内容。"
    assert completion.model_extra["answered"] is False and completion.model_extra["references"] == []


@pytest.mark.parametrize(
    "messages, error, message",
    [
        ([{"role": "assistant", "content": "你好"}], openai.UnprocessableEntityError,
         "messages: messages must include a user message (the question)"),
        ([{"role": "user", "content": "   "}], openai.UnprocessableEntityError,
         "question (the last user message) must not be empty"),
        ([{"role": "user", "content": "问" * 51}], openai.UnprocessableEntityError,
         "question (the last user message) too long: 51 characters (max 50)"),
        ([], openai.UnprocessableEntityError, "messages: List should have at least 1 item after validation, not 0"),
        ([{"role": "user", "content": "refuse"}], openai.BadRequestError, "filters match no document"),
        ([{"role": "user", "content": "noindex"}], openai.InternalServerError, "no index at /tmp/x; run `gazette index`"),
    ],
)
def test_errors_come_in_openai_shape(client, messages, error, message):
    with pytest.raises(error) as info:
        client.chat.completions.create(model="m", messages=messages)
    assert info.value.body["message"] == message
    assert info.value.body["type"] in ("invalid_request_error", "server_error")


def test_stream_failure_is_an_error_event(client):
    with pytest.raises(openai.APIError, match="internal error while answering"):
        list(client.chat.completions.create(model="m", messages=[{"role": "user", "content": "boom"}], stream=True))


def test_feedback_refers_to_a_completion(client, base_url):
    completion = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "烈士褒扬金"}])
    r = httpx.post(f"{base_url}/api/feedback", json={"answer_id": completion.id, "helpful": False}, timeout=10)
    assert r.status_code == 201
    admin_free = httpx.get(f"{base_url}/api/admin/feedback", timeout=10)
    assert admin_free.status_code == 404  # no admin token configured: the review endpoints are off
