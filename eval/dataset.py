"""The benchmark question file: one JSON object per line (format: eval/README.md).

A malformed line becomes an error naming its line number; the other lines still load.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import GazetteError

DEFAULT_KIND = "unspecified"


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    gold_docnums: tuple[str, ...]  # 文号, or the title of a document without one
    evidence: tuple[str, ...]  # substrings of the source text
    gold_answer: str | None = None
    kind: str = DEFAULT_KIND
    line: int = 0  # 1-based line in the question file


class LineError(ValueError):
    """What is wrong with one line; the loader prefixes the line number."""


def load_questions(path: str | Path) -> tuple[list[Question], list[str]]:
    """The well-formed questions of a JSONL file, and one message per malformed line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as e:
        raise GazetteError(f"cannot read question file {path}: {e.strerror or e}") from e
    questions: list[Question] = []
    errors: list[str] = []
    seen_ids: set[str] = set()
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            q = parse_question(raw, lineno)
            if q.id in seen_ids:
                raise LineError(f"duplicate id {q.id!r}")
        except LineError as e:
            errors.append(f"line {lineno}: {e}")
            continue
        seen_ids.add(q.id)
        questions.append(q)
    return questions, errors


def load_question_files(paths: list[str]) -> list[Question]:
    """The questions of several files, for training; each malformed line is reported on stderr."""
    questions: list[Question] = []
    for path in paths:
        qs, errors = load_questions(path)
        for e in errors:
            print(f"{path}: {e}", file=sys.stderr)
        questions += qs
    return questions


def parse_question(raw: str, lineno: int) -> Question:
    """One line as a Question; raises LineError saying what is wrong."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as e:
        raise LineError(f"invalid JSON ({e.msg} at column {e.colno})") from None
    if not isinstance(obj, dict):
        raise LineError(f"expected a JSON object, got {_json_type(obj)}")
    question = _required(obj, "question", str).strip()
    if not question:
        raise LineError("field 'question' is empty")
    return Question(
        id=_question_id(obj, lineno),
        question=question,
        answerable=_required(obj, "answerable", bool),
        gold_docnums=_string_list(obj, "gold_docnums"),
        evidence=_string_list(obj, "evidence"),
        gold_answer=_optional(obj, "gold_answer", str),
        kind=(_optional(obj, "kind", str) or "").strip() or DEFAULT_KIND,
        line=lineno,
    )


def _required(obj: dict, name: str, typ: type):
    if name not in obj:
        raise LineError(f"missing field {name!r}")
    return _typed(obj[name], name, typ)


def _optional(obj: dict, name: str, typ: type):
    value = obj.get(name)
    return None if value is None else _typed(value, name, typ)


def _typed(value, name: str, typ: type):
    # bool is a subclass of int; keep true/false and 0/1 apart in both directions
    if not isinstance(value, typ) or (typ is not bool and isinstance(value, bool)):
        raise LineError(f"field {name!r} must be {_TYPE_NAMES[typ]}, got {_json_type(value)}")
    return value


def _string_list(obj: dict, name: str) -> tuple[str, ...]:
    items = _required(obj, name, list)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise LineError(f"field {name!r} item {i} must be a string, got {_json_type(item)}")
        if not item.strip():
            raise LineError(f"field {name!r} item {i} is empty")
    return tuple(item.strip() for item in items)


def _question_id(obj: dict, lineno: int) -> str:
    value = obj.get("id")
    if value is None:
        return f"line{lineno}"
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise LineError(f"field 'id' must be a string, got {_json_type(value)}")
    return str(value).strip() or f"line{lineno}"


_TYPE_NAMES = {str: "a string", bool: "a boolean", list: "a list", int: "an integer"}


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"
