"""QueryBatchingEmbedder: concurrent questions share one embedding call, each caller gets its own row."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from indexer.embedder import FakeEmbedder, QueryBatchingEmbedder, with_query_batching
from indexer.settings import Settings


class CountingFake(FakeEmbedder):
    def __init__(self):
        super().__init__(32)
        self.calls: list[int] = []

    def embed_queries(self, texts):
        self.calls.append(len(texts))
        return np.stack([self.embed_query(t) for t in texts])


def _ask_concurrently(embedder, questions):
    out = [None] * len(questions)
    start = threading.Barrier(len(questions))

    def run(i):
        start.wait()
        out[i] = embedder.embed_query(questions[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return out


def test_concurrent_questions_share_calls_and_get_their_own_vectors():
    inner = CountingFake()
    batched = QueryBatchingEmbedder(inner, window_s=0.05, max_batch=32)
    questions = [f"城市低保标准{i}" for i in range(12)]
    got = _ask_concurrently(batched, questions)
    for q, v in zip(questions, got):
        np.testing.assert_array_equal(v, FakeEmbedder(32).embed_query(q))
    assert sum(inner.calls) == 12 and len(inner.calls) < 12


def test_a_full_batch_closes():
    inner = CountingFake()
    batched = QueryBatchingEmbedder(inner, window_s=0.05, max_batch=4)
    _ask_concurrently(batched, [f"q{i}" for i in range(10)])
    assert max(inner.calls) <= 4 and sum(inner.calls) == 10


def test_errors_reach_every_caller_of_the_batch():
    class Broken(FakeEmbedder):
        def embed_queries(self, texts):
            raise RuntimeError("model gone")

    batched = QueryBatchingEmbedder(Broken(8), window_s=0.001)
    with pytest.raises(RuntimeError, match="model gone"):
        batched.embed_query("低保")


def test_setting_switches_batching_on():
    fake = FakeEmbedder(16)
    assert with_query_batching(fake, Settings(model="fake-16")) is fake  # default 0: off
    wrapped = with_query_batching(fake, Settings(model="fake-16", query_batch_window_ms=2))
    assert isinstance(wrapped, QueryBatchingEmbedder) and (wrapped.name, wrapped.dim) == ("fake-16", 16)
    np.testing.assert_array_equal(wrapped.embed_passages(["低保"]), fake.embed_passages(["低保"]))
    assert with_query_batching(wrapped, Settings(model="fake-16", query_batch_window_ms=2)) is wrapped
