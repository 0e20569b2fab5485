"""What the newest releases would break, before they land: `make upgrade-check`.

1. Re-resolves pyproject.toml to the newest allowed version of everything (pip-compile --upgrade
   on a copy of the lock), and lists each version that would change.
2. Lists the direct dependencies whose newest release lies outside pyproject.toml's range
   (openai 3 against `openai>=1.40,<3`): those need a code change and a new range, not a relock.
3. Installs the newest allowed set in a throwaway venv and runs the fast test tier there.

Nothing in the repository changes. Exit 0 when the fast tier passes on the newest set, 1 when it
breaks (the failing tests are listed), 2 when the newest set cannot even be installed.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)")


def pins(lock_text: str) -> dict[str, str]:
    """name → version of every `name==version` line, names normalised as pip does."""
    return {_norm(m[1]): m[2] for line in lock_text.splitlines() if (m := PIN.match(line))}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def changed_versions(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """One line per package whose version, or presence, differs between two locks."""
    lines = []
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name, "—"), new.get(name, "—")
        if a != b:
            lines.append(f"  {name:32} {a:>20} → {b}")
    return lines


def direct_requirements(pyproject: Path) -> dict[str, str]:
    """name → requirement string of the package's dependencies and its extras'."""
    project = tomllib.loads(pyproject.read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    out = {}
    for req in reqs:
        name = re.match(r"[A-Za-z0-9_.\-]+", req)[0]
        out[_norm(name)] = req
    return out


def latest_release(pip: Path, name: str) -> str | None:
    """The newest release pip can see, whatever the range (`pip index versions`)."""
    done = subprocess.run([str(pip), "index", "versions", name], capture_output=True, text=True)
    m = re.search(r"^\S+ \(([^)]+)\)", done.stdout, re.M)
    return m[1] if m else None


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, required=True)
    parser.add_argument("--pip", default="pip", help="the pip requirement to install in the throwaway venv")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway folder (printed)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the pip-compile command, after --")
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"]
    tmp = Path(tempfile.mkdtemp(prefix="upgrade-check-"))
    try:
        newest = tmp / "newest.lock"
        shutil.copy(args.lock, newest)
        done = run([*command, "--upgrade", "--output-file", str(newest)])
        if done.returncode != 0:
            print(f"upgrade-check: the newest allowed set does not resolve:\n{done.stderr[-3000:]}")
            return 2
        old, new = pins(args.lock.read_text()), pins(newest.read_text())
        changes = changed_versions(old, new)
        print(f"1. Newest allowed versions against {args.lock}: "
              + (f"{len(changes)} differ" if changes else "none differs"))
        print("\n".join(changes))

        tool_pip = Path(sys.executable).parent / "pip"
        beyond = []
        for name, req in sorted(direct_requirements(REPO / "pyproject.toml").items()):
            latest = latest_release(tool_pip, name)
            if latest and latest != new.get(name) and not latest.startswith(new.get(name, "\0") + "+"):
                beyond.append(f"  {name:32} allowed {new.get(name, '?'):>14}, newest {latest}   ({req})")
        print(f"\n2. Direct dependencies with a newer release outside pyproject.toml's range: {len(beyond) or 'none'}")
        print("\n".join(beyond))

        venv = tmp / "venv"
        print(f"\n3. The fast tier on the newest allowed set, in {venv}")
        py = venv / "bin" / "python"
        steps = [[sys.executable, "-m", "venv", str(venv)],
                 [str(py), "-m", "pip", "install", "-q", args.pip],
                 [str(py), "-m", "pip", "install", "-q", "--require-hashes", "--no-deps", "-r", str(newest)],
                 [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(REPO)]]
        for step in steps:
            done = run(step)
            if done.returncode != 0:
                print(f"upgrade-check: cannot install the newest set ({' '.join(step[-3:])}):\n{done.stderr[-3000:]}")
                return 2
        tests = run([str(py), "-m", "pytest", "-q", "-m", "not model and not browser", "-p", "no:cacheprovider",
                     "-rf", "--tb=line"], cwd=REPO)
        failed = [line for line in tests.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
        summary = tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr[-500:]
        print(f"   {summary}")
        if tests.returncode == 0:
            print("\nupgrade-check: nothing breaks on the newest allowed versions; `make lock-upgrade` would take them.")
            return 0
        print("\n".join(f"   {line}" for line in failed[:100]))
        print(f"\nupgrade-check: the newest allowed versions break {len(failed)} test(s): fix the code, or narrow "
              "the range in pyproject.toml, before `make lock-upgrade`.")
        return 1
    finally:
        if args.keep:
            print(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
