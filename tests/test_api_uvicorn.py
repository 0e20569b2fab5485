"""The service over real HTTP: a uvicorn server on 127.0.0.1 (free port), the fake engine, httpx."""
from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.utils.api import make_settings, make_web_dir, parse_sse
from tests.utils.fake_engine import FakeEngine
from tests.utils.live import serve


@pytest.fixture
def engine(tmp_path) -> FakeEngine:
    return FakeEngine(make_settings(tmp_path))


@pytest.fixture
def base_url(tmp_path, engine):
    """build_server (what run_server runs) in a thread on port 0, with the fake engine."""
    with serve(engine.settings, engine, make_web_dir(tmp_path)) as url:
        yield url


def test_healthz_over_http(base_url):
    r = httpx.get(f"{base_url}/healthz", timeout=10)
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["documents"] == 3


def test_ask_over_http(base_url):
    r = httpx.post(f"{base_url}/api/ask", json={"question": "烈士褒扬金标准是多少？"}, timeout=10)
    assert r.status_code == 200
    data = r.json()
    assert data["answered"] is True
    assert data["citations"][0]["url"] == "/documents/2023-08-ling46#p2"
    r = httpx.post(f"{base_url}/api/ask", json={"question": "  "}, timeout=10)
    assert (r.status_code, r.json()) == (422, {"detail": "question must not be empty"})
    r = httpx.post(f"{base_url}/api/ask", json={"question": "问" * 51}, timeout=10)
    assert (r.status_code, r.json()) == (422, {"detail": "question too long: 51 characters (max 50)"})


def test_chat_streams_over_http(base_url):
    with httpx.stream("POST", f"{base_url}/api/chat", json={"question": "烈士褒扬金标准"}, timeout=10) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = parse_sse(body)
    assert [n for n, _ in events][:2] == ["citations", "delta"] and events[-1][0] == "done"
    assert "".join(d["text"] for n, d in events if n == "delta") == events[-1][1]["answer"]


def test_concurrent_requests_over_http(base_url):
    with httpx.Client(base_url=base_url, timeout=10) as client:
        results: list[int] = []

        def ask():
            results.append(client.post("/api/ask", json={"question": "烈士"}).status_code)

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert results == [200] * 8


def test_pages_over_http(base_url):
    r = httpx.get(f"{base_url}/", timeout=10)
    assert r.status_code == 200 and "chat" in r.text
    assert httpx.get(f"{base_url}/static/app.js", timeout=10).status_code == 200
    assert httpx.get(f"{base_url}/docs", timeout=10).status_code == 200


@pytest.mark.parametrize("path", ["/api/ask", "/api/chat"])
def test_slow_answer_does_not_block_other_requests(base_url, engine, path):
    """The engine runs in the threadpool: /healthz answers while a question is being answered."""
    outcome: list[int] = []
    asker = threading.Thread(
        target=lambda: outcome.append(httpx.post(f"{base_url}{path}", json={"question": "slow"}, timeout=20).status_code)
    )
    asker.start()
    assert engine.slow_started.wait(10)
    started = time.monotonic()
    assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
    assert time.monotonic() - started < 2
    assert outcome == []  # the slow answer is still pending
    engine.slow_release.set()
    asker.join(20)
    assert outcome == [200]
