"""The messages a model gets: the numbered passages the extractive answer cites, the history, the question.

The wording is a template in service/data/generation_prompt.toml; this module only fills it in.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from indexer.tables import row_index_text
from service.results import Answer, Citation

TEMPLATE = Path(__file__).resolve().parent.parent / "data" / "generation_prompt.toml"


@dataclass(frozen=True)
class Passage:
    """One numbered passage as the model sees it: the citation's [n], its source line, an excerpt."""

    n: int
    title: str
    source: str  # （文号，date）
    text: str  # the quote, or the part of it around what the extractive answer quoted

    @property
    def as_checked(self) -> str:
        """What the checker compares the model's figures with: the source line and the excerpt."""
        return f"《{self.title}》{self.source}\n{self.text}"


@lru_cache(maxsize=1)
def template() -> dict:
    return tomllib.loads(TEMPLATE.read_text("utf-8"))


def passages_of(answer: Answer, max_passages: int, max_chars: int) -> list[Passage]:
    """The extractive answer's citations as passages: at most max_passages, each cut to max_chars
    around the sentences the answer quotes from it."""
    return [_passage(c, _quoted_part(answer.answer, c.n), max_chars) for c in answer.citations[:max_passages]]


def _quoted_part(answer_text: str, n: int) -> str:
    """The text the extractive answer quotes before its marker [n] (its first sentence)."""
    marker = f"[{n}]"
    at = answer_text.find(marker)
    if at < 0:
        return ""
    before = answer_text[:at]
    start = max(before.rfind("："), before.rfind("]"), before.rfind("\n")) + 1
    return before[start:].split("……")[0]


def _passage(c: Citation, quoted: str, max_chars: int) -> Passage:
    source = "（" + "，".join(x for x in (c.docnum, c.date) if x) + "）" if (c.docnum or c.date) else ""
    # a table row means nothing without its header: the model reads it cell by cell under its names
    text = row_index_text(c.table) if c.table else c.quote.strip()
    if len(text) > max_chars:
        at = text.find(quoted[:20]) if quoted else -1
        start = max(0, min(at - max_chars // 5, len(text) - max_chars)) if at > 0 else 0
        text = ("……" if start else "") + text[start:start + max_chars] + ("……" if start + max_chars < len(text) else "")
    return Passage(c.n, c.title, source, text)


def build_messages(question: str, passages: list[Passage], history: list[dict] | None = None) -> list[dict]:
    """System prompt, the last turns of the history (clipped), then the passages and the question."""
    t = template()
    messages = [{"role": "system", "content": t["system"].format(refusal=t["refusal"])}]
    for turn in (history or [])[-t["history_messages"]:] if t["history_messages"] else []:
        if turn.get("role") in ("user", "assistant") and turn.get("content"):
            messages.append({"role": turn["role"], "content": str(turn["content"])[: t["history_chars"]]})
    text = "\n\n".join(t["passage"].format(n=p.n, title=p.title, source=p.source, text=p.text) for p in passages)
    messages.append({"role": "user", "content": t["user"].format(passages=text, question=question)})
    return messages
