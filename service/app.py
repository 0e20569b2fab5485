"""The web service: builds the FastAPI app, loads the engine once, serves the API and the pages."""
from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from indexer.errors import DocumentNotFound, GazetteError
from indexer.settings import REPO_ROOT, Settings, get_settings
from service.deps import EngineDep
from service.feedback import FeedbackStore, FeedbackStoreError
from service.http_errors import gazette_error_handler, http_error_handler, unexpected_error_handler
from service.metrics import install_metrics
from service.openapi import build_openapi
from service.rate_limits import RateLimits, limited_prefixes
from service.request_log import RequestLogMiddleware, configure_request_logging
from service.routes import admin, ask, corpus, documents, external_knowledge, feedback, health, openai_chat, search
from service.routes.external_knowledge import ExternalKnowledgeFailure, external_knowledge_error_handler
from service.security_headers import SecurityHeaders

if TYPE_CHECKING:
    from service.engine import Engine

logger = logging.getLogger(__name__)

WEB_DIR = REPO_ROOT / "web"
MAX_BODY_BYTES = 4 * 1024 * 1024  # well above the largest valid request (40 history messages)

def create_app(
    settings: Settings | None = None, engine: Engine | None = None, web_dir: Path | None = None
) -> FastAPI:
    """The app. Without `engine`, Engine.load(settings) runs once at start-up (lifespan)."""
    settings = settings or get_settings()
    web_dir = Path(web_dir) if web_dir is not None else WEB_DIR

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.engine is None:
            from service.engine import Engine

            app.state.engine = await run_in_threadpool(Engine.load, settings)
        await run_in_threadpool(prune_old_answers, app.state.feedback)
        yield
        await run_in_threadpool(app.state.feedback.close)  # the answers still queued for the log

    app = FastAPI(
        title="聊城市人民政府公报 问答",
        description="Questions answered from the Liaocheng city government gazettes, "
        "with verbatim quotes and 文号 citations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.feedback = FeedbackStore(settings.feedback_db, settings.answer_log_days)

    for module in (ask, search, documents, feedback, health, openai_chat, external_knowledge):
        app.include_router(module.router)
    app.include_router(corpus.router)
    app.include_router(admin.router)
    app.state.corpus_lock = threading.Lock()  # corpus changes one at a time (service.ingest)
    app.include_router(pages_router(web_dir))
    app.mount("/static", OptionalStaticFiles(directory=web_dir / "static", check_dir=False), name="static")

    # middlewares, innermost first: each one added wraps the ones before it
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES,
                       upload_bytes=settings.max_upload_mb * 1024 * 1024, upload_prefix="/api/admin/documents")
    app.add_middleware(RateLimits, prefixes=limited_prefixes(settings))
    install_metrics(app)  # counts the 413s and 429s above, and every route by its template
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestLogMiddleware, log_questions=settings.log_questions)
    configure_request_logging()

    app.add_exception_handler(GazetteError, gazette_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(ExternalKnowledgeFailure, external_knowledge_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
    app.openapi = lambda: build_openapi(app, settings)  # type: ignore[method-assign]
    return app


def prune_old_answers(store: FeedbackStore) -> None:
    """Delete answers past settings.answer_log_days at start-up; a store that fails is only logged."""
    try:
        store.prune_answers()
    except FeedbackStoreError as e:
        logger.warning("old answers not pruned: %s", e)


class BodySizeLimit:
    """Answer 413 before reading a body whose Content-Length is over `max_bytes` (`upload_bytes`
    on the upload route: GAZETTE_MAX_UPLOAD_MB, since a gazette issue's PDF runs to 30 MB)."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None, upload_prefix: str = ""):
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes or max_bytes
        self.upload_prefix = upload_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length", b"")
            upload = bool(self.upload_prefix) and scope["path"].startswith(self.upload_prefix)
            cap = self.upload_bytes if upload else self.max_bytes
            if length.isdigit() and int(length) > cap:
                detail = f"request body too large: {int(length)} bytes (max {cap}"
                detail += ", GAZETTE_MAX_UPLOAD_MB)" if upload else ")"
                await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class OptionalStaticFiles(StaticFiles):
    """StaticFiles that answers 404, not 500, while the folder does not exist (yet)."""

    async def check_config(self) -> None:
        return None


def pages_router(web_dir: Path) -> APIRouter:
    """The HTML pages; a page whose file is missing is a 404."""
    router = APIRouter(include_in_schema=False)

    def page(name: str, status_code: int = 200) -> FileResponse:
        path = web_dir / name
        if not path.is_file():
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"page not found: {name}")
        return FileResponse(path, status_code=status_code, media_type="text/html; charset=utf-8")

    @router.get("/")
    def read_chat_page() -> FileResponse:
        """The citizens' chat page."""
        return page("index.html")

    @router.get("/agent")
    def read_agent_page() -> FileResponse:
        """The hotline agents' page."""
        return page("agent.html")

    @router.get("/admin/documents")
    def read_admin_documents_page() -> FileResponse:
        """The operator page: upload gazettes (PDF, web page, Word, text), watch them being read
        and indexed, list and remove source files. A shell: it asks for the admin token."""
        return page("admin-documents.html")

    @router.get("/admin/feedback")
    def read_feedback_review_page() -> FileResponse:
        """The feedback review page: a shell that asks for the admin token and fetches the data
        from GET /api/admin/feedback with it (a browser sends no bearer token on navigation)."""
        return page("admin-feedback.html")

    @router.get("/documents/{doc_id}")
    def read_document_page(doc_id: str, engine: EngineDep) -> FileResponse:
        """One document's page; served with 404 for an unknown doc_id so the page can say so."""
        try:
            engine.get_document(doc_id)
        except DocumentNotFound:
            return page("document.html", status.HTTP_404_NOT_FOUND)
        return page("document.html")

    return router
