"""Answer ids and feedback: every answer carries an id and is kept; feedback names it; the
review list (admin token) and its page; `gazette feedback` is in test_cli.py."""
from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.feedback import FeedbackStore
from tests.utils.api import make_settings, make_web_dir, parse_sse
from tests.utils.fake_engine import FakeEngine

TOKEN = "admin-secret"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
ANSWER_ID = re.compile(r"ans_[0-9a-f]{32}")


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, admin_token=TOKEN)


@pytest.fixture
def client(settings, tmp_path):
    with TestClient(create_app(settings, FakeEngine(settings), web_dir=make_web_dir(tmp_path)),
                    raise_server_exceptions=False) as c:
        yield c


def test_every_answer_has_an_id_and_is_kept(client):
    store = client.app.state.feedback
    ask = client.post("/api/ask", json={"question": "烈士褒扬金标准"}).json()
    chat = parse_sse(client.post("/api/chat", json={"question": "火星"}).text)[-1][1]
    v1 = client.post("/v1/chat/completions", json={"model": "m", "messages": [{"role": "user", "content": "烈士"}]}).json()
    ids = [ask["id"], chat["id"], v1["id"]]
    assert all(ANSWER_ID.fullmatch(i) for i in ids) and len(set(ids)) == 3
    kept = store.get_answer(ask["id"])
    assert (kept["route"], kept["question"], kept["answer"], kept["answered"]) == (
        "/api/ask", "烈士褒扬金标准", ask["answer"], True)
    assert kept["citations"] == ask["citations"]
    assert (store.get_answer(chat["id"])["route"], store.get_answer(chat["id"])["answered"]) == ("/api/chat", False)
    assert store.get_answer(v1["id"])["route"] == "/v1/chat/completions"


def test_feedback_by_answer_id_copies_the_answer(client, settings):
    ask = client.post("/api/ask", json={"question": "烈士褒扬金标准"}).json()
    r = client.post("/api/feedback", json={"answer_id": ask["id"], "helpful": False, "comment": "不够具体",
                                           "question": "ignored", "answer": "ignored"})
    assert r.status_code == 201
    row = client.app.state.feedback.get(r.json()["id"])
    assert (row["answer_id"], row["question"], row["answer"], row["helpful"], row["comment"]) == (
        ask["id"], "烈士褒扬金标准", ask["answer"], False, "不够具体")
    assert row["citations"] == ask["citations"]


@pytest.mark.parametrize(
    "payload, status, detail",
    [
        ({"answer_id": "ans_nope", "helpful": True}, 404, "unknown answer id: ans_nope"),
        ({"helpful": True}, 422, "Value error, send answer_id (the id of the answer), or the question"),
        ({"answer_id": "x", "helpful": 0}, 422, "Input should be a valid boolean"),
        ({"answer_id": "x", "helpful": "true"}, 422, "Input should be a valid boolean"),
        ({"answer_id": "", "helpful": True}, 422, "String should have at least 1 character"),
    ],
)
def test_feedback_errors(client, payload, status, detail):
    r = client.post("/api/feedback", json=payload)
    assert r.status_code == status
    got = r.json()["detail"]
    assert (got if isinstance(got, str) else got[0]["msg"]) == detail


def test_review_list_needs_the_admin_token(client, tmp_path):
    assert client.get("/api/admin/feedback").status_code == 401
    r = client.get("/api/admin/feedback", headers={"Authorization": "Bearer wrong"})
    assert (r.status_code, r.json()) == (401, {"detail": "missing or wrong admin token"})
    off = make_settings(tmp_path / "off")
    with TestClient(create_app(off, FakeEngine(off))) as c:
        r = c.get("/api/admin/feedback", headers=ADMIN)
    assert (r.status_code, r.json()) == (404, {"detail": "admin endpoints are disabled: set GAZETTE_ADMIN_TOKEN"})


def test_review_list_pages_newest_first(client):
    ids = []
    for i in range(5):
        answer_id = client.post("/api/ask", json={"question": f"烈士{i}"}).json()["id"]
        ids.append(client.post("/api/feedback", json={"answer_id": answer_id, "helpful": i % 2 == 0}).json()["id"])
    first = client.get("/api/admin/feedback", params={"limit": 2}, headers=ADMIN).json()
    assert [f["id"] for f in first["feedback"]] == ids[::-1][:2]
    assert first["feedback"][0]["question"] == "烈士4" and first["feedback"][0]["helpful"] is True
    assert first["next_before"] == ids[3]
    rest = client.get("/api/admin/feedback", params={"limit": 5, "before": first["next_before"]}, headers=ADMIN).json()
    assert [f["id"] for f in rest["feedback"]] == ids[::-1][2:] and rest["next_before"] is None


def test_review_page_is_a_shell_without_data(settings):
    """A browser sends no bearer token when it opens a page: the page is free, its data is not."""
    with TestClient(create_app(settings, FakeEngine(settings))) as c:  # the real web/ folder
        answer_id = c.post("/api/ask", json={"question": "烈士"}).json()["id"]
        c.post("/api/feedback", json={"answer_id": answer_id, "helpful": True, "comment": "机密意见"})
        r = c.get("/admin/feedback")
    assert r.status_code == 200 and "回答反馈审阅" in r.text
    assert "机密意见" not in r.text and '<script src="/static/admin-feedback.js" defer></script>' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_a_broken_store_does_not_break_answers(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings = make_settings(tmp_path, cache_dir=blocker)
    with TestClient(create_app(settings, FakeEngine(settings)), raise_server_exceptions=False) as c:
        r = c.post("/api/ask", json={"question": "烈士"})
        assert r.status_code == 200 and ANSWER_ID.fullmatch(r.json()["id"])
        c.app.state.feedback.flush()  # the answer log is written by a background thread
        assert f"answer {r.json()['id']} not kept: feedback store unavailable" in caplog.text
        assert c.post("/api/feedback", json={"answer_id": r.json()["id"], "helpful": True}).status_code == 503


def test_old_answers_are_pruned_unless_feedback_names_them(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3", answer_log_days=30)
    for answer_id in ("old-kept", "old-gone", "new"):
        store.add_answer(answer_id, "/api/ask", "q", "a", [], True)
    store.add("q", "a", [], True, None, answer_id="old-kept")
    long_ago = (datetime.now(timezone.utc) - timedelta(days=31)).isoformat(timespec="seconds")
    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE answers SET created_at = ? WHERE id LIKE 'old-%'", (long_ago,))
    assert store.prune_answers() == 1
    assert store.get_answer("old-gone") is None
    assert store.get_answer("old-kept") is not None and store.get_answer("new") is not None


def test_a_store_from_before_answer_ids_gains_the_column(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL,"
                     " question TEXT NOT NULL, answer TEXT NOT NULL, citations_json TEXT NOT NULL,"
                     " helpful INTEGER NOT NULL, comment TEXT)")
        conn.execute("INSERT INTO feedback (created_at, question, answer, citations_json, helpful)"
                     " VALUES ('2024-01-01T00:00:00+00:00', 'q', 'a', '[]', 1)")
    rows = FeedbackStore(path).export()
    assert rows == [{"id": 1, "created_at": "2024-01-01T00:00:00+00:00", "question": "q", "answer": "a",
                     "citations": [], "helpful": True, "comment": None, "answer_id": None}]
