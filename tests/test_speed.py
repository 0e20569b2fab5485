"""What keeps `gazette ask` and /api/ask fast (issue 10) still gives the same results: jieba's
dictionary from the flat cache file, the model loaded in the background, the answer log written
off the request path, the memoised text helpers, and no heavy import on the ask path.
Timings themselves are measured by scripts/bench.py, never here."""
from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from indexer import jieba_dict
from indexer.errors import IndexMismatchError
from indexer.settings import REPO_ROOT, Settings
from indexer.text import normalize_for_index, sentences
from service.engine import DeferredEmbedder
from service.feedback import FeedbackStore

HEAVY = ("torch", "sentence_transformers", "transformers", "sklearn", "pandas", "fastapi", "uvicorn")


def test_the_ask_path_imports_no_heavy_module():
    code = (
        "import sys, service.cli, service.commands, service.engine, service.answer, service.answer_text;"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_flat_dictionary_round_trip(tmp_path):
    freq = {"聊城": 5, "聊": 0, "低保": 1234567, "a+b": 1}
    path = tmp_path / "freq.bin"
    jieba_dict.write_freq(path, freq, 42)
    assert jieba_dict.read_freq(path) == (freq, 42)


@pytest.mark.parametrize("damage", ["missing", "empty", "truncated", "other magic"])
def test_a_damaged_flat_dictionary_is_not_used(tmp_path, damage):
    path = tmp_path / "freq.bin"
    jieba_dict.write_freq(path, {"聊城": 5, "低保": 7}, 12)
    data = path.read_bytes()
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes({"empty": b"", "truncated": data[:-3], "other magic": b"x" + data[1:]}[damage])
    assert jieba_dict.read_freq(path) is None


def test_an_unwritable_folder_only_skips_the_file(tmp_path):
    jieba_dict.write_freq(tmp_path / "no-such-dir" / "freq.bin", {"聊城": 5}, 5)  # no exception
    assert not (tmp_path / "no-such-dir").exists()


def test_the_flat_dictionary_is_jiebas_own(tmp_path):
    import jieba

    first = jieba_dict.load_tokenizer(tmp_path)  # jieba's loading, then the flat file is written
    assert [p.name for p in tmp_path.glob("freq-*.bin")]
    second = jieba_dict.load_tokenizer(tmp_path)  # from the flat file
    reference = jieba.Tokenizer()
    reference.tmp_dir = str(tmp_path)
    reference.initialize()
    assert second.FREQ == first.FREQ == reference.FREQ and second.total == reference.total
    text = "聊城市城市低保标准提至每人每月500元，烈士遗属免费乘坐公交车"
    assert second.lcut(text) == reference.lcut(text) and second.lcut(text, HMM=False) == reference.lcut(text, HMM=False)


def test_prefetched_model_is_the_one_used():
    embedder = DeferredEmbedder(Settings(model="fake-64"), 64)
    embedder.prefetch()
    vector = embedder.embed_query("烈士褒扬金")
    assert embedder._loaded is not None and vector.shape == (64,)
    np.testing.assert_array_equal(vector, DeferredEmbedder(Settings(model="fake-64"), 64).embed_query("烈士褒扬金"))


def test_a_failed_prefetch_raises_in_the_caller():
    embedder = DeferredEmbedder(Settings(model="fake-64"), 32)  # the index says 32 dimensions
    embedder.prefetch()
    with pytest.raises(IndexMismatchError, match="index dimension 32 != model dimension 64"):
        embedder.embed_query("烈士")


def test_queued_answers_are_found_and_flushed_on_close(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    for i in range(50):
        store.queue_answer(f"ans_{i}", "/api/ask", f"q{i}", "a", [{"n": 1}], i % 2 == 0)
    assert store.get_answer("ans_49")["question"] == "q49"  # a read waits for the queue
    store.queue_answer("ans_last", "/api/ask", "q", "a", [], True)
    store.close()
    with sqlite3.connect(tmp_path / "f.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 51
    store.queue_answer("ans_after", "/api/ask", "q", "a", [], True)  # a closed store starts a new writer
    assert store.get_answer("ans_after") is not None


def test_the_app_shutdown_flushes_the_answer_log(tmp_path):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from tests.utils.api import make_settings
    from tests.utils.fake_engine import FakeEngine

    settings = make_settings(tmp_path)
    with TestClient(create_app(settings, FakeEngine(settings))) as client:
        ids = [client.post("/api/ask", json={"question": f"烈士{i}"}).json()["id"] for i in range(5)]
    with sqlite3.connect(settings.feedback_db) as conn:
        kept = {row[0] for row in conn.execute("SELECT id FROM answers")}
    assert kept == set(ids)


def test_a_broken_answer_log_is_logged_and_never_blocks(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    store = FeedbackStore(blocker / "f.sqlite3")
    with caplog.at_level(logging.WARNING):
        store.queue_answer("ans_x", "/api/ask", "q", "a", [], True)
        store.flush()
    assert "answer ans_x not kept: feedback store unavailable" in caplog.text
    store.close()


def test_memoised_text_helpers_give_fresh_results():
    text = "一、城市低保标准提至每人每月500元。农村低保提至每人每年4500元（牵头单位：市民政局）"
    first = sentences(text)
    first.append("changed")
    assert sentences(text) == ["一、城市低保标准提至每人每月500元。", "农村低保提至每人每年4500元（牵头单位：市民政局）"]
    assert normalize_for_index("Ａ(1)") == normalize_for_index("Ａ(1)") == "A（1）"
