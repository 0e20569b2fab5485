"""eval/decision_training.py, which fits the answer decision model and sets its refusal threshold:
the threshold choice, the refusal scores at a threshold, the fold shufflings, the everyday
rewordings and the rows (features and labels), on small hand-made inputs."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

import service.assessment
import service.question
from eval import decision_training as T
from eval.dataset import Question
from service.decision import FEATURE_NAMES, DecisionFeatures

# six cross-validated probabilities; 1 = answerable
P = np.array([0.9, 0.2, 0.6, 0.4, 0.8, 0.1])
Y = np.array([1, 0, 1, 0, 1, 1])


def features(**values: float) -> DecisionFeatures:
    return DecisionFeatures(**{name: values.get(name, 0.0) for name in FEATURE_NAMES})


# ---- the threshold


def test_threshold_refuses_at_most_the_allowed_share_of_answerable_questions():
    # answerable probabilities, sorted: 0.1, 0.6, 0.8, 0.9
    assert T._threshold(P, Y, 0.0) == 0.099999  # refuses none of them
    assert T._threshold(P, Y, 0.25) == 0.599999  # int(0.25 * 4) = 1: refuses the 0.1 one
    assert T._threshold(P, Y, 0.3) == 0.599999  # int(1.2) = 1 still
    assert T._threshold(P, Y, 0.5) == 0.799999


def test_threshold_without_answerable_questions_is_one_half():
    assert T._threshold(np.array([0.3, 0.7]), np.array([0, 0]), 0.03) == 0.5


def test_scores_at_a_threshold():
    # below 0.599999: the two unanswerable ones (right) and the answerable 0.1 (a false refusal)
    assert T._scores(P, Y, 0.599999) == {
        "refusal_precision": 0.6667, "refusal_recall": 1.0, "refusal_f1": 0.8,
        "false_refusals": 1, "answered_unanswerable": 0,
    }


def test_scores_when_nothing_is_refused():
    assert T._scores(P, Y, 0.05) == {
        "refusal_precision": None, "refusal_recall": 0.0, "refusal_f1": None,
        "false_refusals": 0, "answered_unanswerable": 2,
    }


def test_shuffled_groups_keep_a_question_with_its_rewording():
    groups = ["b", "a", "b", "c"]
    shuffles = T.shuffled_groups(groups, 3)
    assert shuffles == [[1, 0, 1, 2], [1, 0, 1, 2], [0, 2, 0, 1]]  # the first in sorted order; seeds 1, 2
    assert T.shuffled_groups(groups, 3) == shuffles  # seeded: the same every run


def test_fit_on_separable_rows(monkeypatch):
    monkeypatch.setattr(T, "CV_SHUFFLES", 3)
    answerable = [features(bm25_top=3.0 + i / 10, sentence_cover=0.8) for i in range(10)]
    unanswerable = [features(bm25_top=0.5 + i / 10, sentence_cover=0.2) for i in range(10)]
    rows = T.Rows(ids=[f"q{i}" for i in range(20)], groups=[f"q{i % 10}" for i in range(20)],
                  features=answerable + unanswerable, labels=[1] * 10 + [0] * 10)
    coefficients, report = T.fit(rows, ["bm25_top", "sentence_cover"], max_false_refusal=0.0)
    assert {k: report[k] for k in ("rows", "answerable", "unanswerable", "auc", "shuffles")} == {
        "rows": 20, "answerable": 10, "unanswerable": 10, "auc": 1.0, "shuffles": 3}
    # The threshold is the median of the three shufflings' own: above the lowest answerable
    # probability of one of them, which then refuses one answerable question besides the ten
    # unanswerable ones (precision 10/11); the figures are means over the shufflings.
    assert {k: report[k] for k in ("refusal_precision", "refusal_recall", "false_refusals", "answered_unanswerable")} == {
        "refusal_precision": round((1 + 1 + 10 / 11) / 3, 4), "refusal_recall": 1.0,
        "false_refusals": round(1 / 3, 4), "answered_unanswerable": 0.0}
    assert coefficients["features"] == ["bm25_top", "sentence_cover"]
    assert coefficients["mean"] == [2.2, 0.5]  # (3.45 + 0.95) / 2 and (0.8 + 0.2) / 2
    assert coefficients["threshold"] == report["threshold"] and 0 < report["threshold"] < 1
    assert coefficients["coef"][0] > 0  # a higher BM25 score is more likely answerable


# ---- rewordings and rows


LEXICON = {
    "低保": ("最低生活保障", "低保"),  # the word itself is not rewritten
    "看病": ("就医", "医疗"),
    "wifi": ("无线网络",),  # an ASCII word is never the everyday one
    "医保": ("医疗保险", "医疗"),  # 医疗 is taken already
}


def test_everyday_rewrites_read_the_lexicon_backwards_longest_term_first(monkeypatch):
    monkeypatch.setattr(T, "colloquial_lexicon", lambda: LEXICON)
    assert list(T.everyday_rewrites().items()) == [
        ("最低生活保障", "低保"), ("医疗保险", "医保"), ("就医", "看病"), ("医疗", "看病")]


def test_reworded_asks_each_answerable_question_again_in_everyday_words(monkeypatch):
    monkeypatch.setattr(T, "colloquial_lexicon", lambda: LEXICON)
    questions = [
        Question("q1", "最低生活保障标准是多少？", True, (), ()),
        Question("q2", "就医报销比例是多少？", False, (), ()),  # unanswerable: not reworded
        Question("q3", "医疗保险怎么交？", True, (), ()),  # the longer term wins over 医疗
        Question("q4", "今天天气怎么样？", True, (), ()),  # no gazette term
    ]
    assert [(q.id, q.question, q.answerable) for q in T.reworded(questions)] == [
        ("q1~everyday", "低保标准是多少？", True), ("q3~everyday", "医保怎么交？", True)]


def test_rows_hold_the_questions_that_reach_the_model(monkeypatch):
    """A 文号 question, a hard-rule refusal and one without a plausible sentence are left out; the
    group is the source question's id, the label is answerable."""
    outcome = {  # question text → (docnum, refusal, plausible, features)
        "a": (None, None, ["s"], features(bm25_top=1.0)),
        "b": ("聊政发〔2020〕5号", None, ["s"], features()),
        "c": (None, "refused", ["s"], features()),
        "d": (None, None, [], features()),
        "e": (None, None, ["s"], features(bm25_top=2.0)),
    }
    monkeypatch.setattr(service.question, "parse_question",
                        lambda text, *args: SimpleNamespace(text=text, docnum=outcome[text][0]))
    monkeypatch.setattr(service.assessment, "assess", lambda ctx, q, top_k, filters, mode: SimpleNamespace(
        refusal=outcome[q.text][1], plausible=outcome[q.text][2], features=outcome[q.text][3]))
    engine = SimpleNamespace(answer_context=SimpleNamespace(term_stats=SimpleNamespace(rare=set(), people_names=set())))
    base = Question("x", "", True, (), ())
    questions = [replace(base, id="q1", question="a"), replace(base, id="q2", question="b"),
                 replace(base, id="q3", question="c"), replace(base, id="q4", question="d"),
                 replace(base, id="q1~everyday", question="e", answerable=False)]
    rows = T.collect_rows(engine, questions)
    assert (rows.ids, rows.groups, rows.labels) == (["q1", "q1~everyday"], ["q1", "q1"], [1, 0])
    assert [f.bm25_top for f in rows.features] == [1.0, 2.0]


@pytest.mark.parametrize("names", [FEATURE_NAMES, T.LEXICAL_FEATURES])
def test_feature_vectors_follow_the_names(names):
    f = features(**{name: float(i) for i, name in enumerate(FEATURE_NAMES)})
    assert f.vector(names) == [float(FEATURE_NAMES.index(n)) for n in names]


def test_train_decision_leaves_the_everyday_rewrites_out_unless_asked():
    from service.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["train-decision"]).everyday_rewrites is False
    assert parser.parse_args(["train-decision", "--everyday-rewrites"]).everyday_rewrites is True
