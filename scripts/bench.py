"""Latency benchmark: warm `search` and `ask` on the real index, with where the time goes.

    .venv/bin/python scripts/bench.py [--questions eval/data/dev.jsonl] [--n 200] [--http] [--build]

--http also measures POST /api/ask through a real uvicorn process on 127.0.0.1.
--build also times a full index build from scratch (no embedding cache) into a temp folder.
Figures are printed as a table and written to test-output/bench.json.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from indexer.settings import REPO_ROOT, Settings, get_settings


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "mean": round(statistics.mean(values), 2)}


def load_questions(path: Path, n: int) -> list[str]:
    qs = [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]
    return (qs * (n // max(len(qs), 1) + 1))[:n]


def bench_engine(engine, questions: list[str]) -> dict:
    for q in questions[:10]:  # warm-up: model, jieba dictionary, term statistics
        engine.ask(q)
    search_ms, ask_ms, parts = [], [], {}
    for q in questions:
        t = time.perf_counter()
        engine.search(q, k=5)
        search_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        ans = engine.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
        for k, v in ans.timing_ms.items():
            parts.setdefault(k, []).append(v)
    return {
        "search_ms": summary(search_ms),
        "ask_ms": summary(ask_ms),
        "ask_breakdown_ms": {k: summary(v) for k, v in parts.items()},
    }


def bench_http(settings: Settings, engine, questions: list[str]) -> dict:
    import httpx

    from service.server import build_server
    import threading

    server = build_server(settings, "127.0.0.1", 0, engine=engine)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}/api/ask"
    with httpx.Client(timeout=30) as client:
        for q in questions[:10]:
            client.post(url, json={"question": q})
        ms = []
        for q in questions:
            t = time.perf_counter()
            r = client.post(url, json={"question": q})
            ms.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
    server.should_exit = True
    thread.join(timeout=10)
    return {"http_ask_ms": summary(ms)}


def bench_build(settings: Settings) -> dict:
    from indexer.build import build_index

    with tempfile.TemporaryDirectory() as tmp:
        fresh = settings.model_copy(update={"cache_dir": Path(tmp)})
        t = time.perf_counter()
        report = build_index(fresh, progress=False)
        return {"build_s": round(time.perf_counter() - t, 1), "chunks": report.chunks, "documents": report.documents}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", default=str(REPO_ROOT / "eval" / "data" / "dev.jsonl"))
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--build", action="store_true")
    args = ap.parse_args()

    from service.engine import Engine

    settings = get_settings()
    t = time.perf_counter()
    engine = Engine.load(settings)
    result = {"load_s": round(time.perf_counter() - t, 2), "model": engine.model_name}
    questions = load_questions(Path(args.questions), args.n)
    result.update(bench_engine(engine, questions))
    if args.http:
        result.update(bench_http(settings, engine, questions))
    if args.build:
        result.update(bench_build(settings))
    out = REPO_ROOT / "test-output" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
