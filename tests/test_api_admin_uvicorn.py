"""The admin API on a live uvicorn server (127.0.0.1, free port, temp corpus and cache): uploads land
in the running service without a restart, and questions asked meanwhile never fail.

The fast tier runs a real Engine with the fake embedder; one test (marked `model`) does the same
with the real offline model.
"""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from indexer.build import build_index
from indexer.settings import REPO_ROOT, Settings
from service.engine import Engine
from tests.utils.admin import AUTH, COUNTY, FIXTURES, QUESTION, STANDALONE, SYNTHETIC, TOKEN
from tests.utils.api import make_web_dir
from tests.utils.live import serve as serve_live

REAL_GAZETTE = REPO_ROOT / "data" / "gazettes" / "003_3fd668cf8acf80e9.txt"


def _settings(tmp_path: Path, **overrides) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SYNTHETIC, corpus / "g.txt")
    shutil.copy(REAL_GAZETTE, corpus / "2018-09.txt")  # a real issue: rebuilds take long enough to overlap questions
    values = dict(cache_dir=tmp_path / "cache", corpus_dir=corpus, model="fake-64", admin_token=TOKEN)
    return Settings(**{**values, **overrides})


def serve(settings: Settings, tmp_path: Path):
    """Index, load the engine, start build_server (what `gazette serve` runs) on port 0; yield its URL."""
    build_index(settings, progress=False)
    with serve_live(settings, Engine.load(settings), make_web_dir(tmp_path), start_timeout=30) as url:
        yield url


@pytest.fixture
def base_url(tmp_path):
    yield from serve(_settings(tmp_path), tmp_path)


def post_files(base_url: str, *paths: Path, headers=AUTH) -> httpx.Response:
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in paths]
    return httpx.post(f"{base_url}/api/admin/documents", files=files, headers=headers, timeout=120)


def ask(base_url: str, question: str) -> dict:
    r = httpx.post(f"{base_url}/api/ask", json={"question": question}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_upload_is_cited_by_the_next_answer_without_restart(base_url):
    assert ask(base_url, QUESTION)["answered"] is False
    r = post_files(base_url, COUNTY)
    assert r.status_code == 200
    [f] = r.json()["files"]
    assert (f["status"], f["documents"][0]["docnum"], f["documents"][0]["date"]) == ("added", "余府发〔2012〕3号", "2012-01-09")
    answer = ask(base_url, QUESTION)
    assert answer["answered"] is True
    assert answer["citations"][0]["docnum"] == "余府发〔2012〕3号"
    assert "押金每卡200元" in answer["answer"]
    assert httpx.get(base_url + answer["citations"][0]["url"].split("#")[0], timeout=10).status_code == 200


def test_duplicate_upload_is_reported_and_nothing_crashes(base_url):
    r = post_files(base_url, SYNTHETIC)
    assert r.status_code == 200
    [f] = r.json()["files"]
    assert (f["status"], f["detail"]) == ("duplicate", "the same file is already in the corpus as g.txt; not added")
    r = post_files(base_url, FIXTURES / "standalone_copy_of_synthetic_notice.txt", REAL_GAZETTE)
    assert r.status_code == 200
    copy, gazette = r.json()["files"]
    assert copy["status"] == "added" and copy["documents"][0]["duplicate_of"]["source"] == "g.txt"
    assert gazette["status"] == "duplicate" and gazette["source"] == "2018-09.txt"
    assert httpx.get(f"{base_url}/healthz", timeout=10).json()["documents"] == 13
    listing = httpx.get(f"{base_url}/api/admin/documents", headers=AUTH, timeout=10).json()
    assert [s["source"] for s in listing["sources"]] == ["2018-09.txt", "g.txt", "standalone_copy_of_synthetic_notice.txt"]


@pytest.mark.parametrize(
    "name, docnum, date",
    [
        ("state_council_web_page.txt", "国发〔2016〕15号", "2016-03-07"),  # 〇
        ("county_wrapped_title_in_brackets.txt", "余府发〔2012〕3号", "2012-01-09"),  # ○
        ("city_office_no_letterhead.txt", "聊政办字〔2018〕99号", "2018-12-07"),
    ],
)
def test_standalone_with_a_chinese_numeral_date(base_url, name, docnum, date):
    r = post_files(base_url, STANDALONE / name)
    [d] = r.json()["files"][0]["documents"]
    assert (d["docnum"], d["date"], d["indexed"]) == (docnum, date, True)
    [found] = httpx.get(f"{base_url}/api/documents", params={"docnum": docnum}, timeout=10).json()["documents"]
    assert (found["date"], found["issue"]) == (date, None)


def test_questions_asked_while_an_upload_lands_all_succeed(base_url):
    """A thread asks in a loop; uploads and a removal swap the engine meanwhile: 0 errors."""
    stop = threading.Event()
    results: list[tuple[float, int | str, bool]] = []

    def asker():
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    r = client.post("/api/ask", json={"question": QUESTION})
                    results.append((started, r.status_code, r.status_code == 200 and r.json()["answered"]))
                except Exception as e:  # noqa: BLE001 - any failure is what this test counts
                    results.append((started, repr(e), False))

    thread = threading.Thread(target=asker)
    thread.start()
    try:
        time.sleep(0.3)
        upload_started = time.monotonic()
        r = post_files(base_url, COUNTY, STANDALONE / "city_decree_two_lines.txt")
        upload_done = time.monotonic()
        assert r.status_code == 200 and [f["status"] for f in r.json()["files"]] == ["added", "added"]
        time.sleep(0.3)
        assert httpx.delete(f"{base_url}/api/admin/documents/{COUNTY.name}", headers=AUTH, timeout=120).status_code == 200
        time.sleep(0.3)
    finally:
        stop.set()
        thread.join(30)
    errors = [r for r in results if r[1] != 200]
    assert errors == []
    during = [r for r in results if upload_started <= r[0] < upload_done]
    assert during, "no question was asked while the upload was being indexed"
    answered = [a for _, _, a in results]
    assert answered[0] is False and True in answered and answered[-1] is False  # before, with, after the document


def test_admin_needs_the_token_over_http(base_url):
    for headers in ({}, {"Authorization": "Bearer nope"}):
        r = post_files(base_url, COUNTY, headers=headers)
        assert (r.status_code, r.json()) == (401, {"detail": "missing or wrong admin token"})
        assert httpx.get(f"{base_url}/api/admin/documents", headers=headers, timeout=10).status_code == 401
        assert httpx.delete(f"{base_url}/api/admin/documents/g.txt", headers=headers, timeout=10).status_code == 401
    assert ask(base_url, QUESTION)["answered"] is False  # nothing landed


def test_admin_is_404_when_off_over_http(tmp_path):
    for base_url in serve(_settings(tmp_path, admin_token=None), tmp_path):
        r = post_files(base_url, COUNTY)
        assert (r.status_code, r.json()) == (404, {"detail": "admin endpoints are disabled: set GAZETTE_ADMIN_TOKEN"})
        assert httpx.get(f"{base_url}/api/admin/documents", headers=AUTH, timeout=10).status_code == 404
        assert httpx.delete(f"{base_url}/api/admin/documents/g.txt", headers=AUTH, timeout=10).status_code == 404


@pytest.mark.model
def test_upload_is_cited_with_the_real_model(tmp_path):
    settings = _settings(tmp_path, model=Settings().model)
    shared = REPO_ROOT / ".cache" / "embeddings.sqlite3"
    if shared.is_file():
        settings.cache_dir.mkdir(parents=True)
        shutil.copy(shared, settings.cache_dir / "embeddings.sqlite3")
    for base_url in serve(settings, tmp_path):
        assert ask(base_url, QUESTION)["answered"] is False
        r = post_files(base_url, COUNTY, STANDALONE / "state_council_office_letter.txt")
        assert [f["status"] for f in r.json()["files"]] == ["added", "added"]
        answer = ask(base_url, QUESTION)
        assert answer["answered"] is True and answer["citations"][0]["docnum"] == "余府发〔2012〕3号"
        answer = ask(base_url, "国务院同意建立测绘标志保护工作部际联席会议多久开一次全体会议？")
        assert answer["answered"] is True and answer["citations"][0]["docnum"] == "国办函〔2019〕12号"
