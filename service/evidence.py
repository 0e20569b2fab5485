"""Evidence: the sentences of retrieved paragraphs, scored by how well they answer the question."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.lexical import tokenize
from indexer.chronicle import day_words
from indexer.models import Paragraph, TableRow
from indexer.tables import row_index_text
from indexer.text import normalize_for_index, sentences

from . import vocabulary as V
from .abbreviations import NameTable, defined_abbreviations
from .policy import ScoringPolicy
from .patterns import (APPOINTMENT_RE, CN_FIGURE_RE, DATE_OR_TIME_LIMIT_RE, DAY_DATE_RE, DEPT_NOTE_RE, DEPT_RE, FIGURE_RE, NUMERIC_CELL_RE,
                       ADDRESS_RE, PHONE_RE, PERSON_RE, PROCEDURE_RE, REMOVAL_RE, TABLE_ORDINAL_HEADER_RE, VALIDITY_RE)
from .question import Question, term_variants
from .results import Hit
from .scope import place_stem

UNKNOWN_TERM_WEIGHT = 4.0  # a word the gazettes never use is more likely phrasing than substance


@dataclass
class TermStats:
    """Inverse document frequency of tokens over the chunks: weights for how specific a term is."""

    idf: dict[str, float]
    default: float
    # short name → full name, as the corpus defines them (service/abbreviations.py)
    abbreviations: dict[str, str] = field(default_factory=dict)
    # names of the people the corpus appoints or removes (service/people.py): whole key terms
    people: list[str] = field(default_factory=list)

    def __post_init__(self):
        # Derived look-ups, not fields, so the stored statistics (dataclasses.asdict) hold only the
        # data: terms → their matching table (one question's terms meet hundreds of sentences),
        # the names matched in one pass, and the people as a set.
        self._tables: dict = {}
        self._names = NameTable(self.abbreviations)
        self.people_names = frozenset(self.people)

    @classmethod
    def of(cls, texts: list[str], people: list[str] = ()) -> "TermStats":
        df: dict[str, int] = {}
        for t in texts:
            for tok in set(tokenize(normalize_for_index(t))):
                df[tok] = df.get(tok, 0) + 1
        n = max(len(texts), 1)
        idf = {tok: math.log((n + 1) / (c + 0.5)) for tok, c in df.items()}
        names = {normalize_for_index(s).lower(): normalize_for_index(f).lower() for s, f in defined_abbreviations(texts).items()}
        return cls(idf, math.log(n + 1) + 1.0, names, list(people))

    def is_person(self, term: str) -> bool:
        """Whether the term names a person the corpus appoints or removes."""
        return term in self.people_names

    def spelled_out(self, text: str) -> str:
        """The (normalised) text followed by the other name of each short or full name it holds."""
        return self._names.spelled_out(text)

    def lexical_query(self, q: Question) -> str:
        """What BM25 searches for a question: its text, the gazettes' words for its everyday words,
        and the other name of each short or full name it holds. Search and ask use the same."""
        return self.spelled_out(q.expanded_query)

    def weight(self, tok: str) -> float:
        if tok in self.people_names and tok not in self.idf:  # a name is as specific as a term gets
            return self.default
        w = self.idf.get(tok, UNKNOWN_TERM_WEIGHT)
        return w * 0.5 if len(tok) == 1 and not tok.isdigit() else w

    def rare(self, term: str, max_chunks: int = 3) -> bool:
        """Whether at most max_chunks chunks use the term (everyday words the gazettes do not say)."""
        return self.idf.get(term, self.default) >= self.rare_idf(max_chunks)

    def rare_idf(self, max_chunks: int) -> float:
        n = math.exp(self.default - 1.0) - 1  # the chunk count the idf was computed over
        return math.log((n + 1) / (max_chunks + 0.5))

    def known(self, term: str) -> bool:
        """Whether the corpus uses the term, or one of the gazettes' words for it, or names that person."""
        return term in self.people_names or any(v in self.idf for v in term_variants(term))

    def terms_table(self, terms: tuple[str, ...]) -> tuple[float, tuple[tuple[float, tuple[str, ...], str | None], ...]]:
        """(total weight, per term: its weight, its variants, itself when it may match as a short form)."""
        table = self._tables.get(terms)
        if table is None:
            if len(self._tables) > 4096:
                self._tables.clear()
            rows = tuple((self.weight(t), term_variants(t), None if self.known(t) else t) for t in terms)
            table = self._tables[terms] = (sum(r[0] for r in rows), rows)
        return table


@lru_cache(maxsize=4096)
def _abbreviation_re(term: str) -> re.Pattern:
    gap = f"[^{V.CLAUSE_PUNCTUATION}]{{0,{V.ABBREVIATION_MAX_GAP}}}"
    return re.compile(gap.join(map(re.escape, term)))


def abbreviated_in(term: str, norm: str) -> bool:
    """Whether norm holds the term's characters in order, a few apart inside one clause.

    Chinese shortens a phrase by keeping some of its characters in order: 低保 = 最低生活保障,
    种树 = 种植树木, 办证 = 办理…证. A word the gazettes never use is often such a short form.
    """
    return len(term) >= 2 and not term.isascii() and bool(_abbreviation_re(term).search(norm))


def coverage(terms: tuple[str, ...] | list[str], text: str, stats: TermStats) -> float:
    """Share of the question's term weight present in text (0..1).

    A term the corpus never uses also counts when text holds it as a short form (abbreviated_in);
    a short name the corpus defines ("市规委会") counts as its full name, and the other way round.
    """
    if not terms:
        return 0.0
    norm = _matchable(text, stats)
    total, rows = stats.terms_table(tuple(terms))
    return sum(row[0] for row in rows if _holds(row, norm)) / total


def _matchable(text: str, stats: TermStats) -> str:
    """The text as terms are matched in it: normalised, lower-cased, with the other name of each defined name."""
    return stats.spelled_out(normalize_for_index(text).lower())


def _holds(row: tuple[float, tuple[str, ...], str | None], norm: str) -> bool:
    """Whether normalised text holds a term (a row of TermStats.terms_table)."""
    _, variants, short = row
    return any(v in norm for v in variants) or bool(short and abbreviated_in(short, norm))


def combined_cover(own: float, context: float, scoring: ScoringPolicy = ScoringPolicy()) -> float:
    """Coverage of a sentence: its own words count most; its paragraph, title and section path help."""
    return min(1.0, own + scoring.context_share * context * (1 - own))


def unknown_share(terms: tuple[str, ...], stats: TermStats) -> float:
    """Share of the question's term weight in words the corpus never uses (nor any synonym of them)."""
    if not terms:
        return 1.0
    total = sum(stats.weight(t) for t in terms)
    return sum(stats.weight(t) for t in terms if not stats.known(t)) / total


@dataclass
class Candidate:
    hit: Hit
    paragraph: Paragraph
    sentence: str
    score: float
    cover: float  # key-term coverage, of the terms some retrieved passage holds (reachable_terms)
    full_cover: float = 1.0  # the same over every key term: what the question asks that no passage holds counts
    similarity: float = 0.0  # embedding similarity to the question, scaled 0..1 over this question's candidates

    def context(self) -> str:
        """The sentence with what dates and places it: its document's title, section and date, and
        for a table row the caption and header it reads under ("2025年" heads the target column)."""
        c = self.hit.chunk
        return f"{labelled(self.sentence, self.paragraph)} {c.title} {' '.join(c.heading_path)} {c.date or ''}"


def labelled(sentence: str, p: Paragraph) -> str:
    """A table row's text with its caption and each cell's header name ("2025年 408"); any other
    sentence as it is. Coverage and constraints read this; answers quote the cells verbatim."""
    if p.table is None or p.kind != "table_row" or sentence.strip() != p.text.strip():
        return sentence
    return row_index_text(p.table)


def dated_text(c: Candidate) -> str:
    """The sentence, prefixed with the date it carries implicitly (chronicle day, appointment signing)."""
    s, chunk = c.sentence, c.hit.chunk
    if chunk.type == "大事记":  # a chronicle entry's date is its day heading and month title
        if c.paragraph.day:
            return f"{day_words(c.paragraph.day)}{s}"
        return f"{chunk.title}{c.paragraph.heading_path[-1] if c.paragraph.heading_path else ''}{s}"
    if chunk.type == "任免" and chunk.date:  # an appointment takes effect when signed
        return f"{chunk.date[:4]}年{int(chunk.date[5:7])}月{int(chunk.date[8:])}日{s}"
    return s


def fits_intent(q: Question, c: Candidate) -> bool:
    """Whether a sentence holds the kind of fact asked for (a figure of the right unit, a date, a person).

    A question that asks several things ("该谁交？从啥时候开始算？") is answered by a sentence
    of the kind one of its parts asks for, not by one holding every kind at once.
    """
    if q.parts:
        return any(fits_intent(part, c) for part in q.parts)
    s = dated_text(c)
    intent = q.intent
    if intent.figure:
        if q.wanted_figure is not None and not q.wanted_figure.search(s):
            return False
        if q.wanted_figure is None and not states_figure(s, quoted_row(c)):
            return False
        if q.counted and not names_counted_thing(q, labelled(c.sentence, c.paragraph)):
            return False
    if intent.date and not intent.figure and not (DAY_DATE_RE if intent.day else DATE_OR_TIME_LIMIT_RE).search(s):
        return False
    if intent.person and not PERSON_RE.search(s) and not (intent.former and REMOVAL_RE.search(s)):
        return False
    if intent.phone and not PHONE_RE.search(s) or intent.address and not ADDRESS_RE.search(s):
        return False
    if q.people and (intent.new_post or intent.former) and not intent.person and not names_post_of(q, c.sentence):
        return False
    return True


def names_post_of(q: Question, s: str) -> bool:
    """Whether the sentence is the line of the asked post of a person the question names: their
    appointment ("李彤为…") for a new post, their removal ("李彤的…职务") for the former one.
    Another person's line in the same notice is not an answer about them."""
    named = [n for n in q.people if n in s]
    if not named:
        return False
    appointed = (m := APPOINTMENT_RE.search(s)) is not None and any(n in m.group(0) for n in named)
    wants_former = not q.intent.new_post or bool(re.search(V.FORMER_POST_ASKED, q.text))
    return (q.intent.new_post and appointed) or (wants_former and REMOVAL_RE.search(s) is not None)


def names_counted_thing(q: Question, s: str) -> bool:
    """Whether the sentence names what the question counts (one of its words, or the gazettes' word for it)."""
    return any(v in s for t in q.counted for v in term_variants(t))


def quoted_row(c: Candidate) -> TableRow | None:
    """The table row the candidate quotes whole, if it quotes one."""
    p = c.paragraph
    return p.table if p.kind == "table_row" and p.table is not None and c.sentence.strip() == p.text.strip() else None


def states_figure(s: str, row: TableRow | None = None) -> bool:
    """Whether a sentence states a figure: a number with its unit, a count in words, or, for a table
    row, a cell that is a number alone in a column of values (the row's name or header gives its unit)."""
    if FIGURE_RE.search(s) or CN_FIGURE_RE.search(s):
        return True
    return row is not None and any(NUMERIC_CELL_RE.fullmatch(value) and not TABLE_ORDINAL_HEADER_RE.search(header)
                                   for header, value in row.labelled_cells())


def fills_frame(frame: tuple[str, str], s: str) -> bool:
    """Whether the sentence says the question's words around the asked slot, with a filler between:
    ("收入由", "征收") in "排污权出让收入由税务部门征收". Either side may shrink towards the slot,
    as long as together they keep FRAME_MIN_CHARS."""
    pattern = _frame_pattern(frame)
    return pattern is not None and pattern.search(s) is not None


@lru_cache(maxsize=1024)
def _frame_pattern(frame: tuple[str, str]) -> re.Pattern | None:
    """One pattern per frame: any pair of sides that holds FRAME_MIN_CHARS holds a pair of exactly
    that many (shrinking a side towards the slot keeps the filler), so only those pairs are tried."""
    left, right = frame
    n = V.FRAME_MIN_CHARS
    pairs = [(left[-k:], right[:n - k]) for k in range(max(1, n - len(right)), min(len(left), n - 1) + 1)]
    if not pairs:
        return None
    gap = f".{{1,{V.FRAME_GAP_CHARS}}}?"
    return re.compile("|".join(f"{re.escape(a)}{gap}{re.escape(b)}" for a, b in pairs))


def intent_bonus(q: Question, s: str, scoring: ScoringPolicy = ScoringPolicy(), row: TableRow | None = None) -> float:
    """What the sentence earns for saying the kind of fact the question asks for (ScoringPolicy);
    row: the table row when the sentence is one."""
    intent, bonus = q.intent, 0.0
    if any(fills_frame(f, s) for f in q.frames):
        bonus += scoring.frame_bonus
    if intent.figure and (FIGURE_RE.search(s) or row is not None and states_figure(s, row)):
        bonus += scoring.figure_bonus
    if intent.date and DATE_OR_TIME_LIMIT_RE.search(s):
        bonus += scoring.date_bonus
    if intent.department and DEPT_NOTE_RE.search(s):
        bonus += scoring.department_note_bonus
    elif intent.department and DEPT_RE.search(s):
        bonus += scoring.department_hint_bonus
    if intent.validity and VALIDITY_RE.search(s):
        bonus += scoring.validity_bonus
    if intent.procedure and PROCEDURE_RE.search(s):
        bonus += scoring.procedure_bonus
    if intent.new_post and APPOINTMENT_RE.search(s):
        bonus += scoring.new_post_bonus
    return bonus


def best_for_part(part: Question, pool: list[Candidate], stats: TermStats, scoring: ScoringPolicy = ScoringPolicy()) -> Candidate:
    """The candidate that answers one part of a question that asks several things: the part's own
    key terms first, then the kind of fact the part asks for ("被任命为什么" → the appointment line,
    not the removal), then the question's score."""
    return max(pool, key=lambda c: (coverage(part.terms, c.sentence, stats), intent_bonus(part, c.sentence, scoring), c.score))


def reachable_terms(terms: tuple[str, ...], hits: list[Hit], stats: TermStats) -> tuple[str, ...]:
    """The key terms that some retrieved passage holds (in its text, title or section path); all
    of them when none does.

    A sentence's coverage counts only these: a word no passage holds ("挨着", "那段", "种点") tells
    no sentence from another, and counting it shrank every coverage until the rank and similarity
    bonuses outweighed the words that do match. What the passages lack is still seen by the
    decision model (unknown_share, paragraph_missing, sentence_cover count every term)."""
    norms = [_matchable(f"{h.chunk.title} {' '.join(h.chunk.heading_path)} {h.chunk.text}", stats) for h in hits]
    _, rows = stats.terms_table(tuple(terms))
    return tuple(t for t, row in zip(terms, rows) if any(_holds(row, n) for n in norms)) or terms


def rank_sentences(hits: list[Hit], paragraph: Callable[[str], Paragraph], q: Question, stats: TermStats,
                   similarity: Callable[[str], float | None] | None = None,
                   scoring: ScoringPolicy = ScoringPolicy()) -> list[Candidate]:
    """Sentences of the hits' paragraphs, best first: key-term coverage, the kind of fact asked for,
    rank, and (given `similarity`) how close each sentence's embedding is to the question's; the
    weights are the ScoringPolicy's.

    Similarities are min-max scaled over the candidates of this question: embedding cosines bunch
    together (0.8–0.9 for e5), so only their order within one question is informative.
    """
    out: list[Candidate] = []
    terms = reachable_terms(q.terms, hits, stats)
    all_reachable = terms == q.terms  # then the full coverage is the coverage
    for hit in hits:
        context = f"{hit.chunk.title} {' '.join(hit.chunk.heading_path)}"
        for pid in hit.chunk.paragraph_ids:
            p = paragraph(pid)
            if p.kind in ("signature", "heading", "table_caption", "table_header"):  # a header row alone answers nothing
                continue
            # a list item ("检查治疗项目费用减免比例不低于20%；") leans on its paragraph's lead sentence
            around = f"{context} {labelled(p.text.strip(), p)}"
            ctx_cover = coverage(terms, around, stats)
            ctx_full = ctx_cover if all_reachable else coverage(q.terms, around, stats)
            for s in sentences(p.text):
                if len(s) < 6 or s not in hit.chunk.text:
                    continue
                said = labelled(s, p)  # a table row is read with its header
                cover = combined_cover(coverage(terms, said, stats), ctx_cover, scoring)
                full = cover if all_reachable else combined_cover(coverage(q.terms, said, stats), ctx_full, scoring)
                row = p.table if said != s else None  # labelled() read the sentence as a row
                score = cover + intent_bonus(q, s, scoring, row) + scoring.rank_prior / (hit.rank + 1)
                out.append(Candidate(hit, p, s, score, cover, full))
    if similarity is not None and scoring.semantic_weight and out:
        sims = [similarity(c.sentence) for c in out]
        known = [x for x in sims if x is not None]
        lo, hi = (min(known), max(known)) if known else (0.0, 0.0)
        for c, x in zip(out, sims):
            if x is not None and hi > lo:
                c.similarity = (x - lo) / (hi - lo)
                c.score += scoring.semantic_weight * (x - lo) / (hi - lo)
    return sorted(out, key=lambda c: -c.score)


def missing_constraint(q: Question, c: Candidate) -> bool:
    """A year, month or ordinal named in the question that the candidate does not mention."""
    text = c.context()
    if any(y not in text for y in q.years):
        return True
    flat = re.sub(r"\s+", "", text)
    if any(o not in flat for o in q.ordinals):  # "第三人民医院", "第64次常务会议": the number must match
        return True
    for y, m in q.months:  # a month asked for must be the evidence's month
        if f"{y}年{m}月" not in flat and not (c.hit.chunk.date or "").startswith(f"{y}-{int(m):02d}"):
            return True
    return bool(q.days) and not on_a_named_day(q.days, c.paragraph)


def on_a_named_day(days: tuple[str, ...], p: Paragraph) -> bool:
    """Whether a chronicle item is listed under one of the days named (a range counts for each of
    its days); a paragraph with no day of its own is not ruled out by the day."""
    if p.day is None:
        return True
    return any(p.day <= d <= (p.day_end or p.day) for d in days)



def mentions_place(place: str, c: Candidate) -> bool:
    """Whether the sentence itself names the place (a title or list elsewhere does not count)."""
    return place in c.sentence or place_stem(place) in c.sentence
