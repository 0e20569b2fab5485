"""The cache folder's lock files: one process at a time changes the corpus, builds the index or
writes a Milvus collection. A corpus change holds corpus.lock and, inside it, build.lock."""
from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from .settings import Settings

BUILD_LOCK = "build.lock"  # in the cache folder, beside the index
CORPUS_LOCK = "corpus.lock"  # in the cache folder; build.lock guards the build inside a change
SYNC_LOCK = "milvus.lock"  # in the cache folder, held while a collection is written


@contextmanager
def cache_file_lock(settings: Settings, name: str) -> Iterator[None]:
    """An exclusive lock on the file `name` in the cache folder, across processes."""
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.cache_dir / name, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def build_lock(settings: Settings) -> AbstractContextManager[None]:
    """One build at a time per cache folder, across processes (the CLI and a running service)."""
    return cache_file_lock(settings, BUILD_LOCK)


def corpus_lock(settings: Settings) -> AbstractContextManager[None]:
    """One corpus change at a time per cache folder, across processes."""
    return cache_file_lock(settings, CORPUS_LOCK)
