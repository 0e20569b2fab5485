"""Serialise Python-level AST building across threads, on the CPython releases where it races.

CPython 3.11.0–3.11.7 and 3.12.0–3.12.1 keep the counter that `ast.parse` uses to bound its
recursion in one per-interpreter struct (gh-106905, fixed by gh-113035 in 3.11.8 and 3.12.2).
When two threads build AST objects at once and one of them lets the GIL go (a garbage-collection
pass that runs a `__del__` is enough), the counts interleave and the second parse raises
`SystemError: AST constructor recursion depth mismatch (before=129, after=146)`.

Who parses at the same time here: pytest formats a failing test's traceback with `ast.parse`
while a uvicorn thread of the same process logs its own exception (the traceback module finds its
`^^^^` carets with `ast.parse` too); hypothesis inside the schemathesis CLI; the service's request
threads logging errors. pytest does not catch a SystemError there: the whole run ended in
INTERNALERROR half-way. One lock around every `compile()` that builds or reads an AST makes the
interleaving impossible; plain compiles of source to code (imports) do not touch that counter and
stay unlocked.
"""
from __future__ import annotations

import ast
import builtins
import sys
import threading

_lock = threading.RLock()  # re-entrant: a GC pass inside a locked parse may parse again
_installed = False


def has_the_ast_race(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> bool:
    """Whether this CPython release shares the AST recursion counter between threads."""
    return (3, 11, 0) <= version < (3, 11, 8) or (3, 12, 0) <= version < (3, 12, 2)


def install(force: bool = False) -> bool:
    """Wrap builtins.compile (which ast.parse calls) in the lock; True if it is wrapped now."""
    global _installed
    if _installed or not (force or has_the_ast_race()):
        return _installed
    unlocked = builtins.compile

    def compile(source, filename, mode, flags=0, *args, **kwargs):  # noqa: A001 - replaces the builtin
        if flags & ast.PyCF_ONLY_AST or isinstance(source, ast.AST):
            with _lock:
                return unlocked(source, filename, mode, flags, *args, **kwargs)
        return unlocked(source, filename, mode, flags, *args, **kwargs)

    compile.__wrapped__ = unlocked
    builtins.compile = compile
    _installed = True
    return True
