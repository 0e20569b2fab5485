"""The `gazette` command: thin layer over the library, one-line errors, exit codes."""
from __future__ import annotations

import json

import pytest

from indexer.settings import get_settings
from service.cli import main


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


# ---- help, version, one-line errors, feedback export ---------------------------------------


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"gazette {version('liaocheng-gazette-qa')}\n"


def _subparsers(parser):
    import argparse

    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_option_says_its_default_and_help_shows_examples(capsys):
    from service.cli import build_parser

    parser = build_parser()
    assert "examples:\n  gazette index" in parser.format_help()
    for name, sub in _subparsers(parser).items():
        assert "examples:\n  gazette " + name in sub.format_help(), name
        for action in sub._actions:
            if action.dest == "help" or (not action.option_strings and action.nargs != "*"):
                continue  # -h, and required positionals (no default to state)
            assert action.help and "(default: " in action.help, f"{name} {action.option_strings or action.dest}"


def test_model_loading_failure_is_one_line(fake_env, tmp_path, monkeypatch, capsys):
    missing = tmp_path / "no-such-model"
    monkeypatch.setenv("GAZETTE_MODEL", str(missing))
    get_settings.cache_clear()
    assert main(["index"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"gazette: error: cannot load the embedding model '{missing}': Path {missing} not found "
        "(GAZETTE_MODEL takes a sentence-transformers folder or model name; unset, the bundled offline model)\n"
    )


def test_bad_setting_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("GAZETTE_TOP_K", "many")
    get_settings.cache_clear()
    assert main(["feedback"]) == 1
    assert capsys.readouterr().err == (
        "gazette: error: bad setting GAZETTE_TOP_K: Input should be a valid integer, "
        "unable to parse string as an integer (got 'many')\n"
    )


def test_feedback_export(capsys):
    from service.feedback import FeedbackStore

    settings = get_settings()
    store = FeedbackStore(settings.feedback_db)
    assert main(["feedback"]) == 0
    assert capsys.readouterr().out == f"0 feedback (0 helpful, 0 not helpful) in {settings.feedback_db}\n"
    store.add_answer("ans_1", "/api/ask", "烈士褒扬金标准是多少？", "30倍[1]。", [{"n": 1, "title": "聊城市烈士褒扬办法"}], True)
    store.add("烈士褒扬金标准是多少？", "30倍[1]。", [{"n": 1, "title": "聊城市烈士褒扬办法"}], True, None, answer_id="ans_1")
    store.add("护照怎么办？", "", [], False, "没有回答")
    assert main(["feedback"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line[:5] for line in lines[:3]] == ["#1  2", "#2  2", "    c"]
    assert lines[0].endswith("  helpful      烈士褒扬金标准是多少？")
    assert lines[1].endswith("  not helpful  护照怎么办？")
    assert lines[2] == "    comment: 没有回答"
    assert lines[3] == f"2 feedback (1 helpful, 1 not helpful) in {settings.feedback_db}"
    assert main(["feedback", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["answer_id"], r["helpful"], r["comment"]) for r in rows] == [
        (1, "ans_1", True, None), (2, None, False, "没有回答")]
    assert rows[0]["citations"] == [{"n": 1, "title": "聊城市烈士褒扬办法"}] and rows[0]["answer"] == "30倍[1]。"
    assert set(rows[0]) == {"id", "created_at", "answer_id", "question", "answer", "citations", "helpful", "comment"}
