"""Running the service: .env settings, the JSON request log, /metrics, security headers, rate limits."""
from __future__ import annotations

import io
import json
import logging
import os
import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from indexer.settings import Settings
from service.app import WEB_DIR, create_app
from service.request_log import REQUEST_LOGGER, JsonLineFormatter
from service.schemas.common import NOT_BLANK_PATTERN
from tests.utils.api import make_settings, make_web_dir
from tests.utils.fake_engine import FakeEngine


def make_client(tmp_path, **overrides) -> TestClient:
    settings = make_settings(tmp_path, **overrides)
    return TestClient(create_app(settings, FakeEngine(settings), web_dir=make_web_dir(tmp_path)),
                      raise_server_exceptions=False)


@pytest.fixture
def log_lines():
    """The request log's lines as dicts, captured through the JSON formatter the service uses."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


# ---- .env --------------------------------------------------------------------------------


def test_settings_read_dotenv_and_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setitem(Settings.model_config, "env_file", ".env")  # conftest turns it off for other tests
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "GAZETTE_TOP_K=7\nGAZETTE_RETRIEVAL_KEY=from-dotenv\nGAZETTE_LOG_QUESTIONS=true\nOTHER_TOOL=x\n", "utf-8")
    monkeypatch.setenv("GAZETTE_TOP_K", "9")
    settings = Settings()
    assert settings.top_k == 9  # the environment wins over .env
    assert settings.retrieval_key.get_secret_value() == "from-dotenv" and settings.log_questions is True


def test_bad_rate_limit_setting_fails_fast():
    with pytest.raises(ValidationError, match=r"not a rate limit: 'lots' \(examples: '20/minute'"):
        Settings(rate_limit_feedback="lots")


# ---- request log -------------------------------------------------------------------------


def test_one_json_line_per_request_without_the_question(tmp_path, log_lines):
    with make_client(tmp_path) as c:
        r = c.post("/api/ask", json={"question": "烈士褒扬金标准是多少？"}, headers={"X-Request-ID": "req-42"})
        c.post("/api/ask", json={"question": "火星上有公报吗"})
        c.get("/api/search", params={"q": "褒扬金"})
        c.get("/api/documents/nope")
    assert r.headers["x-request-id"] == "req-42"
    lines = log_lines()
    assert len(lines) == 4
    first, refused, search, missing = lines
    assert {k: first[k] for k in ("event", "level", "request_id", "method", "route", "status", "answered", "citations")} == {
        "event": "request", "level": "info", "request_id": "req-42", "method": "POST", "route": "/api/ask",
        "status": 200, "answered": True, "citations": 1,
    }
    assert first["latency_ms"] >= 0 and re.match(r"\d{4}-\d\d-\d\dT", first["ts"])
    assert (refused["answered"], refused["citations"]) == (False, 0)
    assert re.fullmatch(r"[0-9a-f]{16}", refused["request_id"])
    assert (search["route"], missing["route"], missing["status"]) == ("/api/search", "/api/documents/{doc_id}", 404)
    assert "answered" not in search
    text = json.dumps(lines, ensure_ascii=False)
    assert "烈士褒扬金标准" not in text and "火星" not in text and "褒扬金" not in text


def test_questions_are_logged_when_the_setting_allows(tmp_path, log_lines):
    with make_client(tmp_path, log_questions=True) as c:
        c.post("/api/chat", json={"question": "烈士褒扬金标准"})
        c.post("/v1/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "火星"}]})
    chat, v1 = log_lines()
    assert (chat["route"], chat["question"], chat["answered"]) == ("/api/chat", "烈士褒扬金标准", True)
    assert (v1["route"], v1["question"], v1["answered"]) == ("/v1/chat/completions", "火星", False)


def test_odd_request_ids_are_replaced(tmp_path, log_lines):
    with make_client(tmp_path) as c:
        r = c.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{16}", r.headers["x-request-id"])
    assert log_lines()[0]["request_id"] == r.headers["x-request-id"]


# ---- /metrics ----------------------------------------------------------------------------


def metric(text: str, name: str, **labels) -> float | None:
    """The value of one sample of the Prometheus text, or None."""
    for line in text.splitlines():
        if line.startswith(name + ("{" if labels else " ")) and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_requests_answers_and_show_the_index(tmp_path):
    with make_client(tmp_path) as c:
        c.app.state.engine.manifest = {"built_at": "2024-05-01T08:30:00"}
        for q in ("烈士", "烈士褒扬", "火星"):
            c.post("/api/ask", json={"question": q})
        c.get("/api/documents/2018-09-76")
        r = c.get("/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        text = r.text
        assert metric(text, "http_requests_total", handler="/api/ask", method="POST", status="2xx") == 3
        assert metric(text, "http_requests_total", handler="/api/documents/{doc_id}", status="2xx") == 1
        assert metric(text, "http_request_duration_seconds_count", handler="/api/ask", method="POST") == 3
        assert metric(text, "gazette_answers_total", route="/api/ask", outcome="answered") == 2
        assert metric(text, "gazette_answers_total", route="/api/ask", outcome="refused") == 1
        assert metric(text, "gazette_index_documents") == 3
        assert metric(text, "gazette_index_chunks") == len(c.app.state.engine.chunks)
        import time

        assert metric(text, "gazette_index_built_timestamp_seconds") == time.mktime((2024, 5, 1, 8, 30, 0, 0, 0, -1))
        # the engine is read at each scrape: a swapped-in index shows at once
        c.app.state.engine = FakeEngine(c.app.state.settings, documents=c.app.state.engine.documents()[:1])
        assert metric(c.get("/metrics").text, "gazette_index_documents") == 1


def test_metrics_of_two_apps_do_not_clash(tmp_path):
    with make_client(tmp_path / "a") as a, make_client(tmp_path / "b") as b:
        a.post("/api/ask", json={"question": "烈士"})
        assert metric(a.get("/metrics").text, "gazette_answers_total", route="/api/ask", outcome="answered") == 1
        assert metric(b.get("/metrics").text, "gazette_answers_total", route="/api/ask", outcome="answered") is None


# ---- security headers --------------------------------------------------------------------


def test_pages_get_a_strict_csp_and_nosniff(tmp_path):
    with make_client(tmp_path) as c:
        for path in ("/", "/agent", "/documents/2023-08-ling46", "/static/app.js", "/api/documents", "/nope"):
            h = c.get(path).headers
            assert h["x-content-type-options"] == "nosniff", path
            assert h["x-frame-options"] == "DENY", path
            csp = dict(part.strip().split(" ", 1) for part in h["content-security-policy"].split(";"))
            assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'", path
            assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'", path
        docs = c.get("/docs").headers  # Swagger UI comes from a CDN with inline script: framing rule only
        assert docs["content-security-policy"] == "frame-ancestors 'none'"
        assert docs["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("page", sorted(p.name for p in WEB_DIR.glob("*.html")))
def test_pages_have_no_inline_script_or_style(page):
    """What the strict CSP would block: inline <script>, <style>, style="", on*="" handlers."""
    html = (WEB_DIR / page).read_text("utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all(re.search(r'\bsrc="/static/[\w.-]+\.js"', attrs) and not body.strip() for attrs, body in scripts)
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html)
    assert not re.search(r"\son[a-z]+\s*=", html)


# ---- rate limits -------------------------------------------------------------------------


def test_feedback_and_admin_are_rate_limited(tmp_path, log_lines):
    with make_client(tmp_path, rate_limit_feedback="2/minute", rate_limit_admin="3/minute", admin_token="t") as c:
        statuses = [c.post("/api/feedback", json={"question": "q", "helpful": True}).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]
        r = c.post("/api/feedback", json={"question": "q", "helpful": True})
        assert r.json() == {"detail": "rate limit exceeded: 2 per 1 minute"}
        assert 1 <= int(r.headers["retry-after"]) <= 60
        admin = [c.get("/api/admin/feedback", headers={"Authorization": "Bearer t"}).status_code for _ in range(4)]
        metrics = c.get("/metrics").text
        assert metric(metrics, "http_requests_total", handler="/api/feedback", method="POST", status="4xx") == 2
        assert admin == [200, 200, 200, 429]
        assert c.get("/api/admin/whatever").status_code == 429  # every /api/admin/* route, whoever adds it
        assert all(c.post("/api/ask", json={"question": "烈士"}).status_code == 200 for _ in range(5))
        assert c.get("/admin/feedback").status_code != 429  # the page shell is not limited
    refused = [line for line in log_lines() if line["status"] == 429]
    assert {line["route"] for line in refused} == {"/api/feedback", "/api/admin/feedback", "unmatched"}
    assert log_lines()[-1]["route"] == "/admin/feedback"  # a page route, 404 here: the test web folder has no such page


def test_openapi_leaves_out_what_the_settings_switch_off(tmp_path):
    with make_client(tmp_path / "off") as c:
        off = set(c.get("/openapi.json").json()["paths"])
        assert c.get("/api/admin/feedback").status_code == 404  # still there, answering that it is off
    with make_client(tmp_path / "on", admin_token="t", retrieval_key="k") as c:
        on = set(c.get("/openapi.json").json()["paths"])
    assert on - off == {"/api/admin/feedback", "/retrieval", "/api/admin/documents", "/api/admin/documents/{source}",
                        "/api/admin/progress"}


def test_openapi_documents_the_429s_and_the_question_limits(tmp_path):
    with make_client(tmp_path, admin_token="t", retrieval_key="k") as c:
        doc = c.get("/openapi.json").json()
    assert "429" in doc["paths"]["/api/feedback"]["post"]["responses"]
    assert "429" in doc["paths"]["/api/admin/feedback"]["get"]["responses"]
    assert "429" not in doc["paths"]["/api/ask"]["post"]["responses"]
    question = doc["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert (question["minLength"], question["maxLength"], question["pattern"]) == (1, 50, NOT_BLANK_PATTERN)
    for blank in (" ", "\u3000", "\x1d\t", "\u2028"):
        assert not re.search(NOT_BLANK_PATTERN, blank) and not blank.strip()
    knowledge_id = doc["components"]["schemas"]["RetrievalRequest"]["properties"]["knowledge_id"]
    assert knowledge_id["enum"] == ["liaocheng-gazettes"]
    q = next(p for p in doc["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 50


@pytest.mark.parametrize("workers, cores, threads", [(1, 2, 2), (2, 2, 1), (3, 2, 1), (2, 8, 4)])
def test_workers_share_the_cores_for_the_encoder(workers, cores, threads):
    from service.server import worker_threads

    assert worker_threads(workers, cores) == threads


def test_inference_threads_setting_reaches_the_encoder(monkeypatch):
    from indexer.embedder import _threads

    monkeypatch.setenv("GAZETTE_INFERENCE_THREADS", "1")
    assert _threads(Settings()) == 1
    monkeypatch.delenv("GAZETTE_INFERENCE_THREADS")
    assert _threads(Settings()) == max(1, min(2, os.cpu_count() or 1))
