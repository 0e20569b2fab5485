"""The OpenAPI document, completed with what depends on the settings.

* A question-like field marked `x-max-length-setting: max_question_chars` (schemas.common.QUESTION_TEXT_SCHEMA)
  gets that setting's value as `maxLength`, so the document states the limit the code enforces;
  a field marked `x-enum-setting: NAME` gets `enum: [the setting's value]` (Dify's knowledge id).
* Every operation under a rate-limited prefix documents its 429 (the limit is a middleware, so
  routes added by anyone are covered).
* Endpoints switched off by the settings are left out: /api/admin/* without GAZETTE_ADMIN_TOKEN,
  /retrieval without GAZETTE_RETRIEVAL_KEY. They still answer (404, "disabled: set …"), but the
  document describes the API as configured; a client, or a fuzzer, sees no route it cannot use.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from indexer.settings import Settings
from service.rate_limits import limited_prefixes, under_prefix
from service.schemas.common import ERROR_TEXT

# path prefix → the setting without which the endpoints under it are off
SWITCHED_BY_SETTING = {"/api/admin": "admin_token", "/retrieval": "retrieval_key"}

MAX_LENGTH_MARK = "x-max-length-setting"
ENUM_MARK = "x-enum-setting"


def build_openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """FastAPI's document for `app`, with the settings' limits filled in (cached on the app)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        fill_settings(schema, settings)
        document_rate_limits(schema, list(limited_prefixes(settings)))
        drop_disabled(schema, settings)
        app.openapi_schema = schema
    return app.openapi_schema


def fill_settings(node: Any, settings: Settings) -> None:
    """Set `maxLength` / `enum` wherever a schema names the setting that decides it (in place)."""
    if isinstance(node, dict):
        if isinstance(name := node.get(MAX_LENGTH_MARK), str):
            node["maxLength"] = int(getattr(settings, name))
        if isinstance(name := node.get(ENUM_MARK), str):
            node["enum"] = [getattr(settings, name)]
        for value in node.values():
            fill_settings(value, settings)
    elif isinstance(node, list):
        for value in node:
            fill_settings(value, settings)


def document_rate_limits(schema: dict[str, Any], prefixes: list[str]) -> None:
    """Add a 429 response to every operation whose path is under one of `prefixes` (in place)."""
    error_ref = {"$ref": "#/components/schemas/ErrorDetail"}
    for path, operations in schema.get("paths", {}).items():
        if not any(under_prefix(path, p) for p in prefixes):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "429",
                {"description": ERROR_TEXT[429], "content": {"application/json": {"schema": error_ref}}},
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
                "ErrorDetail",
                {"properties": {"detail": {"type": "string", "title": "Detail"}}, "type": "object",
                 "required": ["detail"], "title": "ErrorDetail"},
            )


def drop_disabled(schema: dict[str, Any], settings: Settings) -> None:
    """Remove the paths whose endpoints are off under these settings (in place)."""
    off = [prefix for prefix, name in SWITCHED_BY_SETTING.items() if getattr(settings, name) is None]
    for path in [p for p in schema.get("paths", {}) if any(under_prefix(p, prefix) for prefix in off)]:
        del schema["paths"][path]
