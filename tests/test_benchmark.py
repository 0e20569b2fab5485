"""The benchmark tier: the real engine on a subsample of the dev set, and the API over the real engine."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parent.parent / "eval" / "data" / "dev.jsonl"


@pytest.mark.model
def test_dev_subsample_meets_product_targets(real_engine, tmp_path):
    from eval.dataset import load_questions
    from eval.report import write_reports
    from eval.runner import run_eval

    questions, errors = load_questions(DEV)
    assert errors == []
    sample = questions[::4] + [q for q in questions if not q.answerable][::2]
    report = run_eval(sample, ["hybrid", "bm25", "dense"], engine=real_engine, progress=False)
    hybrid = report.overall["hybrid"]
    assert hybrid["recall@5"] >= 0.95
    assert hybrid["evidence@5"] >= 0.90
    assert hybrid["citation_precision"] >= 0.90
    assert hybrid["quote_faithfulness"] == 1.0
    assert hybrid["refusal_f1"] >= 0.75
    assert hybrid["mrr"] >= 0.9
    assert set(report.overall) == {"hybrid", "bm25", "dense"}
    paths = write_reports(report, tmp_path)
    saved = json.loads(paths["json"].read_text("utf-8"))
    assert saved["overall"]["hybrid"]["recall@5"] == hybrid["recall@5"]
    assert "<svg" in paths["html"].read_text("utf-8")


@pytest.mark.model
def test_api_over_the_real_engine(real_engine, real_settings):
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app(real_settings, real_engine)) as client:
        r = client.post("/api/ask", json={"question": "烈士遗属坐公交车要钱吗？"})
        assert r.status_code == 200
        body = r.json()
        assert body["answered"] is True
        first = body["citations"][0]
        assert first["docnum"] == "聊城市人民政府令第46号" and "免费乘坐公交车" in first["quote"]
        assert "[1]" in body["answer"]

        r = client.get("/api/search", params={"q": "聊政办字[2018]76号", "k": 3})
        assert r.json()["results"][0]["docnum"] == "聊政办字〔2018〕76号"

        r = client.get("/api/documents", params={"docnum": "聊政办字〔2018〕78 号"})
        (doc,) = r.json()["documents"]
        full = client.get(f"/api/documents/{doc['doc_id']}").json()
        assert any("每人每月440元" in p["text"] for p in full["paragraphs"])

        r = client.post("/api/ask", json={"question": "护照丢了怎么补办？"})
        assert r.json()["answered"] is False and r.json()["citations"] == []
