"""Helpers of the API tests: settings over a temporary folder, a web folder of stub pages, and
a text/event-stream body decoded."""
from __future__ import annotations

import json
from pathlib import Path

from indexer.settings import Settings


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = dict(cache_dir=tmp_path, corpus_dir=tmp_path / "corpus", max_question_chars=50)
    return Settings(**{**values, **overrides})


def make_web_dir(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    (web / "static").mkdir(parents=True)
    (web / "index.html").write_text("<html>chat 问答</html>", encoding="utf-8")
    (web / "agent.html").write_text("<html>agent</html>", encoding="utf-8")
    (web / "document.html").write_text("<html>document</html>", encoding="utf-8")
    (web / "static" / "app.js").write_text("console.log('hi');", encoding="utf-8")
    return web


def parse_sse(body: str) -> list[tuple[str, object]]:
    """(event, decoded data) pairs of a text/event-stream body."""
    events = []
    for block in body.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events
