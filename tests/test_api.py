"""The HTTP API against a fake engine: every endpoint, the SSE stream, and the error paths."""
from __future__ import annotations

import json
import re
import sqlite3
import sys
import types

import pytest
from fastapi.testclient import TestClient

from indexer.errors import IndexMissingError
from indexer.settings import Settings
from service.app import create_app
from service.results import Answer, Citation, Filters
from service.routes.ask import split_answer
from service.schemas.search import highlight_spans
from service.server import format_answer, print_answer
from tests.utils.api import make_settings, make_web_dir, parse_sse
from tests.utils.fake_engine import FakeEngine

# ---- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def engine(settings) -> FakeEngine:
    return FakeEngine(settings)


@pytest.fixture
def client(settings, engine, tmp_path):
    app = create_app(settings, engine, web_dir=make_web_dir(tmp_path))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


# ---- health, docs -------------------------------------------------------------------------


def test_healthz_reports_counts_and_model(client, engine):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "documents": 3, "chunks": len(engine.chunks), "model": engine.model_name}


def test_openapi_lists_every_endpoint(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {  # the admin list and Dify's /retrieval are off without their tokens (test_operations)
        "/api/ask", "/api/chat", "/api/search", "/api/documents", "/api/documents/{doc_id}", "/api/documents/{doc_id}/source",
        "/api/feedback", "/healthz", "/api/corpus", "/v1/models", "/v1/chat/completions",
    }
    assert paths["/api/ask"]["post"]["description"].startswith("Answer a question")


# ---- /api/ask -----------------------------------------------------------------------------


def test_ask_returns_answer_with_citations(client, engine):
    body = {
        "question": "  烈士褒扬金标准是多少？ ",
        "history": [{"role": "user", "content": "你好"}, {"role": "assistant", "content": "您好"}],
        "top_k": 3,
        "filters": {"year_from": 2020, "year_to": 2023, "type": "令", "issuer": "人民政府"},
        "mode": "bm25",
    }
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200
    data = r.json()
    assert data["answered"] is True
    assert data["answer"].startswith("烈士褒扬金标准")
    assert data["notes"] == ["本办法自2023年9月1日起施行。"]
    assert data["citations"] == [{
        "n": 1, "doc_id": "2023-08-ling46", "docnum": "聊城市人民政府令第46号", "title": "聊城市烈士褒扬办法",
        "date": "2023-07-24", "section": "聊城市烈士褒扬办法 > 第一章 总则",
        "quote": "第十九条 烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍。",
        "paragraph_id": "2023-08-ling46-p0002", "url": "/documents/2023-08-ling46#p2", "score": 0.9, "page": None, "table": None,
    }]
    assert data["timing_ms"]["retrieve"] == 3.5 and data["timing_ms"]["total"] >= 0
    assert data["mode"] == "bm25"
    name, question, history, top_k, filters, mode, in_loop = engine.calls[-1]
    assert (name, question, top_k, mode) == ("ask", "烈士褒扬金标准是多少？", 3, "bm25")
    assert history == body["history"]
    assert filters == Filters(2020, 2023, "令", "人民政府")
    assert in_loop is False  # ran in the threadpool, not on the event loop


def test_ask_defaults(client, engine):
    r = client.post("/api/ask", json={"question": "烈士褒扬"})
    assert r.status_code == 200
    assert engine.calls[-1][2:6] == ([], None, None, "hybrid")


def test_ask_unanswerable(client):
    r = client.post("/api/ask", json={"question": "火星上有公报吗"})
    assert r.status_code == 200
    assert r.json()["answered"] is False and r.json()["citations"] == []


@pytest.mark.parametrize("question", ["", "   ", "\n\t　"])
def test_ask_blank_question_is_422(client, question):
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 422
    assert r.json() == {"detail": "question must not be empty"}


def test_ask_too_long_question_is_422(client, engine):
    r = client.post("/api/ask", json={"question": "问" * 51})
    assert r.status_code == 422
    assert r.json() == {"detail": "question too long: 51 characters (max 50)"}
    assert client.post("/api/ask", json={"question": "问" * 50}).status_code == 200
    assert all(call[1] != "问" * 51 for call in engine.calls)


def test_ask_invalid_json_is_422(client):
    r = client.post("/api/ask", content=b'{"question": "x"', headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"
    r = client.post("/api/ask", content=b"\xff\xfe garbage", headers={"content-type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize(
    "body, loc",
    [
        ({}, ["body", "question"]),
        ({"question": 5}, ["body", "question"]),
        ({"question": "x", "top_k": 0}, ["body", "top_k"]),
        ({"question": "x", "top_k": 21}, ["body", "top_k"]),
        ({"question": "x", "history": [{"role": "system", "content": "x"}]}, ["body", "history", 0, "role"]),
        ({"question": "x", "history": "hi"}, ["body", "history"]),
        ({"question": "x", "history": [{"role": "user", "content": "x"}] * 41}, ["body", "history"]),
        ({"question": "x", "history": [{"role": "user", "content": "x" * 20001}]}, ["body", "history", 0, "content"]),
        ({"question": "x", "history": [{"role": "user"}]}, ["body", "history", 0, "content"]),
        ({"question": "x", "mode": "magic"}, ["body", "mode"]),
        ({"question": "x", "filters": {"year_from": "abc"}}, ["body", "filters", "year_from"]),
        ({"question": "x", "top_k": "3"}, ["body", "top_k"]),
        ({"question": "x", "filters": {"year_from": "2020"}}, ["body", "filters", "year_from"]),
    ],
)
def test_ask_schema_errors_are_422(client, body, loc):
    r = client.post("/api/ask", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == loc


def test_oversized_body_is_413_before_parsing(client, engine):
    from service.app import MAX_BODY_BYTES

    body = json.dumps({"question": "x", "history": [{"role": "user", "content": "长" * 1000}] * 2000})
    r = client.post("/api/ask", content=body.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": f"request body too large: {len(body.encode())} bytes (max {MAX_BODY_BYTES})"}
    assert engine.calls == []


def test_ask_list_body_is_422(client):
    r = client.post("/api/ask", json=["question"])
    assert r.status_code == 422


def test_reversed_year_range_is_passed_on_and_matches_nothing(client, engine):
    """The schema cannot say year_from <= year_to, so the API does not reject it: the range is empty."""
    r = client.post("/api/ask", json={"question": "烈士", "filters": {"year_from": 2023, "year_to": 2020}})
    assert r.status_code == 200
    assert engine.calls[-1][4] == Filters(2023, 2020, None, None)
    assert client.get("/api/search", params={"q": "烈士", "year_from": 2023, "year_to": 2020}).status_code == 200


def test_ask_domain_errors_become_4xx_or_503(client):
    r = client.post("/api/ask", json={"question": "refuse"})
    assert (r.status_code, r.json()) == (400, {"detail": "filters match no document"})
    r = client.post("/api/ask", json={"question": "noindex"})
    assert (r.status_code, r.json()) == (503, {"detail": "no index at /tmp/x; run `gazette index`"})


def test_ask_engine_crash_is_json_500_and_logged(client, caplog):
    r = client.post("/api/ask", json={"question": "boom"})
    assert r.status_code == 500
    assert r.json() == {"detail": "internal server error"}
    assert "engine crashed" in caplog.text


def test_ask_nan_score_becomes_null(client, engine):
    engine.score = float("nan")
    r = client.post("/api/ask", json={"question": "烈士"})
    assert r.status_code == 200 and r.json()["citations"][0]["score"] is None


def test_ask_and_search_are_sync_endpoints():
    """Plain `def` endpoints run in the threadpool, so engine calls never block the event loop."""
    import inspect

    from service.routes import ask, search

    assert not inspect.iscoroutinefunction(ask.ask_question)
    assert not inspect.iscoroutinefunction(search.search_passages)


# ---- /api/chat (server-sent events) -------------------------------------------------------


def test_chat_streams_citations_deltas_done(client, engine):
    r = client.post("/api/chat", json={"question": "烈士褒扬金标准", "top_k": 2})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-cache"
    events = parse_sse(r.text)
    names = [name for name, _ in events]
    assert names[0] == "citations" and names[-1] == "done"
    assert set(names[1:-1]) == {"delta"} and len(names) >= 4
    expected = client.post("/api/ask", json={"question": "烈士褒扬金标准", "top_k": 2}).json()
    assert events[0][1] == expected["citations"]
    text = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert text == done["answer"] == expected["answer"]
    assert done["answered"] is True and done["notes"] == expected["notes"]
    assert set(done["timing_ms"]) == {"retrieve", "answer", "total"}
    assert done["mode"] == "hybrid"
    assert all(len(d["text"]) <= 40 for n, d in events if n == "delta")
    assert engine.calls[-2][6] is False  # the chat call ran in the threadpool too


def test_chat_wire_format(client):
    r = client.post("/api/chat", json={"question": "火星"})
    assert r.text.startswith("event: citations\ndata: []\n\nevent: delta\ndata: {\"text\":\"公报中没有找到相关内容。\"}\n\n")
    assert r.text.endswith("\n\n")
    done = parse_sse(r.text)[-1][1]
    assert parse_sse(r.text)[-1] == ("done", {
        "id": done["id"], "answer": "公报中没有找到相关内容。", "answered": False, "notes": [], "mode": "hybrid",
        "answer_mode": "extractive", "fallback": None, "check": None, "timing_ms": done["timing_ms"],
    })
    assert re.fullmatch(r"ans_[0-9a-f]{32}", done["id"])


def test_chat_validation_errors_are_plain_http(client):
    r = client.post("/api/chat", json={"question": " "})
    assert (r.status_code, r.json()) == (422, {"detail": "question must not be empty"})
    r = client.post("/api/chat", json={"question": "长" * 60})
    assert (r.status_code, r.json()) == (422, {"detail": "question too long: 60 characters (max 50)"})
    assert client.post("/api/chat", content=b"nope", headers={"content-type": "application/json"}).status_code == 422


def test_chat_engine_errors_become_error_event(client, caplog):
    r = client.post("/api/chat", json={"question": "refuse"})
    assert r.status_code == 200
    assert parse_sse(r.text) == [("error", {"detail": "filters match no document"})]
    r = client.post("/api/chat", json={"question": "boom"})
    assert parse_sse(r.text) == [("error", {"detail": "internal error while answering"})]
    assert "engine crashed" in caplog.text


def test_chat_nan_is_null_in_events(client, engine):
    engine.score = float("inf")
    events = parse_sse(client.post("/api/chat", json={"question": "烈士"}).text)
    assert events[0][1][0]["score"] is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "短句。",
        "烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍[1]。该办法自2023年9月1日起施行[2][13]。",
        "他说：“本办法自公布之日起施行。”随后第二句没有句号但是非常非常非常非常非常非常非常非常长",
        "line one\nline two\n\nline three!",
    ],
)
def test_split_answer_pieces(text):
    pieces = split_answer(text)
    assert "".join(pieces) == text
    assert all(pieces)
    for piece in pieces:
        assert len(piece) <= 20 + 4  # a marker may push a piece a little over
        assert not re.search(r"\[\d*$", piece) or piece == pieces[-1]  # never cut inside [n]


def test_split_answer_cuts_after_sentences_and_keeps_closing_quotes():
    assert split_answer("甲。乙！丙？") == ["甲。", "乙！", "丙？"]
    assert split_answer("他说：“好。”然后走了。") == ["他说：“好。”", "然后走了。"]
    assert split_answer("一" * 45) == ["一" * 20, "一" * 20, "一" * 5]
    assert split_answer("一" * 19 + "[12]二") == ["一" * 19 + "[12]", "二"]


# ---- /api/search --------------------------------------------------------------------------


def test_search_returns_ranked_results_with_highlights(client, engine):
    r = client.get("/api/search", params={"q": " 烈士 褒扬金 ", "k": 5, "mode": "bm25", "year_from": 2020,
                                          "type": "令", "issuer": "人民政府"})
    assert r.status_code == 200
    data = r.json()
    assert (data["query"], data["mode"]) == ("烈士 褒扬金", "bm25")
    assert data["timing_ms"]["bm25"] == 0.5 and data["timing_ms"]["total"] >= 0
    first = data["results"][0]
    assert first["rank"] == 1 and first["doc_id"] == "2023-08-ling46"
    assert first["chunk_id"] == "2023-08-ling46-c0000"
    assert first["url"] == "/documents/2023-08-ling46#p1"
    assert first["section"] == "聊城市烈士褒扬办法 > 第一章 总则"
    assert {k for k in first} == {"rank", "chunk_id", "doc_id", "docnum", "title", "date", "type", "issuer",
                                  "section", "text", "highlights", "score", "url", "page"}
    assert first["page"] is None  # a text source has no pages
    second = data["results"][1]
    spans = second["highlights"]
    assert [second["text"][s:e] for s, e in spans] == ["烈士褒扬金", "烈士"]
    assert engine.calls[-1][:5] == ("search", "烈士 褒扬金", 5, Filters(2020, None, "令", "人民政府"), "bm25")
    assert engine.calls[-1][5] is False


def test_search_no_hits(client):
    r = client.get("/api/search", params={"q": "不存在的词"})
    assert r.status_code == 200 and r.json()["results"] == []


def test_search_bad_input(client):
    r = client.get("/api/search", params={"q": "  "})
    assert (r.status_code, r.json()) == (422, {"detail": "query must not be empty"})
    r = client.get("/api/search", params={"q": "查" * 51})
    assert (r.status_code, r.json()) == (422, {"detail": "query too long: 51 characters (max 50)"})
    for params, loc in [({}, ["query", "q"]), ({"q": "x", "k": 0}, ["query", "k"]),
                        ({"q": "x", "k": "many"}, ["query", "k"]), ({"q": "x", "mode": "fuzzy"}, ["query", "mode"]),
                        ({"q": "x", "year_from": "two"}, ["query", "year_from"])]:
        r = client.get("/api/search", params=params)
        assert r.status_code == 422, params
        assert r.json()["detail"][0]["loc"] == loc


def test_highlight_spans_merge_and_sort():
    text = "烈士褒扬金标准为烈士牺牲时 Income income"
    assert highlight_spans(text, ("烈士", "褒扬", "烈士褒扬金", "", " ")) == [(0, 5), (8, 10)]
    assert highlight_spans(text, ["income"]) == [(14, 20), (21, 27)]
    assert highlight_spans("aaaa", ["aa", "a"]) == [(0, 4)]
    assert highlight_spans("a.b", [".", "a"]) == [(0, 2)]
    assert highlight_spans(text, []) == []


# ---- /api/documents -----------------------------------------------------------------------


def test_list_documents(client):
    r = client.get("/api/documents")
    assert r.status_code == 200
    docs = r.json()["documents"]
    assert [d["doc_id"] for d in docs] == ["2023-08-ling46", "2018-09-76", "2021-04-dsj"]
    assert docs[0]["issue"] == {"year": 2023, "number": "8-9", "total": "245-246"}
    assert docs[0]["validity"]["effective"] == "2023-09-01" and docs[0]["validity"]["repeals"] == []
    assert docs[0]["url"] == "/documents/2023-08-ling46"
    assert docs[2]["docnum"] is None and docs[2]["issue"] is None


@pytest.mark.parametrize("docnum", ["聊政办字〔2018〕76号", "聊政办字[2018]76号", "聊政办字 （2018） 76 号", "聊政办字【2018】76号"])
def test_find_documents_by_docnum(client, docnum):
    r = client.get("/api/documents", params={"docnum": docnum})
    assert r.status_code == 200
    assert [d["doc_id"] for d in r.json()["documents"]] == ["2018-09-76"]


def test_find_documents_unknown_docnum_is_empty(client):
    r = client.get("/api/documents", params={"docnum": "聊政发〔1999〕1号"})
    assert (r.status_code, r.json()) == (200, {"documents": []})
    assert len(client.get("/api/documents", params={"docnum": " "}).json()["documents"]) == 3


def test_read_document(client):
    r = client.get("/api/documents/2023-08-ling46")
    assert r.status_code == 200
    data = r.json()
    assert data["docnum"] == "聊城市人民政府令第46号" and data["type"] == "令"
    assert data["url"] == "/documents/2023-08-ling46"
    assert data["validity"]["statement"] == "本办法自2023年9月1日起施行。"
    assert data["paragraphs"][2] == {
        "paragraph_id": "2023-08-ling46-p0002", "index": 2,
        "heading_path": ["聊城市烈士褒扬办法", "第一章 总则"],
        "text": "第十九条 烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍。", "kind": "text",
        "page": None, "table": None, "day": None, "day_end": None,
    }
    assert (data["source_format"], data["source_pages"], data["source_url"]) == ("text", None, "/api/documents/2023-08-ling46/source")


@pytest.mark.parametrize("doc_id", ["nope", "聊政办字〔2018〕76号", "a b"])
def test_read_unknown_document_is_404(client, doc_id):
    r = client.get(f"/api/documents/{doc_id}")
    assert r.status_code == 404
    assert r.json() == {"detail": f"unknown document: {doc_id}"}


# ---- /api/feedback ------------------------------------------------------------------------


def test_feedback_is_stored_in_sqlite(client, settings):
    body = {"question": "烈士褒扬金标准是多少？", "answer": "30倍[1]。",
            "citations": [{"n": 1, "doc_id": "2023-08-ling46", "docnum": "聊城市人民政府令第46号"}],
            "helpful": True, "comment": "很清楚"}
    r = client.post("/api/feedback", json=body)
    assert r.status_code == 201
    first = r.json()["id"]
    r = client.post("/api/feedback", json={"question": "还有吗", "helpful": False})
    assert (r.status_code, r.json()) == (201, {"id": first + 1})
    with sqlite3.connect(settings.feedback_db) as conn:
        rows = conn.execute("SELECT id, created_at, question, answer, citations_json, helpful, comment "
                            "FROM feedback ORDER BY id").fetchall()
    assert settings.feedback_db.parent == settings.cache_dir
    assert rows[0][0] == first and rows[0][2:] == (body["question"], body["answer"],
                                                   json.dumps(body["citations"], ensure_ascii=False), 1, "很清楚")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", rows[0][1])
    assert rows[1][2:] == ("还有吗", "", "[]", 0, None)
    assert client.app.state.feedback.get(first)["citations"] == body["citations"]


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"question": "", "helpful": True}, ["body", "question"]),
        ({"question": "  ", "helpful": True}, ["body", "question"]),
        ({"question": "q" * 2001, "helpful": True}, ["body", "question"]),
        ({"question": "q"}, ["body", "helpful"]),
        ({"question": "q", "helpful": "maybe"}, ["body", "helpful"]),
        ({"question": "q", "helpful": True, "answer": "a" * 20001}, ["body", "answer"]),
        ({"question": "q", "helpful": True, "comment": "c" * 2001}, ["body", "comment"]),
        ({"question": "q", "helpful": True, "citations": [{}] * 51}, ["body", "citations"]),
        ({"question": "q", "helpful": True, "citations": ["x"]}, ["body", "citations", 0]),
        ({"question": "q", "helpful": True, "citations": [{"q": "x" * 200_001}]}, ["body", "citations"]),
    ],
)
def test_feedback_bad_input_is_422(client, settings, body, loc):
    r = client.post("/api/feedback", json=body)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == loc
    assert not settings.feedback_db.exists() or not sqlite3.connect(settings.feedback_db).execute(
        "SELECT COUNT(*) FROM feedback").fetchone()[0]


def test_feedback_store_unavailable_is_503(tmp_path, engine):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    app = create_app(make_settings(tmp_path, cache_dir=blocker), engine)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/feedback", json={"question": "q", "helpful": True})
        assert r.status_code == 503
        assert r.json()["detail"].startswith("feedback store unavailable: ")
        assert c.get("/healthz").status_code == 200  # the rest of the service still works


# ---- pages --------------------------------------------------------------------------------


def test_pages_are_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "chat 问答" in r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert client.get("/agent").text == "<html>agent</html>"
    r = client.get("/documents/2023-08-ling46")
    assert (r.status_code, r.text) == (200, "<html>document</html>")
    r = client.get("/static/app.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]


def test_unknown_document_page_is_404_with_the_page(client):
    r = client.get("/documents/nope")
    assert (r.status_code, r.text) == (404, "<html>document</html>")


def test_missing_pages_are_404(tmp_path, engine):
    app = create_app(make_settings(tmp_path), engine, web_dir=tmp_path / "no-web")
    with TestClient(app, raise_server_exceptions=False) as c:
        for path in ["/", "/agent", "/documents/2023-08-ling46", "/static/app.js", "/static/"]:
            assert c.get(path).status_code == 404, path
        assert c.get("/").json() == {"detail": "page not found: index.html"}


def test_static_files_stay_inside_the_folder(client, tmp_path):
    (tmp_path / "secret.txt").write_text("secret")
    for path in ["/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2Fsecret.txt",
                 "/static/nope.js"]:
        r = client.get(path)
        assert r.status_code == 404 and "secret" not in r.text, path


# ---- start-up -----------------------------------------------------------------------------


def test_engine_is_loaded_once_at_startup(tmp_path, monkeypatch):
    loads = []

    class LoadingEngine(FakeEngine):
        @classmethod
        def load(cls, settings, embedder=None):
            loads.append(settings)
            return cls(settings)

    monkeypatch.setitem(sys.modules, "service.engine", types.SimpleNamespace(Engine=LoadingEngine))
    settings = make_settings(tmp_path)
    app = create_app(settings)
    assert loads == []
    with TestClient(app) as c:
        assert c.get("/healthz").json()["documents"] == 3
        assert c.post("/api/ask", json={"question": "烈士"}).status_code == 200
    assert loads == [settings]


def test_missing_index_fails_startup(tmp_path, monkeypatch):
    class MissingEngine:
        @classmethod
        def load(cls, settings, embedder=None):
            raise IndexMissingError("no index in /x; run `gazette index` first")

    monkeypatch.setitem(sys.modules, "service.engine", types.SimpleNamespace(Engine=MissingEngine))
    with pytest.raises(IndexMissingError, match="gazette index"):
        with TestClient(create_app(make_settings(tmp_path))):
            pass


# ---- terminal output ----------------------------------------------------------------------


def test_print_answer_text(settings, capsys):
    answer = FakeEngine(settings).ask("烈士褒扬金标准")
    print_answer(answer, as_json=False)
    out = capsys.readouterr().out
    assert out == (
        "烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍[1]。该办法自2023年9月1日起施行。\n"
        "\n来源：\n"
        "[1] 《聊城市烈士褒扬办法》（聊城市人民政府令第46号） 2023-07-24 聊城市烈士褒扬办法 > 第一章 总则\n"
        "    第十九条 烈士褒扬金标准为烈士牺牲时上一年度全国城镇居民人均可支配收入的30倍。\n"
    )


def test_format_answer_without_docnum_or_date():
    citation = Citation(2, "d", None, "大事记", None, "", "2日，开会。\n3日，再开会。", "d-p0001", "/documents/d#p1", 0.1)
    text = format_answer(Answer("见[2]。", True, [citation]))
    assert text == "见[2]。\n\n来源：\n[2] 《大事记》\n    2日，开会。\n    3日，再开会。"
    assert format_answer(Answer("没有找到。", False)) == "没有找到。"


def test_print_answer_json(settings, capsys):
    answer = FakeEngine(settings).ask("烈士褒扬金标准")
    print_answer(answer, as_json=True)
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is True and data["citations"][0]["docnum"] == "聊城市人民政府令第46号"
    assert data["timing_ms"] == {"retrieve": 3.5, "answer": 1.25}
