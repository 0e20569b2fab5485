"""`gazette eval`: run question files through the systems and write their reports."""
from __future__ import annotations

import sys
from pathlib import Path

from service.results import SEARCH_MODES

from eval.dataset import load_questions
from eval.report import overall_text_table, side_by_side_table, write_reports
from eval.results import Report
from eval.runner import GENERATED, parse_systems, run_eval


def cmd_eval(args) -> int:
    """`gazette eval FILE [FILE...] [--endpoint URL] [--systems a,b] [--out DIR] [--limit N]`.

    With several files (dev and test), each gets its reports in OUT/<file stem>/ and the overall
    figures are printed side by side.
    """
    paths = args.questions if isinstance(args.questions, list) else [args.questions]
    systems = parse_systems(getattr(args, "systems", None) or ",".join(SEARCH_MODES))
    endpoint = getattr(args, "endpoint", None)
    if GENERATED in systems and not endpoint:
        from indexer.settings import get_settings

        if not get_settings().llm_url:
            print("gazette eval: the generated system needs GAZETTE_LLM_URL (e.g. `gazette llm serve`); "
                  "without it every generated answer falls back to the extractive one", file=sys.stderr)
    out = Path(getattr(args, "out", None) or "eval/out")
    engine = None
    reports: dict[str, Report] = {}
    for path in paths:
        questions, errors = load_questions(path)
        for e in errors:
            print(f"{path}: {e}", file=sys.stderr)
        limit = getattr(args, "limit", None)
        if limit is not None:
            questions = questions[: max(limit, 0)]
        if not questions:
            print(f"gazette eval: no well-formed questions in {path}", file=sys.stderr)
            return 1
        if engine is None and not endpoint:
            engine = _load_engine()
        report = run_eval(questions, systems, engine=engine, endpoint=endpoint, progress=sys.stderr.isatty())
        report.dataset_errors = errors
        report.meta["questions_file"] = str(path)
        written = write_reports(report, out / Path(path).stem if len(paths) > 1 else out)
        reports[Path(path).stem] = report
        print(f"{path}: reports " + ", ".join(str(p) for p in written.values()), file=sys.stderr)
    print(side_by_side_table(reports) if len(reports) > 1 else overall_text_table(next(iter(reports.values()))))
    return 0


def _load_engine():
    from indexer.settings import get_settings
    from service.engine import Engine

    return Engine.load(get_settings())
