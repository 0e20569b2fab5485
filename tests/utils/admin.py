"""Helpers of the admin API tests: a temporary corpus indexed with the fake embedder, the admin
token, and an upload."""
from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from indexer.build import build_index
from indexer.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SYNTHETIC = FIXTURES / "synthetic_gazette.txt"
STANDALONE = FIXTURES / "standalone"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
COUNTY = STANDALONE / "county_wrapped_title_in_brackets.txt"
QUESTION = "余姚市城区公共自行车租车卡押金是多少？"


def make_admin_settings(tmp_path: Path, **overrides) -> Settings:
    """A temp corpus (the synthetic gazette as g.txt) and cache, indexed with the fake embedder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SYNTHETIC, corpus / "g.txt")
    values = dict(cache_dir=tmp_path / "cache", corpus_dir=corpus, model="fake-64", admin_token=TOKEN)
    settings = Settings(**{**values, **overrides})
    build_index(settings, progress=False)
    return settings


def upload(client: TestClient, *files: tuple[str, bytes], headers=AUTH):
    return client.post("/api/admin/documents", files=[("files", (n, b, "text/plain")) for n, b in files], headers=headers)
