"""A uvicorn server on 127.0.0.1 (free port) in a thread, for tests that need real HTTP."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexer.settings import Settings
from service.server import build_server


@contextmanager
def serve(settings: Settings, engine, web_dir: Path | None = None) -> Iterator[str]:
    """Run build_server (what `gazette serve` runs) on port 0; yield its base URL; stop it."""
    server = build_server(settings, "127.0.0.1", 0, engine=engine, web_dir=web_dir)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive(), "uvicorn exited during start-up"
        assert time.monotonic() < deadline, "uvicorn did not start in 15 s"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if hasattr(engine, "slow_release"):
            engine.slow_release.set()
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn did not shut down"
