"""The passage ranker's training (eval/passage_training.py) and its use (service/passage_ranker.py)."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

import eval.passage_training as T
from eval.dataset import load_questions
from service.assessment import assess
from service.passage_ranker import FEATURE_NAMES, PassageRanker, load_passage_ranker, ranker_order
from service.question import parse_question

HAND = FEATURE_NAMES.index("hand_score")
PARA = FEATURE_NAMES.index("paragraph_cover")


def vec(hand: float, para: float = 0.0) -> list[float]:
    """A feature vector with only the hand score and the paragraph cover set."""
    x = [0.0] * len(FEATURE_NAMES)
    x[HAND], x[PARA] = hand, para
    return x


def test_pairs_hold_each_relevant_irrelevant_difference_and_its_mirror():
    g = T.Group("q", [vec(3.0), vec(2.0, 1.0), vec(1.0)], [0, 1, 0])
    d, y = T.pairs([g])
    assert y.tolist() == [1, 0, 1, 0]
    assert d[:, HAND].tolist() == [-1.0, 1.0, 1.0, -1.0]
    assert d[:, PARA].tolist() == [1.0, -1.0, 1.0, -1.0]
    d2, y2 = T.pairs([g], depth=2)  # the third candidate is below the depth: one pair left
    assert (d2[:, HAND].tolist(), y2.tolist()) == ([-1.0, 1.0], [1, 0])
    d0, y0 = T.pairs([T.Group("none", [vec(1.0)], [0])])
    assert d0.shape == (0, len(FEATURE_NAMES)) and y0.tolist() == []


def test_precision_at_one_counts_questions_with_a_relevant_candidate_and_ties_keep_the_first():
    groups = [T.Group("a", [vec(0)] * 2, [1, 0]), T.Group("b", [vec(0)] * 2, [0, 1]),
              T.Group("c", [vec(0)] * 2, [0, 1]), T.Group("d", [vec(0)] * 2, [0, 0])]
    assert T.precision_at_one([[2, 1], [2, 1], [1, 1], [5, 1]], groups) == 0.3333  # only a; c's tie goes to the first
    assert T.precision_at_one([[1, 2], [1, 2], [1, 2], [1, 2]], groups) == 0.6667
    assert T.precision_at_one([[1]], [T.Group("d", [vec(0)], [0])]) == 0.0


def test_adopt_only_when_every_shuffling_beats_the_hand_score():
    assert T.adopt({"hand_p_at_1": 0.9, "ranker_p_at_1": [0.91, 0.92]}) is True
    assert T.adopt({"hand_p_at_1": 0.9, "ranker_p_at_1": [0.9, 0.95]}) is False  # a tie is no gain
    assert T.adopt({"hand_p_at_1": 0.9, "ranker_p_at_1": [0.95, 0.89]}) is False
    assert T.adopt({"hand_p_at_1": 0.0, "ranker_p_at_1": []}) is False


def separable_groups(hand_right: bool) -> list[T.Group]:
    """Ten questions of three candidates; the relevant one always has paragraph cover 1. The hand
    score puts it first (hand_right) or last."""
    groups = []
    for i in range(10):
        hands = [3.0 + i, 2.0 + i, 1.0 + i]
        rel = 0 if hand_right else 2
        groups.append(T.Group(f"q{i}", [vec(h, float(k == rel)) for k, h in enumerate(hands)], [int(k == rel) for k in range(3)]))
    return groups


def test_cross_validation_adopts_a_ranker_that_fixes_the_hand_order():
    report = T.cross_validate(separable_groups(hand_right=False), folds=5, shuffles=3)
    assert (report["questions"], report["with_relevant"], report["hand_p_at_1"]) == (10, 10, 0.0)
    assert report["ranker_p_at_1"] == [1.0, 1.0, 1.0]
    assert T.adopt(report) is True
    w = T.fit_weights(separable_groups(hand_right=False))
    assert w[PARA] > 0 and w[HAND] < 0


def test_cross_validation_keeps_a_hand_score_that_is_already_right():
    report = T.cross_validate(separable_groups(hand_right=True), folds=5, shuffles=3)
    assert report["hand_p_at_1"] == 1.0 and report["ranker_p_at_1"] == [1.0, 1.0, 1.0]
    assert T.adopt(report) is False


def test_fit_weights_needs_both_labels():
    with pytest.raises(ValueError, match="nothing to learn"):
        T.fit_weights([T.Group("q", [vec(1.0), vec(0.5)], [0, 0])])


def ranker_file(tmp_path, name: str, **data) -> object:
    path = tmp_path / name
    path.write_text(json.dumps({"adopted": True, "features": list(FEATURE_NAMES),
                                "weights": [0.5] * len(FEATURE_NAMES), **data}), "utf-8")
    return path


def test_load_passage_ranker(tmp_path):
    assert load_passage_ranker(tmp_path / "absent.json") is None
    assert load_passage_ranker(ranker_file(tmp_path, "off.json", adopted=False)) is None
    assert load_passage_ranker(ranker_file(tmp_path, "old.json", features=list(FEATURE_NAMES[:-1]))) is None
    r = load_passage_ranker(ranker_file(tmp_path, "on.json"))
    assert r == PassageRanker(FEATURE_NAMES, (0.5,) * len(FEATURE_NAMES))
    assert r.score([1.0, 2.0] + [0.0] * (len(FEATURE_NAMES) - 2)) == 1.5


def test_the_stored_ranker_is_not_adopted():
    """service/data/passage_ranker.json: the ranker did not beat the hand score, so the hand order stands."""
    data = json.loads(T.RANKER_FILE.read_text("utf-8"))
    assert data["adopted"] is False and data["features"] == list(FEATURE_NAMES)
    assert len(data["weights"]) == len(FEATURE_NAMES)
    assert load_passage_ranker() is None


def test_ranker_order_without_a_ranker_is_the_hand_order():
    ranked = [object(), object()]
    assert ranker_order(ranked, None, None, [], None, None) is ranked


def test_an_adopted_ranker_reorders_the_candidates_and_keeps_their_hand_scores(fake_engine):
    ctx = fake_engine.answer_context
    q = parse_question("城市低保标准是多少？", None, ctx.term_stats.rare, ctx.term_stats.people_names)
    hand = assess(replace(ctx, ranker=None), q, 5, None, "hybrid").ranked
    inverse = PassageRanker(FEATURE_NAMES, tuple(-1.0 if n == "hand_score" else 0.0 for n in FEATURE_NAMES))
    learned = assess(replace(ctx, ranker=inverse), q, 5, None, "hybrid").ranked
    assert len(hand) > 2
    expected = sorted(hand, key=lambda c: c.score)  # the lowest hand score first; ties in hand order
    assert [c.sentence for c in expected] != [c.sentence for c in hand]
    assert [(c.sentence, c.score) for c in learned] == [(c.sentence, c.score) for c in expected]


@pytest.mark.model
def test_collect_groups_on_the_real_index(real_engine):
    questions = [q for q in load_questions("eval/data/train.jsonl")[0] if q.answerable and q.evidence][:3]
    groups = T.collect_groups(real_engine, questions)
    assert [g.qid for g in groups] == [q.id for q in questions]
    for g in groups:
        assert 0 < len(g.features) <= T.MAX_CANDIDATES and len(g.labels) == len(g.features)
        assert all(len(x) == len(FEATURE_NAMES) for x in g.features)
        hands = [x[HAND] for x in g.features]
        assert hands == sorted(hands, reverse=True)  # hand order
        assert set(g.labels) <= {0, 1}
    assert any(any(g.labels) for g in groups)
    x = np.array(groups[0].features)
    assert ((x[:, PARA] >= 0) & (x[:, PARA] <= 1)).all() and (x[:, FEATURE_NAMES.index("document_rank")] <= 1).all()
