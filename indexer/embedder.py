"""Dense embeddings behind a tiny interface: the real sentence-transformers model or a fake for tests."""
from __future__ import annotations

import re
import zlib
from typing import Protocol, runtime_checkable

import numpy as np

from indexer.errors import ModelLoadError
from indexer.settings import Settings

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
    def __init__(self, settings: Settings):
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        from indexer.model_cache import resolve_model

        # 2 cores here: more threads than cores only adds contention; never raise a lower setting.
        torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar on every start
        self.name = settings.model
        self.query_prefix = settings.query_prefix
        self.passage_prefix = settings.passage_prefix
        self.batch_size = settings.embed_batch_size
        self.model = SentenceTransformer(resolve_model(settings), device="cpu", local_files_only=True)
        self.dim = int(self.model.get_embedding_dimension())

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

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]


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

    def embed_query(self, text: str) -> np.ndarray:
        return self._vec(text)


def load_embedder(settings: Settings) -> Embedder:
    """FakeEmbedder for settings.model "fake" / "fake-<dim>", else the sentence-transformers model."""
    m = re.fullmatch(rf"{FAKE_PREFIX}(?:-(\d+))?", settings.model)
    if m:
        return FakeEmbedder(int(m.group(1) or 64))
    try:
        return SentenceTransformerEmbedder(settings)
    except Exception as e:  # a third-party loader: missing folder, no hub, broken files all differ
        raise ModelLoadError(model_load_message(settings.model, e)) from e


def model_load_message(model: str, error: BaseException) -> str:
    """One line: which model, why (the first line of the loader's message), and what to set."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"cannot load the embedding model {model!r}: {reason} "
        "(GAZETTE_MODEL takes a sentence-transformers folder or model name; unset, the bundled offline model)"
    )
