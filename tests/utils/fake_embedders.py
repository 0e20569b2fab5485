"""Embedders for the index tests: the fake embedder (indexer.embedder.FakeEmbedder, model
"fake-64"), counting the passages it embeds so a test can tell a cached vector from a new one."""
from __future__ import annotations

from indexer.embedder import FakeEmbedder


class CountingEmbedder(FakeEmbedder):
    def __init__(self):
        super().__init__(64)
        self.name = "fake-64"
        self.embedded = 0

    def embed_passages(self, texts, show_progress_bar=False):
        self.embedded += len(texts)
        return super().embed_passages(texts)
