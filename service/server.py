"""What `gazette serve` and `gazette ask` call: run the web service, print an answer."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import uvicorn

from indexer.settings import Settings
from service.app import create_app
from service.results import Answer

if TYPE_CHECKING:
    from service.engine import Engine


def build_server(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    engine: Engine | None = None,
    web_dir: Path | None = None,
) -> uvicorn.Server:
    """A uvicorn server for the app. The engine is loaded here, before serving, unless given,
    so a missing index fails as a GazetteError (a one-line CLI error) rather than a traceback."""
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
    )
    return uvicorn.Server(config)


def run_server(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the API and the pages until interrupted (host/port default to the settings)."""
    build_server(settings, host, port).run()


def format_answer(answer: Answer) -> str:
    """The answer text, then its numbered sources: [n] 《title》（文号） date section, and the quote."""
    lines = [answer.answer.rstrip()]
    if answer.citations:
        lines += ["", "来源："]
    for c in answer.citations:
        label = f"《{c.title}》（{c.docnum}）" if c.docnum else f"《{c.title}》"
        lines.append(" ".join(part for part in (f"[{c.n}]", label, c.date, c.section) if part))
        lines += [f"    {line}" for line in c.quote.splitlines() if line.strip()]
    return "\n".join(lines)


def print_answer(answer: Answer, as_json: bool = False, file: TextIO | None = None) -> None:
    """Print an Answer for the terminal: readable text, or the whole Answer as JSON."""
    out = file or sys.stdout
    if as_json:
        print(json.dumps(asdict(answer), ensure_ascii=False, indent=2), file=out)
    else:
        print(format_answer(answer), file=out)
