"""Index build: store round trip, no-op rebuild, incremental embedding, atomic swap, bad input."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.build import MANIFEST, build_index, read_manifest
from indexer.embedder import FakeEmbedder
from indexer.errors import GazetteError, IndexMismatchError, IndexMissingError
from indexer.settings import Settings
from indexer.store import Store
from tests.utils.fake_embedders import CountingEmbedder

CORPUS = Path(__file__).resolve().parent.parent / "data" / "gazettes"


def _settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", corpus_dir=corpus, model="fake-64")


def test_manifest_and_store_round_trip(fake_settings):
    m = read_manifest(fake_settings.index_dir)
    assert (m["model"], m["dim"], m["documents"], m["errors"]) == ("fake-64", 64, 44, [])
    store = Store.load(fake_settings.index_dir / "store.sqlite3")
    from indexer.parser import parse_corpus

    docs = parse_corpus([CORPUS])
    assert [d.summary() for d in store.documents()] == [d.summary() for d in docs]
    assert [p.text for p in store.documents()[7].paragraphs] == [p.text for p in docs[7].paragraphs]
    assert len(store.chunks) == m["chunks"]
    # every paragraph comes back whole: a table row's structure, a 大事记 item's day
    assert [d.paragraphs for d in store.documents()] == [d.paragraphs for d in docs]
    row = next(p for d in store.documents() for p in d.paragraphs if p.text.startswith("\t基本养老保险参保人数"))
    assert (row.table.cells, row.table.inherited[0]) == (("", "基本养老保险参保人数(万人)", "396.3", "408", "2.3", "预期性"), "民生福祉")
    item = next(c for c in store.chunks if c.text.startswith("14日，市委副书记、代市长李长萍以视频会议形式主持召开市政府第64次常务会议"))
    assert (item.day, item.index_text.split("\n")[0]) == ("2020-04-14", "2020年4月14日")


def test_rebuild_of_unchanged_corpus_does_nothing_and_new_file_embeds_only_its_chunks(tmp_path, synthetic_gazette):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "003_3fd668cf8acf80e9.txt", corpus)
    settings = _settings(tmp_path, corpus)
    emb = CountingEmbedder()
    first = build_index(settings, embedder=emb, progress=False)
    assert (first.up_to_date, first.documents, first.embedded) == (False, 10, first.chunks)
    assert emb.embedded == first.chunks + first.sentences_embedded
    again = build_index(settings, embedder=emb, progress=False)
    assert again.up_to_date and emb.embedded == first.chunks + first.sentences_embedded
    shutil.copy(synthetic_gazette, corpus / "new.txt")
    grown = build_index(settings, embedder=emb, progress=False)
    assert grown.documents == 13
    assert grown.embedded == grown.chunks - first.chunks  # only the new gazette's chunks
    assert 0 < grown.sentences_embedded < first.sentences_embedded  # and only its sentences
    assert emb.embedded == grown.chunks + first.sentences_embedded + grown.sentences_embedded


def test_bad_file_is_reported_and_the_others_indexed(tmp_path, synthetic_gazette):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(synthetic_gazette, corpus / "a.txt")
    (corpus / "b_empty.txt").write_bytes(b"")
    report = build_index(_settings(tmp_path, corpus), progress=False)
    assert report.documents == 3
    assert report.errors == [f"{corpus / 'b_empty.txt'}: file is empty"]


def test_failed_build_leaves_existing_index_whole(tmp_path, synthetic_gazette):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(synthetic_gazette, corpus / "a.txt")
    settings = _settings(tmp_path, corpus)
    build_index(settings, progress=False)
    before = (settings.index_dir / MANIFEST).read_text()

    class Exploding(FakeEmbedder):
        name = "fake-64"

        def embed_passages(self, texts, show_progress_bar=False):
            raise RuntimeError("embedding failed half-way")

    (corpus / "b.txt").write_text(synthetic_gazette.read_text().replace("2030", "2031"))
    with pytest.raises(RuntimeError):
        build_index(settings, embedder=Exploding(64), progress=False)
    assert (settings.index_dir / MANIFEST).read_text() == before
    assert not any(p.name.startswith(".index.") for p in settings.cache_dir.iterdir())


def test_nothing_parseable_is_an_error(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "x.txt").write_text("不是公报。")
    with pytest.raises(GazetteError, match="no documents could be parsed"):
        build_index(_settings(tmp_path, corpus), progress=False)


def test_loading_checks_manifest(tmp_path, fake_settings):
    from service.engine import Engine

    with pytest.raises(IndexMissingError, match="run `gazette index` first"):
        Engine.load(Settings(cache_dir=tmp_path / "empty", model="fake-64"))
    other = Settings(cache_dir=fake_settings.cache_dir, model="fake-32")
    with pytest.raises(IndexMismatchError, match="built with model 'fake-64'"):
        Engine.load(other)
    m = json.loads((fake_settings.index_dir / MANIFEST).read_text())
    assert m["format_version"] == 4  # 4: table rows and 大事记 days
