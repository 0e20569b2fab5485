"""Fixtures for the end-to-end browser tests (`pytest -m browser tests/e2e`).

Two real services are started, each as its own process:

    python -m uvicorn --factory service.app:create_app --host 127.0.0.1 --port <free>

* ``live_server``: over the real index of the bundled corpus, in the cache dir of the
  current settings (GAZETTE_CACHE_DIR, default ``.cache/``). ``gazette index`` runs first:
  it builds the index when missing or stale and takes seconds when it is up to date.
* ``xss_server``: over a temporary cache dir holding only ``fixtures/xss_gazette.txt``,
  indexed with ``gazette index <file>`` (GAZETTE_CACHE_DIR=tmp, GAZETTE_CORPUS_DIR=tmp/corpus).
  The model and tiktoken folders of the real cache dir are linked in when present, so the
  embedding model is not converted twice.

Each server is awaited on GET /healthz (GAZETTE_E2E_STARTUP_TIMEOUT seconds, default 300).
Its output goes to ``test-output/e2e-logs/`` and the tail is shown when it fails to start.

The browser is Debian's Chromium (`apt-get install chromium`), driven by Playwright with
``executable_path`` (no `playwright install`). The tests skip, with the reason, when
Playwright or Chromium is missing; they fail when ``service.engine`` / ``service.app`` cannot be
imported.

GAZETTE_E2E_APP=module:factory runs the same tests against another app factory (it must be
importable by the server process, e.g. through PYTHONPATH); the index-building steps are
then skipped, the factory is expected to serve its own data.
"""
from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.utils.chromium import CHROMIUM, CHROMIUM_ARGS  # the PDF fixtures print with the same one

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
XSS_GAZETTE = FIXTURES_DIR / "xss_gazette.txt"
OUTPUT_DIR = REPO_ROOT / "test-output"
SCREENSHOT_DIR = OUTPUT_DIR / "screenshots"
LOG_DIR = OUTPUT_DIR / "e2e-logs"

DEFAULT_APP = "service.app:create_app"
APP_FACTORY = os.environ.get("GAZETTE_E2E_APP", DEFAULT_APP)
STARTUP_TIMEOUT = float(os.environ.get("GAZETTE_E2E_STARTUP_TIMEOUT", "300"))
INDEX_TIMEOUT = float(os.environ.get("GAZETTE_E2E_INDEX_TIMEOUT", "1800"))

ADMIN_TOKEN = "e2e-admin-token"  # the live server's GAZETTE_ADMIN_TOKEN: the feedback review page works

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


# --------------------------------------------------------------------------- skips and failures


def _require_real_service() -> None:
    """Fail when the engine or the app cannot be imported (only for the default factory): that is
    a broken service, which a skip would hide."""
    if APP_FACTORY != DEFAULT_APP:
        return
    for module in ("service.engine", "service.app"):
        try:
            importlib.import_module(module)
        except Exception as e:  # ImportError, or a half-written module
            pytest.fail(f"{module} cannot be imported ({type(e).__name__}: {e}); "
                        "the browser tests need the real engine and app", pytrace=False)


@pytest.fixture(scope="session")
def _playwright():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium_browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# --------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, n: int = 60) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _run_gazette(args: list[str], env: dict[str, str], log_name: str) -> None:
    """Run the lead's CLI (`gazette ...`) as `python -m service.cli ...`; fail with its output."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / log_name
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=INDEX_TIMEOUT,
        )
    if proc.returncode != 0:
        pytest.fail(f"`gazette {' '.join(args)}` exited {proc.returncode}:\n{_tail(log_path)}", pytrace=False)


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path
    cache_dir: Path | None = None

    def url(self, path: str) -> str:
        return self.base_url + path


def _start_server(env_overrides: dict[str, str], name: str) -> Server:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = os.environ.copy()
    env.update(env_overrides)
    env.setdefault("PYTHONUNBUFFERED", "1")
    log_path = LOG_DIR / f"{name}.log"
    log = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", APP_FACTORY,
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the {name} server exited with {proc.returncode} before /healthz answered:\n"
                        f"{_tail(log_path)}", pytrace=False)
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as resp:
                if resp.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(f"the {name} server did not answer /healthz within {STARTUP_TIMEOUT:.0f}s:\n"
                        f"{_tail(log_path)}", pytrace=False)
        time.sleep(0.5)
    return Server(base_url=base, process=proc, log_path=log_path,
                  cache_dir=Path(env_overrides["GAZETTE_CACHE_DIR"]) if "GAZETTE_CACHE_DIR" in env_overrides else None)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The service over an index of the bundled corpus built in a temporary cache dir.

    Vectors are copied from the repository's embedding cache (filled by `make index`), so
    building takes seconds; feedback posted by the tests lands in the temporary folder.
    """
    _require_real_service()
    env: dict[str, str] = {"GAZETTE_ADMIN_TOKEN": ADMIN_TOKEN}
    if APP_FACTORY == DEFAULT_APP:
        from indexer.settings import REPO_ROOT

        cache_dir = tmp_path_factory.mktemp("live-cache")
        shared = REPO_ROOT / ".cache" / "embeddings.sqlite3"
        if shared.is_file():
            shutil.copyfile(shared, cache_dir / "embeddings.sqlite3")
        env["GAZETTE_CACHE_DIR"] = str(cache_dir)
        _run_gazette(["index"], {**os.environ, **env}, "index-corpus.log")
    server = _start_server(env, "live-server")
    yield server
    _stop(server.process)


@pytest.fixture(scope="session")
def admin_token() -> str:
    """The live server's admin token (GAZETTE_ADMIN_TOKEN)."""
    return ADMIN_TOKEN


@pytest.fixture(scope="session")
def xss_server(tmp_path_factory):
    """The service over a temporary index holding only the synthetic XSS gazette."""
    _require_real_service()
    root = tmp_path_factory.mktemp("xss-gazette")
    cache_dir = root / "cache"
    corpus_dir = root / "corpus"
    cache_dir.mkdir()
    corpus_dir.mkdir()
    gazette = corpus_dir / XSS_GAZETTE.name
    shutil.copyfile(XSS_GAZETTE, gazette)
    env = {"GAZETTE_CACHE_DIR": str(cache_dir), "GAZETTE_CORPUS_DIR": str(corpus_dir)}
    if APP_FACTORY == DEFAULT_APP:

        # the converted model and tiktoken file are read from settings.models_dir / tiktoken_dir,
        # which stay in the repository's cache whatever GAZETTE_CACHE_DIR says
        _run_gazette(["index", str(gazette)], {**os.environ, **env}, "index-xss.log")
    server = _start_server(env, "xss-server")
    yield server
    _stop(server.process)


# --------------------------------------------------------------------------- pages


@dataclass
class Web:
    """A browser context + page bound to one server, collecting uncaught page errors."""

    server: Server
    context: object
    page: object
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str):
        return self.page.goto(self.server.url(path), wait_until="domcontentloaded")

    def screenshot(self, name: str, full_page: bool = False, page=None) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        (page or self.page).screenshot(path=str(path), full_page=full_page)
        return path

    def watch(self, page) -> None:
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))

    def assert_no_page_errors(self) -> None:
        assert not self.errors, "uncaught JavaScript errors:\n" + "\n".join(self.errors)


def _open(browser, server: Server, viewport: dict) -> Web:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    context.set_default_timeout(30_000)
    web = Web(server=server, context=context, page=None)
    context.on("page", web.watch)  # every page of the context, the first one and new tabs
    web.page = context.new_page()
    return web


@pytest.fixture
def web(chromium_browser, live_server):
    """A desktop-sized page (1280x900) on the real-corpus server."""
    w = _open(chromium_browser, live_server, DESKTOP)
    yield w
    w.context.close()


@pytest.fixture
def phone(chromium_browser, live_server):
    """A phone-sized page (375x740) on the real-corpus server."""
    w = _open(chromium_browser, live_server, PHONE)
    yield w
    w.context.close()


@pytest.fixture
def xss_web(chromium_browser, xss_server):
    """A desktop-sized page on the synthetic XSS-gazette server."""
    w = _open(chromium_browser, xss_server, DESKTOP)
    yield w
    w.context.close()
