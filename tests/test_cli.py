"""The `gazette` command: thin layer over the library, one-line errors, exit codes."""
from __future__ import annotations

import json
import shutil

import pytest

from indexer.settings import get_settings
from service.cli import main


@pytest.fixture
def fake_env(tmp_path, monkeypatch, synthetic_gazette):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(synthetic_gazette, corpus / "g.txt")
    monkeypatch.setenv("GAZETTE_MODEL", "fake-64")
    monkeypatch.setenv("GAZETTE_CORPUS_DIR", str(corpus))
    get_settings.cache_clear()
    return corpus


def test_index_then_up_to_date(fake_env, capsys):
    assert main(["index"]) == 0
    assert capsys.readouterr().out.startswith("indexed 3 documents from 1 files into ")
    assert main(["index"]) == 0
    assert capsys.readouterr().out.startswith("index up to date: 3 documents, ")


def test_index_reports_bad_files_and_keeps_the_rest(fake_env, tmp_path, capsys):
    empty = fake_env / "empty.txt"
    empty.write_text("")
    assert main(["index", str(fake_env), str(tmp_path / "nope.txt")]) == 1
    out = capsys.readouterr()
    assert f"gazette: error: {tmp_path / 'nope.txt'}: no such file or folder" in out.err
    assert f"gazette: error: {empty}: file is empty" in out.err
    assert "indexed 3 documents from 2 files" in out.out


def test_docs_json_keys(fake_env, capsys):
    main(["index"])
    capsys.readouterr()
    assert main(["docs", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["docnum"] for d in docs] == ["聊政发〔2030〕1号", "聊政办字〔2030〕9号", None]
    assert list(docs[0]) == ["doc_id", "docnum", "title", "issuer", "date", "type", "issue", "validity"]
    assert docs[0]["validity"]["expires"] == "2032-03-31"


def test_search_json_and_missing_index_error(fake_env, capsys):
    assert main(["search", "测试补贴", "-k", "2"]) == 1
    assert capsys.readouterr().err.startswith("gazette: error: no index at ")
    main(["index"])
    capsys.readouterr()
    assert main(["search", "聊政发[2030]1号", "-k", "2", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["docnum"] == "聊政发〔2030〕1号" and len(hits) == 2


def test_ask_prints_quoted_answer(fake_env, capsys):
    main(["index"])
    capsys.readouterr()
    assert main(["ask", "城市居民的测试补贴每月多少钱？", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["answered"] is True
    assert "每人每月300元" in answer["answer"] and answer["citations"][0]["docnum"] == "聊政发〔2030〕1号"
