"""The query encoder setting (GAZETTE_QUERY_ENCODER): selection logic (fast) and ONNX vs torch (model tier)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from indexer.embedder import load_embedder, query_encoder_file
from indexer.errors import ModelLoadError
from indexer.model_cache import MODEL_DIRNAME
from indexer.onnx_encoder import FP32_FILE, INT8_FILE, onnx_file, onnx_folder
from indexer.settings import OFFLINE_MODEL, REPO_ROOT, Settings, get_settings


@pytest.mark.parametrize(
    ("encoder", "expected"),
    [
        ("torch", None),  # sentence-transformers embeds questions too
        ("auto", FP32_FILE),  # the default, with the offline model
        ("onnx-fp32", FP32_FILE),
        ("onnx-int8", INT8_FILE),
    ],
)
def test_query_encoder_file_per_setting(tmp_path, encoder, expected):
    s = Settings(models_dir=tmp_path, query_encoder=encoder)
    got = query_encoder_file(s)
    want = None if expected is None else tmp_path / f"{MODEL_DIRNAME}-onnx" / expected
    assert got == want


def test_query_encoder_default_is_auto(monkeypatch):
    monkeypatch.delenv("GAZETTE_QUERY_ENCODER", raising=False)
    assert Settings().query_encoder == "auto"
    monkeypatch.setenv("GAZETTE_QUERY_ENCODER", "onnx-int8")
    assert Settings().query_encoder == "onnx-int8"


def test_query_encoder_rejects_unknown_value():
    with pytest.raises(ValidationError, match="'auto', 'torch', 'onnx-fp32' or 'onnx-int8'"):
        Settings(query_encoder="onnx-int4")


def test_auto_is_torch_for_other_models(tmp_path):
    assert query_encoder_file(Settings(model="BAAI/bge-small-zh-v1.5", models_dir=tmp_path)) is None


def test_onnx_encoder_needs_the_offline_model():
    s = Settings(model="BAAI/bge-small-zh-v1.5", query_encoder="onnx-int8")
    with pytest.raises(ModelLoadError, match="GAZETTE_QUERY_ENCODER=onnx-int8 works with the bundled offline model only"):
        query_encoder_file(s)


def test_fake_model_ignores_the_query_encoder():
    s = Settings(model="fake-32", query_encoder="onnx-int8")
    assert query_encoder_file(s) is None
    assert load_embedder(s).name == "fake-32"


def test_onnx_files_live_beside_the_model_folder(tmp_path):
    folder = tmp_path / MODEL_DIRNAME
    assert onnx_folder(folder) == tmp_path / f"{MODEL_DIRNAME}-onnx"
    with pytest.raises(ValueError, match="unknown ONNX query encoder 'torch'"):
        onnx_file(folder, "torch")


@pytest.mark.parametrize(
    "piece, kept",
    [("▁聊城市", True), ("▁the", True), ("〔", True), ("“", True), ("％", True), ("▁Москва", False), ("é", False), ("ش", False)],
)
def test_kept_pieces_are_those_chinese_text_can_use(piece, kept):
    from indexer.onnx_encoder import kept_piece

    assert kept_piece(piece) is kept


# ---- model tier: the exported encoders against torch on real questions ----


@pytest.mark.model
def test_pruned_tokenizer_gives_the_same_pieces_as_the_full_one():
    """The query encoders' vocabulary is cut to Chinese/ASCII pieces: the segmentation of every
    dev question is unchanged (same pieces, renumbered); another script falls back to <unk>."""
    from tokenizers import Tokenizer

    st_folder = get_settings().models_dir / MODEL_DIRNAME
    full = Tokenizer.from_file(str(st_folder / "tokenizer.json"))
    pruned = Tokenizer.from_file(str(onnx_folder(st_folder) / "tokenizer.json"))
    assert full.get_vocab_size() == 250002 and 90_000 < pruned.get_vocab_size() < 120_000
    for q in _questions(300) + ["5G基站 〔2018〕76号 ①②③ hello"]:
        assert pruned.encode(f"query: {q}").tokens == full.encode(f"query: {q}").tokens, q
    assert pruned.token_to_id("<unk>") in pruned.encode("Москва").ids


def _questions(n: int = 12) -> list[str]:
    lines = (REPO_ROOT / "eval" / "data" / "dev.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:n]


@pytest.fixture(scope="module")
def torch_embedder():
    return load_embedder(get_settings().model_copy(update={"model": OFFLINE_MODEL, "query_encoder": "torch"}))


@pytest.mark.model
@pytest.mark.parametrize("encoder", ["onnx-fp32", "onnx-int8"])
def test_onnx_query_vectors_match_torch(torch_embedder, encoder):
    onnx = load_embedder(get_settings().model_copy(update={"model": OFFLINE_MODEL, "query_encoder": encoder}))
    assert onnx.name == torch_embedder.name and onnx.dim == torch_embedder.dim == 384
    assert onnx._model is None  # questions only: the torch model is not loaded
    qs = _questions()
    got = np.stack([onnx.embed_query(q) for q in qs])
    want = np.stack([torch_embedder.embed_query(q) for q in qs])
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, rtol=1e-4)
    cosine = (got * want).sum(axis=1)
    assert cosine.min() >= (0.9999 if encoder == "onnx-fp32" else 0.98), cosine
