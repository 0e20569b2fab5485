"""The API against its own OpenAPI document: `schemathesis run <base>/openapi.json --checks all`,
bounded (few examples per operation, fixed seed), against a live server over the fake engine.

Every check is on: statuses and content types documented, responses matching their schemas,
valid data accepted (positive), invalid data rejected (negative), auth enforced, 405 for
undocumented methods, and the stateful phase (feedback → review list). One run with the default
settings (no admin token, no retrieval key: those endpoints are off and out of the document) and
one with both set and sent, so the authenticated routes are fuzzed too (schemathesis also probes
them without the header and with a wrong one).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.utils.api import make_settings, make_web_dir
from tests.utils.fake_engine import FakeEngine
from tests.utils.live import serve

pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install '.[test]')")

TOKEN = "contract-token"
MAX_EXAMPLES = 15  # per operation and phase: the whole module stays well under two minutes


# The CLI, run by this interpreter with the AST lock installed first: its worker threads parse
# source (hypothesis) at once, and CPython 3.11.7 then ended a passing run in "Runtime Error".
CLI = ("import sys; from service import threadsafe_ast; threadsafe_ast.install(); "
       "from schemathesis.cli import schemathesis; sys.argv[0] = 'schemathesis'; sys.exit(schemathesis())")


def schemathesis_command() -> list[str]:
    return [sys.executable, "-c", CLI]


def run_schemathesis(base_url: str, workdir: Path, *extra: str) -> subprocess.CompletedProcess:
    """The CLI run in `workdir`, where it keeps its cache (.schemathesis/), not in the repository."""
    return subprocess.run(
        [*schemathesis_command(), "run", f"{base_url}/openapi.json", "--checks", "all",
         "--max-examples", str(MAX_EXAMPLES), "--seed", "20240501", "--generation-database", "none",
         "--no-color", *extra],
        capture_output=True, text=True, timeout=110, cwd=workdir,
    )


@pytest.mark.parametrize("authenticated", [False, True], ids=["defaults", "with-tokens"])
def test_schemathesis_finds_no_failures(tmp_path, authenticated):
    overrides = {}
    if authenticated:  # high limits let the fuzzer reach the feedback logic instead of the limiter
        overrides = {"admin_token": TOKEN, "retrieval_key": TOKEN,
                     "rate_limit_feedback": "10000/minute", "rate_limit_admin": "10000/minute"}
    settings = make_settings(tmp_path, **overrides)
    headers = ["--header", f"Authorization: Bearer {TOKEN}"] if authenticated else []
    with serve(settings, FakeEngine(settings), make_web_dir(tmp_path)) as base_url:
        result = run_schemathesis(base_url, tmp_path, *headers)
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "Failures:" not in result.stdout, report
    summary = [line.strip() for line in result.stdout.splitlines() if " generated, " in line]
    print(summary)  # e.g. "964 generated, 964 passed" (shown with pytest -s)
    assert summary and "passed" in summary[-1], report
