"""What the API asks of an engine: the methods and attributes the routes use, and no more.

service.engine.Engine satisfies it (tests/test_engine_protocol.py checks), and so does the
tests' fake engine (tests/utils/fake_engine.py); the routes depend on this, not on Engine,
whose module loads the models.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from indexer.models import Chunk, Document
from service.results import Answer, Filters, Hit


@runtime_checkable
class EngineProtocol(Protocol):
    @property
    def chunks(self) -> Sequence[Chunk]:
        """Every indexed chunk (GET /healthz counts them)."""
        ...

    @property
    def model_name(self) -> str:
        """The embedding model the index was built with."""
        ...

    def documents(self) -> list[Document]: ...

    def get_document(self, doc_id: str) -> Document:
        """DocumentNotFound for an unknown doc_id."""
        ...

    def find_by_docnum(self, text: str) -> list[Document]: ...

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid",
               timings: dict | None = None) -> list[Hit]: ...

    def ask(self, question: str, history: list[dict] | None = None, top_k: int | None = None,
            filters: Filters | None = None, mode: str = "hybrid") -> Answer: ...
