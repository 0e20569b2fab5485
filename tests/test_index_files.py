"""The index format (indexer.index_files): save/load round trip; what the corpus hash covers; bucketed embedding."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer import build
from indexer.build import corpus_hash, embed_by_length
from indexer.chunker import chunk_documents, embedding_text
from indexer.embedder import FakeEmbedder
from indexer.errors import IndexMismatchError
from indexer.index_files import FORMAT_VERSION, MANIFEST, load_index, read_manifest, save_index
from indexer.lexical import BM25Index
from indexer.parser import parse_files
from indexer.settings import Settings
from indexer.text import normalize_for_index
from indexer.tokens import count_tokens

FIXTURE = Path(__file__).parent / "fixtures" / "synthetic_gazette.txt"


def test_save_and_load_round_trip(tmp_path):
    docs = parse_files([FIXTURE]).documents
    chunks = chunk_documents(docs, count_tokens, 512, 500)
    texts = [embedding_text(c) for c in chunks]
    emb = FakeEmbedder(16)
    vectors = emb.embed_passages(texts)
    keys = ["城市低保标准提至每人每月500元", "聊政办字〔2018〕76号"]
    sentence_vectors = emb.embed_passages(keys)
    bm25 = BM25Index.build([normalize_for_index(t) for t in texts])
    save_index(tmp_path, {"model": "fake-16", "corpus_hash": "h", "chunks": len(chunks)}, docs, chunks, vectors,
               bm25, keys, sentence_vectors)

    loaded = load_index(tmp_path)
    assert loaded.manifest == {"format_version": FORMAT_VERSION, "dim": 16, "model": "fake-16", "corpus_hash": "h",
                               "chunks": len(chunks)}
    assert [d.summary() for d in loaded.store.documents()] == [d.summary() for d in docs]
    assert [c.text for c in loaded.store.chunks] == [c.text for c in chunks]
    assert loaded.dense.ntotal == len(chunks)
    np.testing.assert_array_equal(loaded.dense.reconstruct_n(0, len(chunks)), vectors)
    assert list(loaded.sentence_vectors) == keys
    np.testing.assert_array_equal(np.stack(list(loaded.sentence_vectors.values())), sentence_vectors)
    query = normalize_for_index("城市低保标准")
    assert loaded.bm25.search(query, 5) == bm25.search(query, 5) != []


def test_other_format_version_is_refused(tmp_path):
    (tmp_path / MANIFEST).write_text('{"format_version": 1}')
    with pytest.raises(IndexMismatchError, match="has format 1, this version reads"):
        read_manifest(tmp_path)


def _hash(**changes) -> str:
    return corpus_hash([FIXTURE], Settings(model="fake-64", **changes), "fake-64")


@pytest.mark.parametrize(
    ("change", "rebuilds"),
    [
        ({"top_k": 9}, False),  # answer-time settings leave the index alone
        ({"max_question_chars": 100}, False),
        ({"query_encoder": "onnx-int8"}, False),
        ({"host": "0.0.0.0", "port": 9000}, False),
        ({"max_chunk_tokens": 256}, True),  # chunking settings shape it
        ({"target_chunk_chars": 300}, True),
        ({"passage_prefix": "passage:"}, True),  # what is embedded
    ],
)
def test_corpus_hash_covers_only_index_shaping_settings(change, rebuilds):
    assert (_hash(**change) != _hash()) is rebuilds


def test_corpus_hash_covers_index_shaping_code_only(monkeypatch, tmp_path):
    covered = set(build.INDEX_SHAPING_MODULES)
    assert {"parser", "chunker", "lexical", "tokens", "store", "index_files"} <= covered
    assert not {"settings", "embedder", "onnx_encoder", "corpus", "model_cache"} & covered
    before = _hash()
    monkeypatch.setattr(build, "FORMAT_VERSION", FORMAT_VERSION + 1)
    assert _hash() != before


def test_embed_by_length_restores_input_order():
    emb = FakeEmbedder(32)
    seen: list[int] = []
    original = emb.embed_passages

    def spy(texts, show_progress_bar=False):
        seen.extend(len(t) for t in texts)
        return original(texts)

    emb.embed_passages = spy
    texts = ["低保" * n for n in (9, 1, 5, 3, 7, 2)] * 30  # 180 texts: several buckets
    out = embed_by_length(emb, texts)
    np.testing.assert_array_equal(out, original(texts))
    assert seen == sorted(seen)  # embedded shortest first
    assert embed_by_length(emb, []).shape == (0, 32)
