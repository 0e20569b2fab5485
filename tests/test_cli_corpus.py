"""`gazette add / remove / sources / index`: the corpus folder from the command line (fake embedder)."""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from service.cli import build_parser, main

FIXTURES = Path(__file__).parent / "fixtures"
SYNTHETIC = FIXTURES / "synthetic_gazette.txt"
STANDALONE = FIXTURES / "standalone"


@pytest.fixture
def corpus(fake_env):
    assert main(["index"]) == 0
    return fake_env


def test_add_reports_each_file_and_embeds_only_new_chunks(corpus, tmp_path, capsys):
    capsys.readouterr()
    letter = tmp_path / "letter.txt"
    letter.write_bytes((STANDALONE / "state_council_office_letter.txt").read_bytes())
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["add", str(letter), str(empty), str(tmp_path / "nope.txt")]) == 1
    out = capsys.readouterr()
    assert f"gazette: error: {empty}: file is empty" in out.err
    assert f"gazette: error: {tmp_path / 'nope.txt'}: cannot read file (No such file or directory)" in out.err
    lines = out.out.splitlines()
    assert lines[0] == f"{letter}: added as letter.txt: 1 document"
    assert lines[1] == "    国办函〔2019〕12号  2019-02-28  函  《国务院办公厅关于同意建立测绘标志保护工作部际联席会议制度的函》"
    assert lines[2].startswith("indexed 4 documents from 2 files into ")
    assert ", 11 reused)" in lines[2]  # the gazette's 11 chunks (a table row is a chunk) came from the embedding cache
    assert (corpus / "letter.txt").is_file() and not (corpus / "empty.txt").exists()


def test_add_the_same_file_again(corpus, capsys):
    capsys.readouterr()
    assert main(["add", str(SYNTHETIC)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{SYNTHETIC}: the same file is already in the corpus as g.txt; not added"
    assert out[1].endswith("《聊城市人民政府关于印发聊城市测试补贴办法的通知》  — already in g.txt: not indexed twice")
    assert out[-1] == "corpus unchanged: nothing to index"


def test_add_a_copy_of_an_article(corpus, capsys):
    capsys.readouterr()
    assert main(["add", str(FIXTURES / "standalone_copy_of_synthetic_notice.txt")]) == 0
    out = capsys.readouterr().out
    assert "added as standalone_copy_of_synthetic_notice.txt: 1 document (1 already in the corpus from another file: not indexed twice)" in out
    assert "duplicate: standalone_copy_of_synthetic_notice.txt: 《聊城市人民政府办公室关于做好测试工作的通知》（聊政办字〔2030〕9号） is already in g.txt; this copy is skipped" in out
    assert "indexed 3 documents from 2 files" in out


def test_sources_then_remove(corpus, capsys):
    main(["add", str(STANDALONE / "city_decree_one_line.txt")])
    capsys.readouterr()
    assert main(["sources", "--json"]) == 0
    sources = json.loads(capsys.readouterr().out)
    assert [(s["source"], s["indexed"], len(s["documents"])) for s in sources] == [("city_decree_one_line.txt", True, 1), ("g.txt", True, 3)]
    assert sources[0]["documents"][0]["docnum"] == "德州市人民政府令第12号"
    assert main(["sources"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"2 source files in {corpus}"
    assert main(["remove", "city_decree_one_line.txt"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["removed city_decree_one_line.txt: 1 document", "    德州市人民政府令第12号  2018-12-07  令  《德州市测绘设施保护规定》"]
    assert out[2].startswith("indexed 3 documents from 1 files")
    assert main(["remove", "city_decree_one_line.txt"]) == 1
    assert capsys.readouterr().err == "gazette: error: no source file 'city_decree_one_line.txt' in the corpus\n"
    assert main(["remove", "g.txt"]) == 1
    assert capsys.readouterr().err.startswith("gazette: error: g.txt not removed: the index without it cannot be built")


def test_index_reports_duplicates_in_the_folder(corpus, capsys):
    shutil.copy(SYNTHETIC, corpus / "h.txt")
    capsys.readouterr()
    assert main(["index"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "duplicate: h.txt: 《聊城市人民政府关于印发聊城市测试补贴办法的通知》（聊政发〔2030〕1号） is already in g.txt; this copy is skipped"
    assert out[-1].startswith("indexed 3 documents from 2 files")


def test_index_with_paths_says_it_replaces_the_corpus(corpus, capsys):
    capsys.readouterr()
    assert main(["index", str(STANDALONE / "city_decree_one_line.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("indexed 1 documents from 1 files")
    assert f"note: the index now holds only the given paths, not the corpus folder {corpus};" in out


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_option_shows_its_default_and_every_command_examples():
    parser = build_parser()
    assert "examples:" in parser.format_help()
    for name, sub in _subparsers(parser).items():
        text = sub.format_help()
        assert "examples:" in text and "  gazette " in text.split("examples:")[1], name
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert "default" in (action.help or "") or "default" in sub._get_formatter()._get_help_string(action), (name, action.dest)
    index_help = " ".join(_subparsers(parser)["index"].format_help().split())
    assert "INSTEAD of the corpus folder: it replaces the corpus in the index" in index_help
