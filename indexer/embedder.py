"""Dense embeddings behind a tiny interface: the real sentence-transformers model or a fake for tests."""
from __future__ import annotations

import os
import re
import threading
import zlib
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from indexer.errors import ModelLoadError
from indexer.settings import OFFLINE_MODEL, Settings

FAKE_PREFIX = "fake"  # settings.model "fake" or "fake-<dim>" selects FakeEmbedder


@runtime_checkable
class Embedder(Protocol):
    name: str  # recorded in the index manifest; a different name means a different vector space
    dim: int

    def embed_passages(self, texts: list[str], show_progress_bar: bool = False) -> np.ndarray:
        """float32 (len(texts), dim), rows L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """float32 (dim,), L2-normalised."""
        ...


class SentenceTransformerEmbedder:
    """Passages on sentence-transformers (torch); questions on torch or on ONNX Runtime (settings.query_encoder).

    With an ONNX query encoder the torch model is loaded only when passages are embedded (an index
    build), so a service or a CLI that only asks never imports torch's model code.
    """

    def __init__(self, settings: Settings):
        self.name = settings.model
        self.query_prefix = settings.query_prefix
        self.passage_prefix = settings.passage_prefix
        self.batch_size = settings.embed_batch_size
        self.query_encoder = effective_query_encoder(settings)
        self._settings = settings
        self._model = None
        self._model_lock = threading.Lock()
        self._onnx = None
        onnx_path = query_encoder_file(settings)
        if onnx_path is not None:
            from indexer.model_cache import ensure_offline_model
            from indexer.onnx_encoder import OnnxQueryEncoder, ensure_onnx_encoder

            ensure_onnx_encoder(ensure_offline_model(settings.models_dir))  # built at set-up; here only if missing
            self._onnx = OnnxQueryEncoder(onnx_path, threads=_threads(settings))
            self.dim = self._onnx.dim
        else:
            self.dim = int(self.model.get_embedding_dimension())

    @property
    def model(self):
        """The sentence-transformers model, loaded on first use."""
        with self._model_lock:
            if self._model is None:
                self._model = _load_sentence_transformer(self._settings)
            return self._model

    def _encode(self, texts: list[str], show_progress_bar: bool = False) -> np.ndarray:
        out = self.model.encode(
            texts,
            batch_size=self.batch_size,
            show_progress_bar=show_progress_bar,
            convert_to_numpy=True,
            normalize_embeddings=True,  # also for user models without a Normalize module
        )
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: list[str], show_progress_bar: bool = False) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts], show_progress_bar)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """float32 (len(texts), dim), rows L2-normalised: several questions in one forward pass."""
        prefixed = [self.query_prefix + t for t in texts]
        if self._onnx is not None:
            return self._onnx.encode(prefixed)
        return self._encode(prefixed)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]


def _threads(settings: Settings) -> int:
    # 2 cores here: more threads than cores only adds contention.
    return settings.inference_threads or max(1, min(2, os.cpu_count() or 1))


def _load_sentence_transformer(settings: Settings):
    try:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        from indexer.model_cache import resolve_model

        # never raise a lower setting
        torch.set_num_threads(max(1, min(_threads(settings), torch.get_num_threads())))
        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar on every start
        return SentenceTransformer(resolve_model(settings), device="cpu", local_files_only=True)
    except Exception as e:  # a third-party loader: missing folder, no hub, broken files all differ
        raise ModelLoadError(model_load_message(settings.model, e)) from e


def query_encoder_file(settings: Settings) -> Path | None:
    """The ONNX file that embeds questions, or None when torch does (settings.query_encoder).

    The ONNX encoders are exported from the bundled offline model only (mean pooling is baked in).
    """
    encoder = effective_query_encoder(settings)
    if encoder == "torch" or re.fullmatch(rf"{FAKE_PREFIX}(?:-\d+)?", settings.model):
        return None
    from indexer.model_cache import MODEL_DIRNAME
    from indexer.onnx_encoder import onnx_file

    if settings.model != OFFLINE_MODEL:
        raise ModelLoadError(
            f"GAZETTE_QUERY_ENCODER={settings.query_encoder} works with the bundled offline model only, "
            f"not {settings.model!r}: set GAZETTE_QUERY_ENCODER=torch"
        )
    return onnx_file(Path(settings.models_dir) / MODEL_DIRNAME, encoder)


def effective_query_encoder(settings: Settings) -> str:
    """settings.query_encoder with "auto" resolved: onnx-fp32 for the offline model, else torch."""
    if settings.query_encoder == "auto":
        return "onnx-fp32" if settings.model == OFFLINE_MODEL else "torch"
    return settings.query_encoder


class FakeEmbedder:
    """Deterministic hashed character unigrams + bigrams: fast, and texts sharing characters score higher."""

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.name = f"{FAKE_PREFIX}-{dim}"

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        chars = re.sub(r"\s+", "", text.lower())
        for g in [*chars, *(a + b for a, b in zip(chars, chars[1:]))]:
            h = zlib.crc32(g.encode("utf-8"))  # stable across processes, unlike hash()
            v[h % self.dim] += 1.0 if h & 0x80000000 else -1.0  # signed: unrelated texts land near 0
        n = np.linalg.norm(v)
        return v / n if n > 0 else v  # an empty text stays the zero vector

    def embed_passages(self, texts: list[str], show_progress_bar: bool = False) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


def load_embedder(settings: Settings) -> Embedder:
    """FakeEmbedder for settings.model "fake" / "fake-<dim>", else the sentence-transformers model."""
    m = re.fullmatch(rf"{FAKE_PREFIX}(?:-(\d+))?", settings.model)
    if m:
        return FakeEmbedder(int(m.group(1) or 64))
    try:
        return SentenceTransformerEmbedder(settings)
    except ModelLoadError:
        raise
    except Exception as e:  # a third-party loader: missing folder, no hub, broken files all differ
        raise ModelLoadError(model_load_message(settings.model, e)) from e


def model_load_message(model: str, error: BaseException) -> str:
    """One line: which model, why (the first line of the loader's message), and what to set."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"cannot load the embedding model {model!r}: {reason} "
        "(GAZETTE_MODEL takes a sentence-transformers folder or model name; unset, the bundled offline model)"
    )
