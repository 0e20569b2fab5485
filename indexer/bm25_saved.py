"""A saved bm25s index, read and scored without importing bm25s.

Importing bm25s imports scipy.sparse (and through it numpy.f2py): 0.1–0.4 s of a cold
`gazette ask`, for an index that, once saved, is three numpy arrays, a vocabulary and its
parameters. Building still uses bm25s (indexer.lexical.BM25Index.build). Scoring is bm25s 0.3's
own (get_tokens_ids, get_scores_from_ids: the same arrays summed in the same order with np.add.at),
so the scores are the same to the bit.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# Variants whose scores also need the saved non-occurrence array: left to bm25s itself.
_NEEDS_NONOCCURRENCE = ("bm25l", "bm25+")


class SavedBM25:
    """The part of bm25s.BM25's interface BM25Index uses on a loaded index."""

    def __init__(self, scores: dict, vocab_dict: dict[str, int], dtype: str, int_dtype: str):
        self.scores = scores  # data, indices, indptr (CSC by token), num_docs: as bm25s keeps them
        self.vocab_dict = vocab_dict
        self.dtype = dtype
        self.int_dtype = int_dtype

    @classmethod
    def load(cls, directory: Path) -> SavedBM25 | None:
        """The index bm25s saved in directory, or None when it needs bm25s itself to score it."""
        directory = Path(directory)
        params = json.loads((directory / "params.index.json").read_text("utf-8"))
        if params.get("method") in _NEEDS_NONOCCURRENCE or params.get("backend", "numpy") != "numpy":
            return None
        vocab = json.loads((directory / "vocab.index.json").read_text("utf-8"))
        scores = {name: np.load(directory / f"{name}.csc.index.npy", allow_pickle=False)
                  for name in ("data", "indices", "indptr")}
        scores["num_docs"] = params["num_docs"]
        return cls(scores, vocab, params.get("dtype", "float32"), params.get("int_dtype", "int32"))

    def get_tokens_ids(self, query_tokens: list[str]) -> list[int]:
        return [self.vocab_dict[t] for t in query_tokens if t in self.vocab_dict]

    def get_scores_from_ids(self, query_tokens_ids: list[int]) -> np.ndarray:
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        ids = np.asarray(query_tokens_ids, dtype=np.dtype(self.int_dtype))
        if int(ids.max(initial=0)) >= len(indptr) - 1:
            raise ValueError(f"token id {int(ids.max())} is not in the index")
        starts, ends = indptr[ids], indptr[ids + 1]
        scores = np.zeros(self.scores["num_docs"], dtype=np.dtype(self.dtype))
        for start, end in zip(starts, ends):
            np.add.at(scores, indices[start:end], data[start:end])
        return scores
