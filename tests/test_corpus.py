"""The corpus folder: add, remove, list; duplicates indexed once; bad files never land (fake embedder)."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from indexer.build import build_index, read_manifest
from indexer.corpus import add_files, list_sources, remove_source, source_name
from service.scope import corpus_name
from indexer.duplicates import drop_duplicates
from indexer.embedder import FakeEmbedder
from indexer.errors import CorpusChangeRefused, SourceNotFound
from indexer.parser import NOT_A_DOCUMENT, parse_files
from indexer.settings import Settings
from indexer.store import Store
from tests.utils.fake_embedders import CountingEmbedder

FIXTURES = Path(__file__).parent / "fixtures"
SYNTHETIC = FIXTURES / "synthetic_gazette.txt"
STANDALONE = FIXTURES / "standalone"
NOTICE_COPY = FIXTURES / "standalone_copy_of_synthetic_notice.txt"
CORPUS = Path(__file__).resolve().parent.parent / "data" / "gazettes"


@pytest.fixture
def settings(tmp_path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SYNTHETIC, corpus / "g.txt")
    s = Settings(cache_dir=tmp_path / "cache", corpus_dir=corpus, model="fake-64")
    build_index(s, progress=False)
    return s


def _indexed(settings: Settings) -> list[tuple[str, str | None]]:
    return [(d.source_file, d.docnum) for d in Store.load(settings.index_dir / "store.sqlite3").documents()]


def test_add_copies_the_file_and_embeds_only_its_chunks(settings):
    emb = CountingEmbedder()
    data = (STANDALONE / "county_wrapped_title_in_brackets.txt").read_bytes()
    report = add_files(settings, [("downloads/余府发3号.txt", data)], embedder=emb)
    [f] = report.files
    assert (f.status, f.source, f.detail) == ("added", "余府发3号.txt", "added as 余府发3号.txt: 1 document")
    [d] = f.documents
    assert (d.docnum, d.date, d.issuer, d.type, d.duplicate_of) == ("余府发〔2012〕3号", "2012-01-09", "余姚市人民政府", "印发", None)
    assert (settings.corpus_dir / "余府发3号.txt").read_bytes() == data
    b = report.build
    assert b.documents == 4 and b.embedded > 0 and b.reused > 0
    assert emb.embedded == b.embedded + b.sentences_embedded  # the gazette's chunks came from the cache
    assert ("余府发3号.txt", "余府发〔2012〕3号") in _indexed(settings)


def test_the_same_file_twice_is_a_duplicate_and_nothing_is_rebuilt(settings):
    before = read_manifest(settings.index_dir)["built_at"], (settings.index_dir / "manifest.json").stat().st_mtime_ns
    report = add_files(settings, [("again.txt", SYNTHETIC.read_bytes())])
    [f] = report.files
    assert (f.status, f.source, report.build) == ("duplicate", "g.txt", None)
    assert f.detail == "the same file is already in the corpus as g.txt; not added"
    assert [d.duplicate_of.source for d in f.documents] == ["g.txt"] * 3
    assert not (settings.corpus_dir / "again.txt").exists()
    assert (read_manifest(settings.index_dir)["built_at"], (settings.index_dir / "manifest.json").stat().st_mtime_ns) == before


def test_a_changed_copy_of_a_gazette_is_indexed_once(settings):
    """Was sqlite3.IntegrityError (UNIQUE constraint failed: documents.doc_id)."""
    report = add_files(settings, [("reprint.txt", SYNTHETIC.read_bytes() + "\n".encode())])
    [f] = report.files
    assert f.status == "added" and f.detail.endswith("(3 already in the corpus from another file: not indexed twice)")
    assert {(d.duplicate_of.source, d.duplicate_of.doc_id) for d in f.documents} == {("g.txt", d.doc_id) for d in f.documents}
    assert report.build.documents == 3
    assert [str(d) for d in report.build.duplicates][0] == (
        "reprint.txt: 《聊城市人民政府关于印发聊城市测试补贴办法的通知》（聊政发〔2030〕1号） is already in g.txt; this copy is skipped"
    )
    assert {s for s, _ in _indexed(settings)} == {"g.txt"}


def test_a_standalone_copy_of_an_article_yields_to_the_gazette(settings):
    report = add_files(settings, [("0000-first-by-name.txt", NOTICE_COPY.read_bytes())])
    [d] = report.files[0].documents
    assert d.docnum == "聊政办字〔2030〕9号" and d.duplicate_of.source == "g.txt"  # the copy wins, whatever the names
    assert _indexed(settings).count(("g.txt", "聊政办字〔2030〕9号")) == 1
    listing = {s.source: s for s in list_sources(settings)}
    kept = next(d for d in listing["g.txt"].documents if d.docnum == "聊政办字〔2030〕9号")
    assert [c.source for c in kept.copies] == ["0000-first-by-name.txt"]
    [copy] = listing["0000-first-by-name.txt"].documents
    assert copy.duplicate_of.source == "g.txt" and copy.date == "2030-03-05"


def test_bad_files_get_their_own_errors_and_the_others_land(settings):
    files = [
        ("empty.txt", b""),
        ("gbk.txt", "聊城市人民政府公报".encode("gbk")),
        ("news.txt", (STANDALONE / "news_item_not_a_document.txt").read_bytes()),
        ("letter.txt", (STANDALONE / "state_council_office_letter.txt").read_bytes()),
    ]
    report = add_files(settings, files)
    assert [(f.name, f.status, f.detail) for f in report.files[:3]] == [
        ("empty.txt", "error", "file is empty"),
        ("gbk.txt", "error", "text in GBK/GB18030, not UTF-8: save it as UTF-8; this service reads PDF, DOCX, HTML and UTF-8 text"),
        ("news.txt", "error", NOT_A_DOCUMENT),
    ]
    assert report.files[3].status == "added"
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["g.txt", "letter.txt"]


def test_same_name_replaces_and_two_uploads_of_one_name_both_land(settings):
    report = add_files(settings, [("g.txt", NOTICE_COPY.read_bytes()), ("x.txt", b"a"), ("x.txt", (STANDALONE / "city_decree_one_line.txt").read_bytes())])
    assert [(f.status, f.source) for f in report.files] == [("replaced", "g.txt"), ("error", None), ("added", "x.txt")]
    assert sorted(_indexed(settings)) == [("g.txt", "聊政办字〔2030〕9号"), ("x.txt", "德州市人民政府令第12号")]
    report = add_files(settings, [("y.txt", SYNTHETIC.read_bytes()), ("y.txt", (STANDALONE / "city_decree_two_lines.txt").read_bytes())])
    assert [f.source for f in report.files] == ["y.txt", "y-2.txt"]


def test_failed_build_puts_the_folder_back(settings):
    class Exploding(FakeEmbedder):
        name = "fake-64"

        def embed_passages(self, texts, show_progress_bar=False):
            raise RuntimeError("embedding failed half-way")

    original = (settings.corpus_dir / "g.txt").read_bytes()
    with pytest.raises(RuntimeError):
        add_files(settings, [("new.txt", NOTICE_COPY.read_bytes() + b"\n"), ("g.txt", (STANDALONE / "city_decree_one_line.txt").read_bytes())], embedder=Exploding(64))
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == ["g.txt"]
    assert (settings.corpus_dir / "g.txt").read_bytes() == original
    assert not [p for p in settings.cache_dir.iterdir() if p.name.startswith((".replaced-", ".removed-"))]


def test_remove_a_source_and_a_copy_takes_its_place(settings):
    add_files(settings, [("copy.txt", NOTICE_COPY.read_bytes()), ("decree.txt", (STANDALONE / "city_decree_one_line.txt").read_bytes())])
    report = remove_source(settings, "g.txt")
    assert [(d.docnum, d.duplicate_of.source if d.duplicate_of else None) for d in report.documents] == [
        ("聊政发〔2030〕1号", None), ("聊政办字〔2030〕9号", "copy.txt"), (None, None),
    ]
    assert not (settings.corpus_dir / "g.txt").exists()
    assert sorted(_indexed(settings)) == [("copy.txt", "聊政办字〔2030〕9号"), ("decree.txt", "德州市人民政府令第12号")]
    assert report.build.duplicates == []


def test_removing_the_last_source_is_refused_and_the_file_stays(settings):
    with pytest.raises(CorpusChangeRefused, match="^g.txt not removed: the index without it cannot be built: no documents could be parsed"):
        remove_source(settings, "g.txt")
    assert (settings.corpus_dir / "g.txt").is_file() and len(_indexed(settings)) == 3


@pytest.mark.parametrize("source", ["nope.txt", "../corpus/g.txt", "g.txt\x00", "", "..", "corpus", "g"])
def test_remove_unknown_source(settings, source):
    with pytest.raises(SourceNotFound, match="^no source file .* in the corpus$"):
        remove_source(settings, source)


@pytest.mark.parametrize(
    "given, name",
    [
        ("2024-05.txt", "2024-05.txt"),
        ("C:\\Users\\x\\国发〔2024〕1号.TXT", "国发〔2024〕1号.txt"),
        ("../../etc/passwd", "passwd.txt"),
        (".hidden.txt", "hidden.txt"),
        ("a b\x00c.txt", "a_bc.txt"),
        ("", "upload.txt"),
        ("x" * 300 + ".txt", "x" * 116 + ".txt"),
        ("公" * 100 + ".txt", "公" * 65 + ".txt"),  # 195 + 4 bytes: under a file system's 255-byte limit
        ("\u202e.txt", "upload.txt"),  # a bidi override is not printable
    ],
)
def test_source_names_are_safe(given, name):
    assert source_name(given) == name


def test_indexing_a_folder_with_a_copy_does_not_crash(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "003_3fd668cf8acf80e9.txt", corpus / "a.txt")
    shutil.copy(CORPUS / "003_3fd668cf8acf80e9.txt", corpus / "b.txt")
    report = build_index(Settings(cache_dir=tmp_path / "cache", corpus_dir=corpus, model="fake-64"), progress=False)
    assert report.documents == 10 and len(report.duplicates) == 10
    assert {d.kept_source for d in report.duplicates} == {"a.txt"}
    with sqlite3.connect(tmp_path / "cache" / "index" / "store.sqlite3") as db:
        assert db.execute("SELECT COUNT(DISTINCT doc_id), COUNT(*) FROM documents").fetchone() == (10, 10)


def test_duplicate_rules(tmp_path):
    (tmp_path / "a_standalone.txt").write_bytes(NOTICE_COPY.read_bytes())
    (tmp_path / "b_gazette.txt").write_bytes(SYNTHETIC.read_bytes())
    result = parse_files([tmp_path])
    assert [(d.source_file, d.docnum) for d in result.documents] == [
        ("b_gazette.txt", "聊政发〔2030〕1号"), ("b_gazette.txt", "聊政办字〔2030〕9号"), ("b_gazette.txt", None),
    ]
    [dup] = result.duplicates
    assert (dup.source_file, dup.kept_source) == ("a_standalone.txt", "b_gazette.txt")
    # two different articles of ONE file sharing a 文号 are both kept
    docs = result.documents
    twin = type(docs[0])(**{**docs[0].__dict__, "doc_id": "dother", "title": "另一个标题"})
    kept, skipped = drop_duplicates([docs[0], twin])
    assert (len(kept), skipped) == (2, [])


def test_corpus_name_from_issuers(fake_engine):
    docs = fake_engine.documents()
    assert corpus_name(docs) == "聊城市人民政府公报"
    assert corpus_name(docs, configured=" 某市政府公报 ") == "某市政府公报"
    assert corpus_name([]) == "政府公报"
    standalone = parse_files([STANDALONE / "state_council_web_page.txt"]).documents
    assert corpus_name(standalone) == "国务院文件"
    assert corpus_name(docs + standalone) == "聊城市人民政府公报及国务院等文件"  # never a home-only name
