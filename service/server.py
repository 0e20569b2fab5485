"""What `gazette serve` and `gazette ask` call: run the web service, print an answer."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from indexer.settings import Settings
from service.answer_text import format_answer, print_answer  # noqa: F401  (re-exported)
from service import threadsafe_ast
from service.app import create_app

if TYPE_CHECKING:
    from service.engine import Engine


# An idle keep-alive connection is closed after this long. uvicorn's 5 s equals the idle expiry of
# common clients (httpx, urllib3 pools), so a client could reuse a connection just as the server
# closed it: a rare ReadError under load. A proxy or client must give up on idle connections first.
KEEP_ALIVE_S = 65


def build_server(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    engine: Engine | None = None,
    web_dir: Path | None = None,
) -> uvicorn.Server:
    """A uvicorn server for the app. The engine is loaded here, before serving, unless given,
    so a missing index fails as a GazetteError (a one-line CLI error) rather than a traceback."""
    threadsafe_ast.install()  # request threads log tracebacks at once; see service/threadsafe_ast.py
    if engine is None:
        from service.engine import Engine

        engine = Engine.load(settings)
    config = uvicorn.Config(
        create_app(settings, engine, web_dir=web_dir),
        host=host or settings.host,
        port=settings.port if port is None else port,
        log_level="info",
        access_log=False,  # the app writes one JSON line per request (service/request_log.py)
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    return uvicorn.Server(config)


def worker_threads(workers: int, cores: int | None = None) -> int:
    """Encoder threads per worker process: the cores shared out, at least one each."""
    return max(1, (cores or os.cpu_count() or 1) // max(workers, 1))


def run_server(settings: Settings, host: str | None = None, port: int | None = None, workers: int = 1) -> None:
    """Serve the API and the pages until interrupted (host/port default to the settings).

    With workers > 1, uvicorn starts that many processes, each building the app with
    create_app() (settings from the environment, the engine loaded at start-up)."""
    if workers <= 1:
        build_server(settings, host, port).run()
        return
    from indexer.milvus_store import is_lite_uri

    if settings.vector_backend == "milvus" and is_lite_uri(settings.milvus_target):
        from indexer.errors import VectorStoreUnavailable

        raise VectorStoreUnavailable(
            f"--workers {workers} with the milvus-lite file {settings.milvus_target}: one process opens it at a "
            "time; serve with one worker, or set GAZETTE_MILVUS_URI to a Milvus server (http://host:19530)"
        )
    from service.engine import Engine

    Engine.load(settings, warm=False)  # fail here, as a one-line error, if there is no usable index
    # the workers inherit the environment: each takes its share of the cores for the encoder
    os.environ.setdefault("GAZETTE_INFERENCE_THREADS", str(worker_threads(workers)))
    uvicorn.run(
        "service.app:create_app", factory=True, workers=workers,
        host=host or settings.host, port=settings.port if port is None else port,
        log_level="info", access_log=False, timeout_graceful_shutdown=5, timeout_keep_alive=KEEP_ALIVE_S,
        # a worker loads its engine (index, model, jieba) before it answers the supervisor's pings;
        # on 2 busy cores that takes longer than uvicorn's 5 s, and it would restart the worker
        timeout_worker_healthcheck=120,
    )
