"""An Answer as terminal text or JSON (`gazette ask`); light to import: no web framework."""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import TextIO

from service.results import Answer


def format_answer(answer: Answer) -> str:
    """The answer text, then its numbered sources: [n] 《title》（文号） date section, and the quote."""
    lines = [answer.answer.rstrip()]
    if answer.citations:
        lines += ["", "来源："]
    for c in answer.citations:
        label = f"《{c.title}》（{c.docnum}）" if c.docnum else f"《{c.title}》"
        lines.append(" ".join(part for part in (f"[{c.n}]", label, c.date, c.page and f"第{c.page}页", c.section) if part))
        lines += [f"    {line}" for line in c.quote.splitlines() if line.strip()]
    return "\n".join(lines)


def print_answer(answer: Answer, as_json: bool = False, file: TextIO | None = None) -> None:
    """Print an Answer for the terminal: readable text, or the whole Answer as JSON."""
    out = file or sys.stdout
    if as_json:
        print(json.dumps(asdict(answer), ensure_ascii=False, indent=2), file=out)
    else:
        print(format_answer(answer), file=out)
