"""The Milvus backend (GAZETTE_VECTOR_BACKEND=milvus) on a real milvus-lite file: filter expressions,
the sync from the index folder (keyed by corpus hash, idempotent, pruned), dense search with and
without filters against FAISS, the hot swap after an upload, clear errors for an unreachable URI,
and (marked `model`) the dev set's figures within 0.01 of FAISS's."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from indexer.errors import VectorStoreUnavailable
from indexer.milvus_store import SYNCED, MilvusDense, MilvusStore, filter_expression, sync_index_dir
from indexer.settings import Settings
from service.app import create_app
from service.engine import Engine
from service.results import Filters
from service.retrieval import FaissDense

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing answers gRPC there


def milvus_settings(settings: Settings, **overrides) -> Settings:
    return settings.model_copy(update={"vector_backend": "milvus", **overrides})


@pytest.fixture(scope="session")
def milvus_fake_engine(fake_settings):
    return Engine.load(milvus_settings(fake_settings))  # milvus-lite file in its cache folder


# ---- filter expressions ------------------------------------------------------------------------


def test_filter_expressions_exact():
    assert filter_expression(None) is None
    assert filter_expression(Filters()) is None
    assert filter_expression(Filters(year_from=2023, year_to=2023, type="印发")) == (
        'year >= 2023 and (year > 0 and year <= 2023) and type == "印发"')
    assert filter_expression(Filters(issuer="办公室")) == 'issuer like "%办公室%"'
    assert filter_expression(Filters(issuer='100%_"\\')) == r'issuer like "%100\\%\\_\"\\\\%"'
    assert filter_expression(Filters(doc_ids=("d1", 'd"2'))) == r'doc_id in ["d1", "d\"2"]'


# ---- sync ---------------------------------------------------------------------------------------


def test_engine_uses_the_collection_of_its_corpus_hash(milvus_fake_engine, fake_settings):
    dense = milvus_fake_engine.retriever.dense
    assert isinstance(dense, MilvusDense)
    assert dense.collection == "gazette_chunks_" + milvus_fake_engine.manifest["corpus_hash"][:16]
    assert dense.store.uri == str(fake_settings.cache_dir / "milvus.db")
    assert dense.store.client.get_collection_stats(dense.collection)["row_count"] == len(milvus_fake_engine.chunks)
    assert isinstance(Engine.load(fake_settings, warm=False).retriever.dense, FaissDense)  # the default


def test_sync_idempotent_and_pruned(tmp_path, fake_settings):
    settings = milvus_settings(fake_settings, milvus_uri=str(tmp_path / "m.db"))
    first = sync_index_dir(settings)
    from indexer.index_files import read_manifest

    assert first.inserted and first.rows == read_manifest(fake_settings.index_dir)["chunks"] > 0
    again = sync_index_dir(settings)
    assert (again.inserted, again.rows, again.collection) == (False, first.rows, first.collection)
    store = MilvusStore(settings)
    c = store.client
    assert c.get_collection_stats(first.collection)["row_count"] == first.rows  # not inserted twice

    # a half-written collection (no synced mark: an interrupted sync) is written again
    c.drop_collection(first.collection)
    c.create_collection(first.collection, schema=store._schema(64), index_params=store._index_params())
    assert not store.is_synced(first.collection, first.rows)
    redone = sync_index_dir(settings)
    assert redone.inserted and c.get_collection_stats(first.collection)["row_count"] == first.rows

    # older corpora: the newest other synced collection is kept, the rest dropped; other prefixes untouched
    for name, at in ((("gazette_chunks_" + "a" * 16, "1"), ("gazette_chunks_" + "b" * 16, "2"),
                                    ("other_" + "c" * 16, "0"))):
        c.create_collection(name, schema=store._schema(64), index_params=store._index_params())
        c.alter_collection_properties(name, {SYNCED: at})
    assert store.prune(keep=first.collection) == ["gazette_chunks_" + "a" * 16]
    assert sorted(c.list_collections()) == sorted([first.collection, "gazette_chunks_" + "b" * 16, "other_" + "c" * 16])


# ---- search against FAISS -----------------------------------------------------------------------

QUERIES = ["养老服务", "城市居民最低生活保障标准", "烈士褒扬", "聊政办字[2018]76号", "12345热线"]


@pytest.mark.parametrize("query", QUERIES)
def test_dense_search_equals_faiss(milvus_fake_engine, fake_engine, query):
    for mode in ("dense", "hybrid"):
        m = [(h.chunk.chunk_id, h.score) for h in milvus_fake_engine.search(query, k=10, mode=mode)]
        f = [(h.chunk.chunk_id, h.score) for h in fake_engine.search(query, k=10, mode=mode)]
        assert m == f


def test_docnum_query_top_document_equals_faiss(milvus_fake_engine, fake_engine):
    for variant in ("聊政办字[2018]76号", "请问聊政办字(2018)76号"):
        top = milvus_fake_engine.search(variant, k=5)[0].chunk
        assert top.docnum == "聊政办字〔2018〕76号" == fake_engine.search(variant, k=5)[0].chunk.docnum


@pytest.mark.parametrize("filters", [
    Filters(year_from=2023, year_to=2023), Filters(year_from=2023, year_to=2023, type="印发"), Filters(issuer="办公室"),
    Filters(year_to=2018), Filters(type="令"),
])
def test_filtered_dense_search_returns_only_matching_rows_as_faiss_does(milvus_fake_engine, fake_engine, filters):
    docs = {d.doc_id: d for d in milvus_fake_engine.documents()}
    hits = milvus_fake_engine.search("养老服务", k=20, mode="dense", filters=filters)
    assert hits
    for h in hits:
        d = docs[h.chunk.doc_id]
        assert (filters.year_from or 0) <= (d.year or 0) <= (filters.year_to or 9999) and d.year
        assert filters.type in (None, d.type) and (filters.issuer or "") in (d.issuer or "")
    assert [h.chunk.chunk_id for h in hits] == [h.chunk.chunk_id for h in fake_engine.search("养老服务", k=20, mode="dense", filters=filters)]


def test_filter_by_year_only_that_year_and_by_doc_ids(milvus_fake_engine):
    dense = milvus_fake_engine.retriever.dense
    q = milvus_fake_engine.retriever.embedder.embed_query("养老服务")
    docs = {d.doc_id: d for d in milvus_fake_engine.documents()}
    everything = len(milvus_fake_engine.chunks)
    rows = dense.search(q, everything, filters=Filters(year_from=2023, year_to=2023))
    assert rows and {docs[milvus_fake_engine.chunks[r].doc_id].year for r, _ in rows} == {2023}
    assert len(rows) == sum(1 for c in milvus_fake_engine.chunks if docs[c.doc_id].year == 2023)
    one = milvus_fake_engine.chunks[0].doc_id
    rows = dense.search(q, everything, filters=Filters(doc_ids=(one,)))
    assert sorted(r for r, _ in rows) == [r for r, c in enumerate(milvus_fake_engine.chunks) if c.doc_id == one]
    assert dense.search(q, 5, filters=Filters(year_from=2040)) == []
    assert milvus_fake_engine.search("养老服务", k=5, filters=Filters(year_from=2040)) == []


# ---- a corpus change: hot swap ------------------------------------------------------------------


def test_upload_swaps_in_the_new_collection(tmp_path):
    from tests.utils.admin import AUTH, COUNTY, QUESTION, make_admin_settings, upload
    from tests.utils.api import make_web_dir

    settings = make_admin_settings(tmp_path, vector_backend="milvus")
    app = create_app(settings, Engine.load(settings), web_dir=make_web_dir(tmp_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        before = app.state.engine.retriever.dense.collection
        assert upload(client, ("余府发〔2012〕3号.txt", COUNTY.read_bytes())).status_code == 200
        after = app.state.engine.retriever.dense.collection
        assert after != before and after.endswith(app.state.engine.manifest["corpus_hash"][:16])
        hits = client.get("/api/search", params={"q": QUESTION, "k": 3, "mode": "dense"}).json()["results"]
        assert hits[0]["docnum"] == "余府发〔2012〕3号"
        assert client.post("/api/ask", json={"question": QUESTION}).json()["citations"][0]["docnum"] == "余府发〔2012〕3号"
        store = app.state.engine.retriever.dense.store
        assert {before, after} <= set(store.client.list_collections())  # the previous one kept
        assert client.delete("/api/admin/documents/余府发〔2012〕3号.txt", headers=AUTH).status_code == 200
        assert app.state.engine.retriever.dense.collection == before  # the old corpus again: not re-inserted


def test_cli_index_syncs_and_reports(tmp_path, monkeypatch, synthetic_gazette, capsys):
    import shutil

    from indexer.settings import get_settings
    from service.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(synthetic_gazette, corpus / "g.txt")
    for k, v in {"MODEL": "fake-64", "CORPUS_DIR": str(corpus), "VECTOR_BACKEND": "milvus"}.items():
        monkeypatch.setenv(f"GAZETTE_{k}", v)
    get_settings.cache_clear()
    assert main(["index"]) == 0
    out = capsys.readouterr().out
    assert "milvus collection gazette_chunks_" in out and "rows inserted" in out
    assert main(["index"]) == 0
    assert "already synced" in capsys.readouterr().out
    assert main(["search", "聊政发[2030]1号", "-k", "1", "--mode", "dense", "--json"]) == 0


# ---- errors -------------------------------------------------------------------------------------


def test_unreachable_uri_is_a_clear_error_naming_it(fake_settings):
    settings = milvus_settings(fake_settings, milvus_uri=UNREACHABLE, milvus_timeout=1)
    with pytest.raises(VectorStoreUnavailable, match=r"^cannot connect to Milvus at http://127\.0\.0\.1:9: .*GAZETTE_MILVUS_URI"):
        Engine.load(settings, warm=False)


def test_unreachable_uri_cli_one_line(fake_env, monkeypatch, capsys):
    from indexer.settings import get_settings
    from service.cli import main

    corpus = fake_env
    assert main(["index"]) == 0
    monkeypatch.setenv("GAZETTE_VECTOR_BACKEND", "milvus")
    monkeypatch.setenv("GAZETTE_MILVUS_URI", UNREACHABLE)
    monkeypatch.setenv("GAZETTE_MILVUS_TIMEOUT", "1")
    get_settings.cache_clear()
    capsys.readouterr()
    assert main(["search", "测试", "--mode", "bm25"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"gazette: error: cannot connect to Milvus at {UNREACHABLE}: ") and err.count("\n") == 1
    assert "Traceback" not in err
    # a build still lands (the index folder is the source of truth); the sync failure is a warning
    (corpus / "g2.txt").write_bytes((corpus / "g.txt").read_bytes().replace(b"2030", b"2031"))
    assert main(["index"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("indexed ") and f"gazette: warning: the Milvus collection was not synced: cannot connect to Milvus at {UNREACHABLE}" in out.err


def test_milvus_down_while_serving_is_503_not_500(fake_settings, tmp_path):
    from tests.utils.api import make_web_dir

    engine = Engine.load(fake_settings, warm=False)
    down = MilvusStore(milvus_settings(fake_settings, milvus_uri=UNREACHABLE, milvus_timeout=1))
    engine.retriever.dense = down.dense("0" * 16)
    with TestClient(create_app(fake_settings, engine, web_dir=make_web_dir(tmp_path)), raise_server_exceptions=False) as client:
        for r in (client.get("/api/search", params={"q": "养老服务", "mode": "dense"}),
                  client.post("/api/ask", json={"question": "养老服务有什么政策？"})):
            assert r.status_code == 503
            assert r.json()["detail"].startswith(f"cannot connect to Milvus at {UNREACHABLE}: ")


# ---- the real model on the dev set --------------------------------------------------------------


@pytest.mark.model
def test_dev_doc_at_5_within_001_of_faiss(real_engine, real_settings):
    from eval.dataset import load_questions
    from indexer.settings import REPO_ROOT
    from eval.runner import retrieval_figures

    questions, _ = load_questions(REPO_ROOT / "eval" / "data" / "dev.jsonl")
    milvus = Engine.load(milvus_settings(real_settings), embedder=real_engine.retriever.embedder, warm=False)
    assert isinstance(milvus.retriever.dense, MilvusDense)
    for mode in ("dense", "hybrid"):
        f = retrieval_figures(real_engine, questions, mode)
        m = retrieval_figures(milvus, questions, mode)
        assert f["doc@5"] >= 0.98 and abs(m["doc@5"] - f["doc@5"]) <= 0.01, (mode, f, m)
        assert abs(m["doc@1"] - f["doc@1"]) <= 0.01 and abs(m["ev@5"] - f["ev@5"]) <= 0.01, (mode, f, m)
    for q in ("聊政办字〔2018〕78号的低保标准", "聊城市人民政府令第46号"):
        assert milvus.search(q, k=1)[0].chunk.doc_id == real_engine.search(q, k=1)[0].chunk.doc_id


def test_several_workers_on_a_lite_file_are_refused_before_starting(fake_settings):
    from service.server import run_server

    settings = milvus_settings(fake_settings)
    with pytest.raises(VectorStoreUnavailable, match=r"^--workers 2 with the milvus-lite file .*milvus\.db: one process opens it"):
        run_server(settings, workers=2)
