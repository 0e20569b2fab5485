"""Latency benchmark: warm `search` and `ask` on the real index, with where the time goes.

    .venv/bin/python scripts/bench.py [--questions eval/data/dev.jsonl] [--n 200] [--http] [--build]
    .venv/bin/python scripts/bench.py --encoders [--n 200]
    .venv/bin/python scripts/bench.py --cold 5
    .venv/bin/python scripts/bench.py --ingest             (scripts/bench_ingest.py: gazettes as published)
    .venv/bin/python scripts/bench.py --scale 100000      (--scale 1000000: about 1.5 GB per index copy)
    .venv/bin/python scripts/bench.py --backends
    .venv/bin/python scripts/bench.py --load 32 --seconds 60 [--url http://127.0.0.1:8000] [--serve [--workers 2]]

--http also measures POST /api/ask through a real uvicorn process on 127.0.0.1.
--build also times a full index build from scratch (no embedding cache) into a temp folder.
--encoders only: query-embedding latency of each query encoder (torch, onnx-fp32, onnx-int8) in
one process, tokenisation included, and each one's cosine to torch's vectors.
--load only: N concurrent clients POST /api/ask to a server on 127.0.0.1 for S seconds (each sends
its next question when the previous answer arrives), then answers/s, latency percentiles, errors.
--scale only: flat FAISS vs IVF (nprobe 16…128) and HNSW (efSearch 64…256, up to 300k vectors) on N
synthetic clustered vectors: build, single-thread query p50, recall@10 against exact search, and the
cheapest setting meeting recall ≥ 0.95 and p50 ≤ 10 ms.
--backends only: doc@1/doc@5/ev@5 and search latency on the questions, FAISS vs the Milvus backend
(milvus-lite), with the local BM25 or Milvus' full-text BM25 as hybrid's lexical side.
--cold only: wall time of fresh `gazette ask` and `gazette search` processes (median of RUNS).
--serve starts that server (`gazette serve`, or uvicorn with --workers) and stops it afterwards;
it also reports the server's resident memory (VmRSS, and the peak VmHWM) over all its processes.
Figures are printed as JSON and written to test-output/bench.json (or bench-encoders/-load.json).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's packages, not an installed copy

from indexer.settings import REPO_ROOT, Settings, get_settings  # noqa: E402

ENCODERS = ("torch", "onnx-fp32", "onnx-int8")


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95), "mean": round(statistics.mean(values), 2)}


def bench_encoders(settings: Settings, questions: list[str]) -> dict:
    """Per-question embedding latency (ms) of each query encoder, and cosine of its vectors to torch's."""
    import numpy as np

    from indexer.embedder import load_embedder

    out, reference = {}, None
    for encoder in ENCODERS:
        embedder = load_embedder(settings.model_copy(update={"query_encoder": encoder}))
        for q in questions[:10]:
            embedder.embed_query(q)
        ms, vectors = [], []
        for q in questions:
            t = time.perf_counter()
            vectors.append(embedder.embed_query(q))
            ms.append((time.perf_counter() - t) * 1000)
        vectors = np.stack(vectors)
        reference = vectors if reference is None else reference
        cosine = (vectors * reference).sum(axis=1)
        out[encoder] = {"embed_query_ms": summary(ms), "cosine_to_torch_min": round(float(cosine.min()), 4),
                        "cosine_to_torch_mean": round(float(cosine.mean()), 4)}
        del embedder
    return out


def load_questions(path: Path, n: int) -> list[str]:
    qs = [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines() if line.strip()]
    return (qs * (n // max(len(qs), 1) + 1))[:n]


MAX_CLIENTS, MAX_SECONDS = 256, 600  # a load test here, not a load generator for anything else


def check_local_url(url: str) -> str:
    """The base URL, if it points at 127.0.0.1 (or localhost); the load test goes nowhere else."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"bench.py: --url must be http://127.0.0.1:PORT (got {url!r})")
    return url.rstrip("/")


async def _load(url: str, questions: list[str], clients: int, seconds: float) -> dict:
    import asyncio

    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    async def client(n: int, http: httpx.AsyncClient) -> None:
        i = n
        while time.perf_counter() < deadline:
            q = questions[i % len(questions)]
            i += clients
            t = time.perf_counter()
            try:
                r = await http.post(url + "/api/ask", json={"question": q})
                if r.status_code == 200:
                    latencies.append((time.perf_counter() - t) * 1000)
                else:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
            except httpx.HTTPError as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        for q in questions[:5]:  # warm-up, not counted
            await http.post(url + "/api/ask", json={"question": q})
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(client(n, http) for n in range(clients)))
        elapsed = time.perf_counter() - started
    s = sorted(latencies)
    return {
        "clients": clients, "seconds": round(elapsed, 1), "answers": len(s),
        "answers_per_s": round(len(s) / elapsed, 1),
        "p50_ms": pct(s, 50) if s else None, "p95_ms": pct(s, 95) if s else None, "p99_ms": pct(s, 99) if s else None,
        "errors": errors,
    }


def bench_load(url: str, questions: list[str], clients: int, seconds: float) -> dict:
    """N clients, each asking its next question as soon as its previous answer came back, for S seconds."""
    import asyncio

    if not 1 <= clients <= MAX_CLIENTS or not 0 < seconds <= MAX_SECONDS:
        raise SystemExit(f"bench.py: --load takes 1..{MAX_CLIENTS} clients and --seconds 0..{MAX_SECONDS}")
    return asyncio.run(_load(check_local_url(url), questions, clients, seconds))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int):
    """`gazette serve` on 127.0.0.1:port with that many worker processes; waits until it answers."""
    import os
    import subprocess

    import httpx

    cmd = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"bench.py: the server exited with {proc.returncode}: {' '.join(cmd)}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("bench.py: the server did not start within 300 s")


def _descendants(pid: int) -> list[int]:
    """The pid and every process below it (uvicorn's workers), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def server_memory_mb(pid: int) -> dict:
    """Resident memory now (VmRSS) and at its peak (VmHWM) of the server and its workers, summed, in MB."""
    rss = hwm = 0
    for p in _descendants(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss += int(fields.get("VmRSS", "0 kB").split()[0])
        hwm += int(fields.get("VmHWM", "0 kB").split()[0])
    return {"server_rss_mb": round(rss / 1024), "server_peak_rss_mb": round(hwm / 1024)}


def bench_cold(runs: int, question: str) -> dict:
    """Wall time (s) of fresh `gazette ask` / `gazette search` processes (imports, index and model loading included)."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = {}
    for name, args in (("ask", ["ask", question]), ("search", ["search", question]),
                       ("search_bm25", ["search", question, "--mode", "bm25"])):
        seconds = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=REPO_ROOT, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds.append(time.perf_counter() - t)
        out[f"cold_{name}_s"] = {"runs": runs, "median": round(statistics.median(seconds), 2),
                                 "min": round(min(seconds), 2), "max": round(max(seconds), 2)}
    return out


SCALE_RECALL = 0.95  # the target: recall@10 against exact search
SCALE_P50_MS = 10.0  # and search p50 on one thread (the engine searches single-threaded)
HNSW_MAX = 300_000  # HNSW's build is single-pass graph insertion: minutes per 100k on 2 cores; skipped above


def synthetic_vectors(n: int, dim: int, rng, block: int = 100_000):
    """n unit vectors around n/500 random centres (like chunk vectors, which bunch up), float32,
    generated in blocks so 1M × 384 needs 1.5 GB, not a float64 copy as well."""
    import numpy as np

    centres = rng.standard_normal((max(n // 500, 8), dim), dtype=np.float32)
    data = np.empty((n, dim), np.float32)
    for start in range(0, n, block):
        stop = min(n, start + block)
        data[start:stop] = centres[rng.integers(0, len(centres), stop - start)]
        data[start:stop] += 0.6 * rng.standard_normal((stop - start, dim), dtype=np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    return data


def bench_scale(n: int, dim: int = 384, queries: int = 200, k: int = 10,
                nprobes: tuple[int, ...] = (16, 32, 64, 128), ef_searches: tuple[int, ...] = (64, 128, 256)) -> dict:
    """Flat FAISS against IVF (several nprobe) and HNSW (several efSearch, up to HNSW_MAX vectors) on
    n synthetic unit vectors: build time, single-thread query p50/p95, recall@k against exact search.
    `chosen`: the cheapest setting with recall ≥ SCALE_RECALL and p50 ≤ SCALE_P50_MS, if any.
    Builds use both cores; searches one thread, as the engine does."""
    import faiss
    import numpy as np

    rng = np.random.default_rng(0)
    t = time.perf_counter()
    data = synthetic_vectors(n, dim, rng)
    qs = data[rng.integers(0, n, queries)] + 0.3 * rng.standard_normal((queries, dim), dtype=np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    nlist = max(16, int(4 * np.sqrt(n)))
    out: dict = {"n": n, "dim": dim, "queries": queries, "k": k, "data_s": round(time.perf_counter() - t, 1),
                 "target": {f"recall@{k}": SCALE_RECALL, "p50_ms": SCALE_P50_MS}}

    def timed_search(index, name, build_s, extra=None):
        faiss.omp_set_num_threads(1)
        ms, found = [], []
        for q in qs:
            t0 = time.perf_counter()
            _, rows = index.search(q.reshape(1, -1), k)
            ms.append((time.perf_counter() - t0) * 1000)
            found.append(rows[0])
        recall = float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found, truth)]))
        out[name] = {"build_s": round(build_s, 1), "search_ms": summary(ms), f"recall@{k}_vs_flat": round(recall, 4), **(extra or {})}

    faiss.omp_set_num_threads(2)
    t = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(data)
    flat_build = time.perf_counter() - t
    _, truth = flat.search(qs, k)  # exact neighbours, all queries at once
    timed_search(flat, "flat", flat_build)
    del flat

    faiss.omp_set_num_threads(2)
    t = time.perf_counter()
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(data[rng.choice(n, min(n, 40 * nlist), replace=False)])
    ivf.add(data)
    ivf_build = time.perf_counter() - t
    for nprobe in nprobes:
        ivf.nprobe = nprobe
        timed_search(ivf, f"ivf{nlist}_nprobe{nprobe}", ivf_build, {"nlist": nlist, "nprobe": nprobe})
    del ivf, quantizer

    if n <= HNSW_MAX:
        faiss.omp_set_num_threads(2)
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(data)
        hnsw_build = time.perf_counter() - t
        for ef in ef_searches:
            hnsw.hnsw.efSearch = ef
            timed_search(hnsw, f"hnsw32_ef{ef}", hnsw_build, {"efSearch": ef})
        del hnsw
    else:
        out["hnsw"] = f"skipped above {HNSW_MAX} vectors (build time)"
    faiss.omp_set_num_threads(1)

    ok = [(v["search_ms"]["p50"], name) for name, v in out.items()
          if isinstance(v, dict) and name != "flat" and f"recall@{k}_vs_flat" in v
          and v[f"recall@{k}_vs_flat"] >= SCALE_RECALL and v["search_ms"]["p50"] <= SCALE_P50_MS]
    out["chosen"] = min(ok)[1] if ok else None
    return out


def bench_backends(settings: Settings, questions_file: Path) -> dict:
    """The same dev questions through the FAISS backend and the Milvus backend (milvus-lite, a
    temporary file unless GAZETTE_MILVUS_URI is set), with the local BM25 or Milvus' own full-text
    BM25 (jieba analyzer) as the lexical side of hybrid. Query vectors are computed once, before
    any timing, so search_ms is retrieval (and fusion) alone."""
    from eval.dataset import load_questions as load_eval_questions
    from eval.runner import retrieval_figures
    from indexer.milvus_store import MilvusStore
    from service.engine import Engine
    from service.retrieval import Retriever

    questions, _ = load_eval_questions(questions_file)
    faiss_engine = Engine.load(settings, warm=False)
    vectors: dict[str, object] = {}
    embed = faiss_engine.retriever.embedder.embed_query

    def cached(text):
        if text not in vectors:
            vectors[text] = embed(text)
        return vectors[text]

    faiss_engine.retriever.embedder.embed_query = cached
    for q in questions:  # embedded once, before any timing: search_ms is retrieval alone
        cached(q.question)
    out: dict = {"questions": len(questions), "faiss": {}, "milvus": {}, "milvus_fulltext_bm25": {}}
    for mode in ("hybrid", "dense", "bm25"):
        out["faiss"][mode] = retrieval_figures(faiss_engine, questions, mode)
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        ms = settings.model_copy(update={"vector_backend": "milvus", "milvus_collection": "gazette_bench",  # never a service's
                                         "milvus_uri": settings.milvus_uri or str(Path(tmp) / "bench.db")})
        t = time.perf_counter()
        engine = Engine.load(ms, embedder=faiss_engine.retriever.embedder, warm=False)
        out["milvus"]["load_and_sync_s"] = round(time.perf_counter() - t, 2)
        for mode in ("hybrid", "dense"):
            out["milvus"][mode] = retrieval_figures(engine, questions, mode)
        # Milvus full-text search as the lexical side: a collection with the text and its BM25
        store = MilvusStore(ms, full_text=True)
        chash, idx = engine.manifest["corpus_hash"], engine.retriever
        t = time.perf_counter()
        store.sync(chash, len(engine.chunks), lambda: (engine.documents(), engine.chunks,
                                                      faiss_engine.retriever.dense.index.reconstruct_n(0, len(engine.chunks))))
        out["milvus_fulltext_bm25"]["sync_s"] = round(time.perf_counter() - t, 2)
        ft = Engine(ms, engine.store, Retriever(engine.store, idx.dense, store.full_text_search(chash), idx.embedder),
                    engine.manifest, engine.sentence_vectors)
        for mode in ("hybrid", "bm25"):
            out["milvus_fulltext_bm25"][mode] = retrieval_figures(ft, questions, mode)
    return out


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
    import threading

    from service.server import build_server

    server = build_server(settings, "127.0.0.1", 0, engine=engine)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        in_thread = sequential_asks(f"http://127.0.0.1:{port}", questions)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    # The in-thread server shares this process (and its GIL) with the client; a server process of
    # its own, as `gazette serve` runs it, is measured too. Neither is the clean number: on 2 cores
    # the client always competes with the server for CPU.
    proc, url = start_server(free_port(), 1)
    try:
        own_process = sequential_asks(url, questions)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"http_ask_ms": in_thread, "http_ask_own_process_ms": own_process}


def sequential_asks(base_url: str, questions: list[str]) -> dict:
    """Latency of POST /api/ask, one question at a time, after 10 warm-up questions."""
    import httpx

    with httpx.Client(timeout=30) as client:
        for q in questions[:10]:
            client.post(base_url + "/api/ask", json={"question": q})
        ms = []
        for q in questions:
            t = time.perf_counter()
            r = client.post(base_url + "/api/ask", json={"question": q})
            ms.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
    return summary(ms)


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
    ap.add_argument("--encoders", action="store_true", help="only: query-embedding latency per query encoder")
    ap.add_argument("--load", type=int, metavar="N", help="only: N concurrent clients against /api/ask")
    ap.add_argument("--seconds", type=float, default=30, help="how long --load runs")
    ap.add_argument("--url", default="http://127.0.0.1:8000", help="the server --load targets (127.0.0.1 only)")
    ap.add_argument("--serve", action="store_true", help="start the server for --load on a free port, stop it after")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server --serve starts")
    ap.add_argument("--scale", type=int, metavar="N", help="only: flat FAISS vs HNSW/IVF on N synthetic vectors")
    ap.add_argument("--backends", action="store_true", help="only: doc@1/doc@5/ev@5 and search latency, FAISS vs Milvus (lite)")
    ap.add_argument("--cold", type=int, metavar="RUNS", help="only: wall time of RUNS fresh `gazette ask`/`search` processes")
    ap.add_argument("--ingest", action="store_true", help="only: PDF s/page (text layer, OCR) and upload-to-answer of a printed issue (scripts/bench_ingest.py)")
    args = ap.parse_args()
    if args.ingest:
        import bench_ingest

        return bench_ingest.main()

    settings = get_settings()
    if args.backends:
        return _write("bench-backends.json", bench_backends(settings, Path(args.questions)))
    if args.scale:
        return _write("bench-scale.json", bench_scale(args.scale))
    if args.cold:
        result = bench_cold(args.cold, "烈士遗属坐公交车要钱吗？")
        result["query_encoder"] = settings.query_encoder
        return _write("bench-cold.json", result)
    if args.encoders:
        return _write("bench-encoders.json", bench_encoders(settings, load_questions(Path(args.questions), args.n)))
    if args.load:
        questions = load_questions(Path(args.questions), 10_000)
        if not args.serve:
            return _write("bench-load.json", bench_load(args.url, questions, args.load, args.seconds))
        proc, url = start_server(free_port(), args.workers)
        try:
            result = bench_load(url, questions, args.load, args.seconds)
            result.update(server_memory_mb(proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        result.update(workers=args.workers, query_encoder=settings.query_encoder)
        return _write("bench-load.json", result)

    from service.engine import Engine

    t = time.perf_counter()
    engine = Engine.load(settings)
    result = {"load_s": round(time.perf_counter() - t, 2), "model": engine.model_name}
    questions = load_questions(Path(args.questions), args.n)
    result.update(bench_engine(engine, questions))
    if args.http:
        result.update(bench_http(settings, engine, questions))
    if args.build:
        result.update(bench_build(settings))
    _write("bench.json", result)


def _write(name: str, result: dict) -> None:
    out = REPO_ROOT / "test-output" / name
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
