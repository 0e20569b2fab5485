"""The `gazette` subcommands: each parses nothing itself, calls the library, prints the result."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from indexer.settings import get_settings


def cmd_index(args) -> int:
    from indexer.build import build_index

    given = [Path(p) for p in args.paths]
    missing = [p for p in given if not p.exists()]
    for p in missing:
        print(f"gazette: error: {p}: no such file or folder", file=sys.stderr)
    paths = [p for p in given if p.exists()]
    if given and not paths:
        return 1
    report = build_index(get_settings(), paths or None, progress=sys.stderr.isatty())
    for err in report.errors:
        print(f"gazette: error: {err}", file=sys.stderr)
    if report.up_to_date:
        print(f"index up to date: {report.documents} documents, {report.chunks} chunks in {report.index_dir}")
    else:
        print(
            f"indexed {report.documents} documents from {report.files} files into {report.chunks} chunks "
            f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f}s → {report.index_dir}"
        )
    return 1 if report.errors or missing else 0


def cmd_docs(args) -> int:
    from .engine import Engine

    docs = Engine.load(get_settings()).documents() if _index_exists() else _parse_bundled()
    if args.json:
        keys = ("doc_id", "docnum", "title", "issuer", "date", "type", "issue", "validity")
        print(json.dumps([{k: d.summary()[k] for k in keys} for d in docs], ensure_ascii=False, indent=2))
        return 0
    for d in docs:
        print(f"{d.doc_id}  {d.date or '----------'}  {d.type:<3}  {d.docnum or '—':<22}  {d.title}")
    print(f"{len(docs)} documents")
    return 0


def _index_exists() -> bool:
    from indexer.build import MANIFEST

    return (get_settings().index_dir / MANIFEST).is_file()


def _parse_bundled():
    from indexer.parser import parse_corpus

    return parse_corpus([get_settings().corpus_dir])


def cmd_search(args) -> int:
    from .engine import Engine

    engine = Engine.load(get_settings())
    t = time.perf_counter()
    hits = engine.search(args.query, k=args.k, mode=args.mode)
    ms = (time.perf_counter() - t) * 1000
    if args.json:
        print(json.dumps([
            {"rank": h.rank, "score": h.score, "chunk_id": h.chunk.chunk_id, "doc_id": h.chunk.doc_id, "docnum": h.chunk.docnum,
             "title": h.chunk.title, "date": h.chunk.date, "section": h.chunk.section, "text": h.chunk.text}
            for h in hits
        ], ensure_ascii=False, indent=2))
        return 0
    for h in hits:
        label = f"《{h.chunk.title}》" + (f"（{h.chunk.docnum}）" if h.chunk.docnum else "")
        print(f"[{h.rank}] {label} {h.chunk.date or ''}\n    {h.chunk.section}\n    {h.chunk.text[:160].replace(chr(10), ' ')}")
    print(f"{len(hits)} passages in {ms:.0f} ms")
    return 0


def cmd_ask(args) -> int:
    from .engine import Engine
    from .server import print_answer

    answer = Engine.load(get_settings()).ask(args.question)
    print_answer(answer, as_json=args.json)
    return 0


def cmd_serve(args) -> int:
    from .server import run_server

    run_server(get_settings(), args.host, args.port)
    return 0


def cmd_feedback(args) -> int:
    from .feedback import FeedbackStore

    settings = get_settings()
    rows = FeedbackStore(settings.feedback_db).export()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        verdict = "helpful" if row["helpful"] else "not helpful"
        print(f"#{row['id']}  {row['created_at']}  {verdict:<11}  {row['question']}")
        if row["comment"]:
            print(f"    comment: {row['comment']}")
    helpful = sum(1 for r in rows if r["helpful"])
    print(f"{len(rows)} feedback ({helpful} helpful, {len(rows) - helpful} not helpful) in {settings.feedback_db}")
    return 0
