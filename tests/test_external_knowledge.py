"""Dify's external knowledge API, POST /retrieval, against the fake engine: auth, errors in
Dify's shape, records, the 0–1 score."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from indexer.models import Chunk
from service.app import create_app
from service.results import Hit
from service.routes.external_knowledge import relevance
from tests.utils.api import make_settings
from tests.utils.fake_engine import FakeEngine

KEY = "dify-secret"
AUTH = {"Authorization": f"Bearer {KEY}"}


def body(query="烈士", top_k=3, threshold=0.0, knowledge_id="liaocheng-gazettes", **extra) -> dict:
    return {"knowledge_id": knowledge_id, "query": query,
            "retrieval_setting": {"top_k": top_k, "score_threshold": threshold}, **extra}


@pytest.fixture
def engine(tmp_path) -> FakeEngine:
    return FakeEngine(make_settings(tmp_path, retrieval_key=KEY))


@pytest.fixture
def client(engine):
    with TestClient(create_app(engine.settings, engine), raise_server_exceptions=False) as c:
        yield c


def test_records_have_content_score_title_metadata(client, engine):
    r = client.post("/retrieval", json=body("烈士 褒扬金", top_k=5, metadata_condition={"conditions": []}), headers=AUTH)
    assert r.status_code == 200
    search_call = engine.calls[-1]  # the route's own call, before this test calls the engine itself
    records = r.json()["records"]
    assert [rec["content"] for rec in records] == [h.chunk.text for h in engine.search("烈士 褒扬金", k=5)]
    first = records[0]
    assert set(first) == {"content", "score", "title", "metadata"}
    assert first["title"] == "聊城市烈士褒扬办法"
    assert first["metadata"] == {
        "doc_id": "2023-08-ling46", "docnum": "聊城市人民政府令第46号", "date": "2023-07-24",
        "url": "http://testserver/documents/2023-08-ling46#p1", "section": "聊城市烈士褒扬办法 > 第一章 总则",
    }
    assert all(0.0 <= rec["score"] <= 1.0 for rec in records)
    assert search_call[:3] == ("search", "烈士 褒扬金", 5) and search_call[5] is False  # in the threadpool


def test_top_k_and_threshold(client, engine):
    engine.score = 2 / 61  # the fake gives score/rank: 1.0 for the first hit, 0.5 for the second
    r = client.post("/retrieval", json=body("烈士", top_k=2), headers=AUTH)
    assert [rec["score"] for rec in r.json()["records"]] == [1.0, 0.5]
    r = client.post("/retrieval", json=body("烈士", top_k=2, threshold=0.6), headers=AUTH)
    assert [rec["score"] for rec in r.json()["records"]] == [1.0]
    assert client.post("/retrieval", json=body(top_k=0), headers=AUTH).json() == {"records": []}
    assert client.post("/retrieval", json=body(query="不存在的词"), headers=AUTH).json() == {"records": []}
    client.post("/retrieval", json=body(top_k=10_000), headers=AUTH)
    assert engine.calls[-1][2] == 50  # top_k over 50 counts as 50


def test_public_url_makes_the_links(tmp_path):
    settings = make_settings(tmp_path, retrieval_key=KEY, public_url="https://gazette.example.gov.cn/")
    with TestClient(create_app(settings, FakeEngine(settings))) as c:
        records = c.post("/retrieval", json=body(), headers=AUTH).json()["records"]
    assert records[0]["metadata"]["url"] == "https://gazette.example.gov.cn/documents/2023-08-ling46#p1"


@pytest.mark.parametrize(
    "headers, status, code, message",
    [
        ({}, 401, 1001, "Invalid Authorization header format. Expected 'Bearer <api-key>' format."),
        ({"Authorization": f"Basic {KEY}"}, 401, 1001, "Invalid Authorization header format. Expected 'Bearer <api-key>' format."),
        ({"Authorization": "Bearer"}, 401, 1001, "Invalid Authorization header format. Expected 'Bearer <api-key>' format."),
        ({"Authorization": "Bearer wrong"}, 403, 1002, "Authorization failed"),
        ({"Authorization": f"Bearer {KEY}x"}, 403, 1002, "Authorization failed"),
    ],
)
def test_auth_errors_in_difys_shape(client, engine, headers, status, code, message):
    r = client.post("/retrieval", json=body(), headers=headers)
    assert (r.status_code, r.json()) == (status, {"error_code": code, "error_msg": message})
    assert (r.headers.get("www-authenticate") == "Bearer") is (status == 401)
    assert engine.calls == []


def test_auth_is_checked_before_the_body(client):
    r = client.post("/retrieval", json={"nonsense": True})
    assert (r.status_code, r.json()["error_code"]) == (401, 1001)


def test_unknown_knowledge_id_is_2001(client, engine):
    r = client.post("/retrieval", json=body(knowledge_id="other-kb"), headers=AUTH)
    assert (r.status_code, r.json()) == (404, {"error_code": 2001, "error_msg": "The knowledge does not exist"})
    assert engine.calls == []


def test_off_without_a_key(tmp_path):
    settings = make_settings(tmp_path)
    with TestClient(create_app(settings, FakeEngine(settings))) as c:
        r = c.post("/retrieval", json=body(), headers=AUTH)
    assert r.status_code == 404
    assert r.json() == {
        "error_code": 2001,
        "error_msg": "The knowledge does not exist: the external knowledge API is off (set GAZETTE_RETRIEVAL_KEY)",
    }


@pytest.mark.parametrize(
    "payload, loc",
    [
        (body(top_k=-1), ["body", "retrieval_setting", "top_k"]),
        (body(top_k="3"), ["body", "retrieval_setting", "top_k"]),
        (body(threshold=1.5), ["body", "retrieval_setting", "score_threshold"]),
        ({"knowledge_id": "liaocheng-gazettes", "query": "x"}, ["body", "retrieval_setting"]),
        (body(query=5), ["body", "query"]),
    ],
)
def test_bad_bodies_are_422(client, payload, loc):
    r = client.post("/retrieval", json=payload, headers=AUTH)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == loc


def test_blank_or_long_query_is_422(client):
    r = client.post("/retrieval", json=body(query="  "), headers=AUTH)
    assert (r.status_code, r.json()) == (422, {"detail": "query must not be empty"})
    r = client.post("/retrieval", json=body(query="查" * 51), headers=AUTH)
    assert (r.status_code, r.json()) == (422, {"detail": "query too long: 51 characters (max 50)"})


def _hit(score: float) -> Hit:
    chunk = Chunk("d-c0000", "d", 0, ("d-p0001",), ("t",), "text", 4, None, "t", None, "通知", None)
    return Hit(chunk, score, 1)


@pytest.mark.parametrize(
    "score, expected, reason",
    [
        (2 / 61, 1.0, "first in both the BM25 and the vector ranking"),
        (1 / 61, 0.5, "first in one ranking, absent from the other"),
        (1 / 61 + 1 / 62, 0.9919, "first in one, second in the other"),
        (2 / 110, 0.5545, "fiftieth in both"),
        (0.0, 0.0, "a 文号 match put first without a rank of its own"),
        (1.0, 1.0, "anything above the best fused score is capped"),
    ],
)
def test_relevance_is_the_share_of_the_best_fused_score(score, expected, reason):
    assert relevance(_hit(score)) == pytest.approx(expected, abs=1e-4), reason
