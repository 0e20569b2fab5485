"""The hand-set numbers of answering, each with the reason for its value.

AnswerPolicy: how much evidence an answer needs and how much of it is quoted.
ScoringPolicy: how a candidate sentence is scored (service/evidence.py rank_sentences).
Both are frozen: a test or an experiment varies one with dataclasses.replace.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScoringPolicy:
    """The weights of a sentence's score: key-term coverage (0..1) plus these bonuses."""

    # A sentence that fills the question's asked slot answers in the question's own words; about the
    # weight of a date or figure of the kind asked for (0.15–0.45 gave the same dev and train answers).
    frame_bonus: float = 0.3
    # A figure for "多少", a date for "什么时候": the kind of fact asked for, not yet of the right unit.
    figure_bonus: float = 0.25
    date_bonus: float = 0.25
    # A responsibility note ("（牵头单位：…）") names the department outright; a bare 负责 only hints at one.
    department_note_bonus: float = 0.45
    department_hint_bonus: float = 0.1
    # The 施行 / 有效期 clause answers "还有效吗", though it shares few words with the topic.
    validity_bonus: float = 0.45
    # An application step hints at "怎么办理"; many sentences of a procedure hold one, so it weighs little.
    procedure_bonus: float = 0.1
    # "新任什么职务": the appointment line ("张宏图为…院长") answers it, as the 施行 clause answers validity.
    new_post_bonus: float = 0.45
    # Retrieval's order breaks near ties: a sentence of the hit ranked r gets rank_prior / (r + 1).
    rank_prior: float = 0.3
    # A sentence's own words count most; its paragraph, title and section path fill this share of the rest.
    context_share: float = 0.5
    # Weight of a sentence's embedding similarity to the question (scaled 0..1 per question) in
    # its score, next to key-term coverage (0..1): everyday wording shares few words with the text.
    semantic_weight: float = 0.6


@dataclass(frozen=True)
class AnswerPolicy:
    """The knobs of answering, each with the reason for its value."""

    # A sentence is exact evidence when it holds this share of the question's key-term weight.
    min_cover: float = 0.4
    # Sentences this close to the best one join the answer.
    score_window: float = 0.35
    # Another document joins only when it covers the question about as well; for a figure the
    # margin is wider, because the same figure from another year's document is worth showing.
    other_doc_margin: float = 0.05
    other_doc_margin_figure: float = 0.15
    max_paragraphs: int = 3
    # A hedge quotes the best sentence of this many best paragraphs of the best document.
    hedge_passages: int = 2
    max_sentences_per_paragraph: int = 2
    # Figures of the asked kind from several years: the newest leads when its sentence scores within
    # this of the best one (a document the question names by its words scores further ahead).
    newest_first_margin: float = 0.1
    # A yes/no question the model would refuse is answered (hedged) by a provision holding this
    # share of its key-term weight, the paragraph's context included: it speaks of the topic.
    yes_no_min_cover: float = 0.8
    # Used when no trained decision model is available: refuse below this best-sentence coverage.
    fallback_min_cover: float = 0.4
    # Retrieval depth for the evidence: twice the answer's top_k, at least this many chunks.
    min_candidates: int = 10
    # When no candidate holds the year, month or ordinal asked for, retrieval looks this deep before
    # refusing: "到2025年建多少5G基站" finds the topic in the 2020 plan first, the 2025 target lower.
    constrained_candidates: int = 40
    # How the candidate sentences are scored.
    scoring: ScoringPolicy = field(default_factory=ScoringPolicy)
