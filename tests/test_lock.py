"""The installed environment is the lock: what `make setup` installs, and nothing else, at the
exact versions requirements.lock pins (what `pip freeze` would list, pip itself and the project aside)."""
from __future__ import annotations

import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

import pytest

from indexer.settings import REPO_ROOT

LOCK = REPO_ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")
NOT_LOCKED = {"pip", "liaocheng-gazette-qa"}  # the installer (pinned in the Makefile), and the project itself


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    return {_norm(m[1]): m[2] for line in LOCK.read_text().splitlines() if (m := PIN.match(line))}


def installed() -> dict[str, str]:
    return {_norm(d.metadata["Name"]): d.version for d in md.distributions() if _norm(d.metadata["Name"]) not in NOT_LOCKED}


def test_the_lock_pins_every_direct_dependency_within_its_range():
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    pins = locked()
    outside = [f"{r.name} {pins.get(_norm(r.name))}" for r in reqs
               if pins.get(_norm(r.name)) is None or not r.specifier.contains(pins[_norm(r.name)], prereleases=True)]
    assert outside == []
    assert pins["torch"] == "2.13.0+cpu"  # the local CPU build, never a CUDA one
    blocks = [b for b in re.split(r"\n(?=\S)", LOCK.read_text()) if PIN.match(b)]
    assert len(blocks) == len(pins) and all("--hash=sha256:" in b for b in blocks)  # pip installs with --require-hashes


@pytest.mark.skipif(Path(sys.prefix).resolve() != (REPO_ROOT / ".venv").resolve(),
                    reason="runs in the venv that `make setup` built from the lock")
def test_the_venv_holds_exactly_the_lock():
    want, have = locked(), installed()
    wrong = {n: (want.get(n), have.get(n)) for n in want.keys() | have.keys() if want.get(n) != have.get(n)}
    assert wrong == {}, "the venv differs from requirements.lock (locked, installed); run `make setup` again"
