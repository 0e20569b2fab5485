"""Every answer the service gives to a question file, as JSON lines, to prove a refactor changes none.

    python scripts/answer_snapshot.py eval/data/dev.jsonl eval/data/test.jsonl eval/data/train.jsonl --out /tmp/before.jsonl
    ... change the code ...
    python scripts/answer_snapshot.py ... --out /tmp/after.jsonl --against /tmp/before.jsonl

A line holds what a user sees (text, answered, notes) and what is cited (document, paragraphs, quote,
page); timings are left out. `--against` prints each question whose line differs and exits 1 if any
does. A run is not a benchmark run: nothing is scored, and the split's run count does not change.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path


def answer_line(qid: str, answer) -> dict:
    """The comparable part of one answer."""
    return {
        "id": qid,
        "answered": answer.answered,
        "answer": answer.answer,
        "notes": list(answer.notes),
        "mode": answer.answer_mode,
        "citations": [{k: v for k, v in asdict(c).items() if k not in ("score",)} for c in answer.citations],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+")
    p.add_argument("--out", required=True)
    p.add_argument("--against", help="an earlier snapshot; differences are listed and make the exit code 1")
    args = p.parse_args(argv)

    from eval.dataset import load_questions
    from indexer.settings import get_settings
    from service.engine import Engine

    engine = Engine.load(get_settings())
    lines = []
    for path in args.files:
        questions, _errors = load_questions(path)
        for q in questions:
            lines.append(answer_line(f"{Path(path).stem}:{q.id}", engine.ask(q.question)))
    lines = [json.loads(json.dumps(x, ensure_ascii=False)) for x in lines]  # as the file holds them (tuples become lists)
    Path(args.out).write_text("".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n" for x in lines), encoding="utf-8")
    print(f"{len(lines)} answers -> {args.out}")
    if not args.against:
        return 0
    before = {x["id"]: x for x in map(json.loads, Path(args.against).read_text(encoding="utf-8").splitlines())}
    changed = [x["id"] for x in lines if before.get(x["id"]) != x]
    for qid in changed:
        print(f"CHANGED {qid}\n  before: {json.dumps(before.get(qid), ensure_ascii=False)}\n  after:  "
              f"{json.dumps(next(x for x in lines if x['id'] == qid), ensure_ascii=False)}")
    print(f"{len(changed)} of {len(lines)} answers differ from {args.against}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
