"""The `gazette` console command: a thin layer over the library functions."""
from __future__ import annotations

import argparse
import sys

from indexer.errors import GazetteError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gazette", description="聊城市人民政府公报 question answering")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("index", help="parse gazettes and build (or update) the index")
    s.add_argument("paths", nargs="*", help="gazette files or folders (default: the bundled corpus)")
    s.set_defaults(func="service.commands:cmd_index")

    s = sub.add_parser("docs", help="list the parsed documents")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func="service.commands:cmd_docs")

    s = sub.add_parser("search", help="ranked passages for a query")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5)
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func="service.commands:cmd_search")

    s = sub.add_parser("ask", help="answer a question with quoted sources")
    s.add_argument("question")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func="service.commands:cmd_ask")

    s = sub.add_parser("serve", help="run the web service")
    s.add_argument("--host", default=None)
    s.add_argument("--port", type=int, default=None)
    s.set_defaults(func="service.commands:cmd_serve")

    s = sub.add_parser("eval", help="run a QA benchmark")
    s.add_argument("questions", help="a JSONL question file (format: eval/README.md)")
    s.add_argument("--endpoint", default=None, help="base URL of a running service; default in-process")
    s.add_argument("--systems", default="hybrid,bm25,dense")
    s.add_argument("--out", default="eval/out")
    s.add_argument("--limit", type=int, default=None, help="only the first N questions")
    s.set_defaults(func="eval.runner:cmd_eval")

    s = sub.add_parser("train-decision", help="fit the answer/refuse decision model on labelled questions")
    s.add_argument("files", nargs="*", help="JSONL question files (default: eval/data/dev.jsonl, train.jsonl and decision_negatives.jsonl)")
    s.add_argument("--out", default=None, help="where to write the coefficients (default: service/data/decision_model.json)")
    s.set_defaults(func="eval.decision_training:cmd_train_decision")
    return p


def _resolve(ref: str):
    import importlib

    module, name = ref.split(":")
    return getattr(importlib.import_module(module), name)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(_resolve(args.func)(args) or 0)
    except GazetteError as e:
        print(f"gazette: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
