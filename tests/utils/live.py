"""A uvicorn server on 127.0.0.1 (free port) in a thread, for tests that need real HTTP."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from indexer.settings import Settings
from service.server import build_server


@contextmanager
def running(server: uvicorn.Server, start_timeout: float = 15) -> Iterator[str]:
    """Run a uvicorn.Server configured for port 0 in a thread; yield http://127.0.0.1:<port>; stop it."""
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        assert thread.is_alive(), "uvicorn exited during start-up"
        assert time.monotonic() < deadline, f"uvicorn did not start in {start_timeout:g} s"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not shut down"


@contextmanager
def serve(settings: Settings, engine, web_dir: Path | None = None, start_timeout: float = 15) -> Iterator[str]:
    """Run build_server (what `gazette serve` runs) on port 0; yield its base URL; stop it."""
    with running(build_server(settings, "127.0.0.1", 0, engine=engine, web_dir=web_dir), start_timeout) as url:
        try:
            yield url
        finally:
            if hasattr(engine, "slow_release"):  # a FakeEngine holding a slow answer lets it go first
                engine.slow_release.set()
