"""The answer decision model: scoring, loading, fallback (no model loaded)."""
from __future__ import annotations

import json
import math

from service.decision import FEATURE_NAMES, LEXICAL, LEXICAL_FEATURES, MODEL_FILE, DecisionFeatures, DecisionModel, load_decision_model

FEATURES = DecisionFeatures(**{n: 0.5 for n in FEATURE_NAMES})


def test_probability_is_the_logistic_of_the_standardised_features():
    n = len(FEATURE_NAMES)
    model = DecisionModel(FEATURE_NAMES, [0.0] * n, [1.0] * n, [1.0] + [0.0] * (n - 1), -0.5, 0.3)
    assert math.isclose(model.probability(FEATURES), 1 / (1 + math.exp(-(0.5 - 0.5))))
    model = DecisionModel(FEATURE_NAMES, [0.5] * n, [2.0] * n, [2.0] * n, 1.0, 0.3)
    assert math.isclose(model.probability(FEATURES), 1 / (1 + math.exp(-1.0)))


def test_the_shipped_model_has_both_entries_and_sane_figures():
    data = json.loads(MODEL_FILE.read_text("utf-8"))
    assert LEXICAL in data["models"] and data["meta"]["embedding_model"] in data["models"]
    for entry in data["models"].values():
        assert 0 < entry["threshold"] < 1
        assert entry["cross_validated"]["auc"] > 0.8  # trained: better than guessing by far
        assert len(entry["coef"]) == len(entry["features"]) == len(entry["mean"])


def test_unknown_embedding_model_gets_the_lexical_coefficients(tmp_path):
    lexical = load_decision_model("some/other-model")
    assert lexical.features == LEXICAL_FEATURES
    assert load_decision_model("x", tmp_path / "missing.json") is None
