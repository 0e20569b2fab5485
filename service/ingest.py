"""Corpus changes in a running service: one at a time, then the new index is served without a restart.

A change (files uploaded, a source removed) rebuilds the index beside the old one and swaps the
folder in (indexer.build); a new Engine is loaded from it and app.state.engine is replaced.
A request already running keeps the engine it started with (routes take it once, through
EngineDep), so nothing in flight fails; the next request gets the new engine. The embedding
model of the running engine is reused for the build and the new engine: it is loaded once.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.corpus import AddReport, Content, IngestStep, RemoveReport, add_files, remove_source
from indexer.embedder import Embedder

if TYPE_CHECKING:
    from starlette.datastructures import State


def serving_embedder(engine) -> Embedder | None:
    """The running engine's embedding model, or None (then the build loads the configured one)."""
    return getattr(getattr(engine, "retriever", None), "embedder", None)


def _swap_engine(state: State, embedder: Embedder | None) -> None:
    from service.engine import Engine

    state.engine = Engine.load(state.settings, embedder=embedder)  # loaded first, then one assignment


def add_uploads(state: State, files: list[tuple[str, Content]]) -> AddReport:
    """Add files to the corpus (indexer.corpus.add_files); serve the new index if it changed.

    state.ingest_step says where it stands (GET /api/admin/progress), for the operator's page."""
    with state.corpus_lock:
        embedder = serving_embedder(state.engine)

        def on_step(step: IngestStep) -> None:
            state.ingest_step = step

        try:
            report = add_files(state.settings, files, embedder=embedder, on_step=on_step)
            if report.build is not None and not report.build.up_to_date:
                state.ingest_step = IngestStep("indexing", None, len(files), len(files))
                _swap_engine(state, embedder)
        finally:
            state.ingest_step = IngestStep("done", None, len(files), len(files))
    return report


def remove(state: State, source: str) -> RemoveReport:
    """Remove a source file (indexer.corpus.remove_source) and serve the new index."""
    with state.corpus_lock:
        embedder = serving_embedder(state.engine)
        report = remove_source(state.settings, source, embedder=embedder)
        _swap_engine(state, embedder)
    return report
