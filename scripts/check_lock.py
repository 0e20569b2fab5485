"""Fail when pyproject.toml and requirements.lock disagree.

Runs the lock command (pip-compile, given after `--`) on a copy of the lock: pip-compile keeps
every pin that still satisfies pyproject.toml, so a current lock comes back unchanged, and a
dependency added, dropped or re-ranged in pyproject.toml shows up as a difference.

    python scripts/check_lock.py --lock requirements.lock -- pip-compile pyproject.toml ... --quiet
"""
from __future__ import annotations

import argparse
import difflib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def requirement_lines(text: str) -> list[str]:
    """The lock without its header, which names the output file and so differs by path."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line and not line.startswith("#")), len(lines))
    return lines[first:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the pip-compile command, after --")
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"]
    if not args.lock.is_file():
        print(f"check-lock: {args.lock} is missing: run `make lock` and commit it", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / args.lock.name
        shutil.copy(args.lock, fresh)
        done = subprocess.run([*command, "--output-file", str(fresh)], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"check-lock: pip-compile failed, so the lock cannot be checked:\n{done.stderr[-3000:]}",
                  file=sys.stderr)
            return 1
        ours, theirs = requirement_lines(args.lock.read_text()), requirement_lines(fresh.read_text())
    if ours == theirs:
        print(f"check-lock: {args.lock} matches pyproject.toml")
        return 0
    diff = difflib.unified_diff(ours, theirs, f"{args.lock} (committed)", f"{args.lock} (from pyproject.toml)",
                                lineterm="", n=1)
    print("\n".join(list(diff)[:200]), file=sys.stderr)
    print(f"\ncheck-lock: {args.lock} does not match pyproject.toml. Run `make lock` and commit {args.lock} "
          "(then `make test`, since the installed set changes).", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
