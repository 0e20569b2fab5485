"""The `gazette` console command: a thin layer over the library functions."""
from __future__ import annotations

import argparse
import sys

from indexer.errors import GazetteError
from indexer.settings import Settings

PROG = "gazette"


def _default(name: str):
    """A setting's built-in default (what applies when neither the environment nor .env sets it)."""
    return Settings.model_fields[name].default


EXAMPLES = f"""\
examples:
  {PROG} index                              # index data/gazettes/ (does nothing when unchanged)
  {PROG} ask "烈士遗属坐公交车要钱吗？"
  {PROG} search "城市低保标准" -k 3 --json
  {PROG} serve --port 8080
  {PROG} feedback --json > feedback.json

settings come from GAZETTE_* environment variables, then from a .env file in the working folder
(README: Settings)."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks; lists every option's help as written (defaults included)."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("liaocheng-gazette-qa")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _subparser(sub, name: str, help: str, examples: str, func: str) -> argparse.ArgumentParser:
    s = sub.add_parser(
        name, help=help, description=help, epilog="examples:\n" + examples, formatter_class=HelpFormatter
    )
    s.set_defaults(func=func)
    return s


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="聊城市人民政府公报 question answering: quoted, cited answers from the gazettes.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = _subparser(sub, "index", "parse gazettes and build (or update) the index",
                   f"  {PROG} index\n  {PROG} index data/gazettes/2023-08.txt more/", "service.commands:cmd_index")
    s.add_argument("paths", nargs="*",
                   help="gazette files or folders (default: the bundled corpus, $GAZETTE_CORPUS_DIR)")

    s = _subparser(sub, "docs", "list the parsed documents", f"  {PROG} docs\n  {PROG} docs --json",
                   "service.commands:cmd_docs")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table (default: a table)")

    s = _subparser(sub, "search", "ranked passages for a query",
                   f'  {PROG} search "城市低保标准"\n  {PROG} search "聊政办字〔2018〕76号" -k 3 --mode bm25 --json',
                   "service.commands:cmd_search")
    s.add_argument("query", help="words, a question or a 文号")
    s.add_argument("-k", type=int, default=5, help="how many passages (default: 5)")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid",
                   help="hybrid fuses BM25 and vectors; bm25 or dense alone (default: hybrid)")
    s.add_argument("--json", action="store_true", help="print JSON instead of text (default: text)")

    s = _subparser(sub, "ask", "answer a question with quoted sources",
                   f'  {PROG} ask "烈士遗属坐公交车要钱吗？"\n  {PROG} ask "城市低保标准是多少？" --json',
                   "service.commands:cmd_ask")
    s.add_argument("question", help="the question, in everyday words")
    s.add_argument("--json", action="store_true", help="print the whole answer as JSON (default: text)")

    s = _subparser(sub, "serve", "run the web service (pages, API, /v1, /retrieval, /metrics)",
                   f"  {PROG} serve\n  {PROG} serve --host 0.0.0.0 --port 8080", "service.commands:cmd_serve")
    s.add_argument("--host", default=None,
                   help=f"address to listen on (default: $GAZETTE_HOST, else {_default('host')})")
    s.add_argument("--port", type=int, default=None,
                   help=f"port to listen on (default: $GAZETTE_PORT, else {_default('port')})")

    s = _subparser(sub, "eval", "run a QA benchmark",
                   f"  {PROG} eval eval/data/dev.jsonl --limit 20\n"
                   f"  {PROG} eval eval/data/dev.jsonl --endpoint http://127.0.0.1:8000 --systems hybrid",
                   "eval.runner:cmd_eval")
    s.add_argument("questions", help="a JSONL question file (format: eval/README.md)")
    s.add_argument("--endpoint", default=None,
                   help="base URL of a running service (default: none, the engine in this process)")
    s.add_argument("--systems", default="hybrid,bm25,dense",
                   help="comma-separated retrieval modes to compare (default: hybrid,bm25,dense)")
    s.add_argument("--out", default="eval/out", help="folder for the reports (default: eval/out)")
    s.add_argument("--limit", type=int, default=None, help="only the first N questions (default: all)")

    s = _subparser(sub, "feedback", "export the feedback users gave on answers",
                   f"  {PROG} feedback\n  {PROG} feedback --json > feedback.json", "service.commands:cmd_feedback")
    s.add_argument("--json", action="store_true",
                   help="every row with its question, answer and citations as JSON (default: a summary per row)")
    return p


def _resolve(ref: str):
    import importlib

    module, name = ref.split(":")
    return getattr(importlib.import_module(module), name)


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    args = build_parser().parse_args(argv)
    try:
        return int(_resolve(args.func)(args) or 0)
    except GazetteError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except ValidationError as e:  # a GAZETTE_* variable or .env line with a bad value
        print(f"{PROG}: error: {settings_problem(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def settings_problem(error) -> str:
    """The first bad setting of a pydantic ValidationError as one line naming its variable."""
    first = error.errors()[0]
    name = "GAZETTE_" + str(first["loc"][0]).upper() if first.get("loc") else "a setting"
    return f"bad setting {name}: {first['msg'].removeprefix('Value error, ')} (got {first.get('input')!r})"


if __name__ == "__main__":
    sys.exit(main())
