"""Training the answer decision model (service/decision.py) on labelled questions.

The rows are questions the hard rules leave to the model (not a 文号 lookup, not another place
or an unknown year). The label is `answerable`.

`--everyday-rewrites` also asks each answerable question whose wording holds one of the gazettes'
terms again in everyday words (the colloquial lexicon read backwards). It is off by default: scored
by cross-validation on the written questions alone (798 rows, ten shufflings), the rewrites lowered
refusal F1 with the 2026-12-07 lexicon (0.772 without → 0.751 with; with the older, smaller
lexicon 0.773 → 0.769): the written questions already hold 250 in citizens' words, and a term
swapped for its everyday word makes a question no citizen would type.

Reported figures are cross-validated with folds grouped by source question, so a question and
its rewording never sit on both sides of a split. The threshold is the highest probability at
which the cross-validated predictions refuse at most `max_false_refusal` of answerable questions:
the median over CV_SHUFFLES shufflings of the folds, because one split's threshold moves with
which questions happen to share a fold (0.17–0.24 over ten shufflings of the same rows; the median
of ten still moved by 0.005 from that of thirty). The
reported figures are the means over those shufflings, at that threshold.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from eval.dataset import Question, load_question_files
from service.decision import FEATURE_NAMES, LEXICAL, LEXICAL_FEATURES, MODEL_FILE
from service.vocabulary import colloquial_lexicon

DEFAULT_FILES = ("eval/data/dev.jsonl", "eval/data/train.jsonl", "eval/data/decision_negatives.jsonl")
MAX_FALSE_REFUSAL = 0.03
CV_SHUFFLES = 30


def everyday_rewrites() -> dict[str, str]:
    """The gazettes' term → an everyday word for it (the lexicon read backwards; longest term first)."""
    out: dict[str, str] = {}
    for word, official in colloquial_lexicon().items():
        for term in official:
            if len(term) >= 2 and term != word and term not in out and not word.isascii():
                out[term] = word
    return dict(sorted(out.items(), key=lambda kv: -len(kv[0])))


def reworded(questions: list[Question]) -> list[Question]:
    """Each answerable question once more, with its first gazette term put in everyday words."""
    rewrites = everyday_rewrites()
    out = []
    for q in questions:
        if not q.answerable:
            continue
        term = next((t for t in rewrites if t in q.question), None)
        if term:
            out.append(replace(q, id=f"{q.id}~everyday", question=q.question.replace(term, rewrites[term], 1)))
    return out


@dataclass
class Rows:
    ids: list[str]
    groups: list[str]
    features: list  # DecisionFeatures
    labels: list[int]


def collect_rows(engine, questions: list[Question], top_k: int = 5) -> Rows:
    """The decision features of every question that reaches the model."""
    from service.assessment import assess
    from service.question import parse_question

    ctx = engine.answer_context
    rows = Rows([], [], [], [])
    for q in questions:
        pq = parse_question(q.question, None, ctx.term_stats.rare, ctx.term_stats.people_names)
        if pq.docnum:  # a named document: answered from it without the model
            continue
        a = assess(ctx, pq, top_k, None, "hybrid")
        if a.refusal or a.features is None or not a.plausible:
            continue
        rows.ids.append(q.id)
        rows.groups.append(q.id.split("~")[0])
        rows.features.append(a.features)
        rows.labels.append(int(q.answerable))
    return rows


def fit(rows: Rows, names: list[str], max_false_refusal: float = MAX_FALSE_REFUSAL) -> tuple[dict, dict]:
    """Coefficients (for service/decision.py) and cross-validated figures."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.array([f.vector(names) for f in rows.features])
    y = np.array(rows.labels)
    make = lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000))  # noqa: E731
    cvs = [cross_val_predict(make(), X, y, groups=groups, cv=GroupKFold(n_splits=5), method="predict_proba")[:, 1]
           for groups in shuffled_groups(rows.groups, CV_SHUFFLES)]
    threshold = round(float(np.median([_threshold(cv, y, max_false_refusal) for cv in cvs])), 6)
    scores = [_scores(cv, y, threshold) for cv in cvs]
    mean = lambda key: round(float(np.mean([s[key] for s in scores if s[key] is not None] or [np.nan])), 4)  # noqa: E731
    report = {"rows": len(y), "answerable": int(y.sum()), "unanswerable": int((1 - y).sum()),
              "auc": round(float(np.mean([roc_auc_score(y, cv) for cv in cvs])), 4), "threshold": threshold,
              "shuffles": len(cvs), **{key: mean(key) for key in scores[0]}}
    model = make().fit(X, y)
    scaler, lr = model.steps[0][1], model.steps[1][1]
    coefficients = {
        "features": names, "mean": scaler.mean_.round(6).tolist(), "scale": scaler.scale_.round(6).tolist(),
        "coef": lr.coef_[0].round(6).tolist(), "intercept": round(float(lr.intercept_[0]), 6), "threshold": threshold,
        "cross_validated": report,
    }
    return coefficients, report


def shuffled_groups(groups: list[str], n: int) -> list[list[int]]:
    """n relabellings of the groups (the first keeps their order): GroupKFold puts different
    questions together in each, while a question and its rewording still share a fold."""
    import numpy as np

    names = sorted(set(groups))
    out = []
    for seed in range(n):
        order = np.arange(len(names)) if seed == 0 else np.random.default_rng(seed).permutation(len(names))
        label = dict(zip(names, order))
        out.append([int(label[g]) for g in groups])
    return out


def _threshold(p, y, max_false_refusal: float) -> float:
    """The highest threshold whose cross-validated false refusals stay within the budget."""
    pos = sorted(p[y == 1])
    allowed = int(max_false_refusal * len(pos))
    return round(float(pos[allowed]) - 1e-6, 6) if pos else 0.5


def _scores(p, y, t: float) -> dict:
    refuse = p < t
    tp = int((refuse & (y == 0)).sum())
    fp = int((refuse & (y == 1)).sum())
    fn = int((~refuse & (y == 0)).sum())
    prec = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    f1 = 2 * prec * rec / (prec + rec) if prec and rec else None
    r = lambda v: None if v is None else round(v, 4)  # noqa: E731
    return {"refusal_precision": r(prec), "refusal_recall": r(rec), "refusal_f1": r(f1),
            "false_refusals": fp, "answered_unanswerable": fn}


def train(engine, files: list[str], out: Path = MODEL_FILE, everyday_rewrites: bool = False) -> dict:
    questions = load_question_files(files)
    if everyday_rewrites:
        questions += reworded(questions)
    rows = collect_rows(engine, questions)
    full, full_report = fit(rows, FEATURE_NAMES)
    lexical, lexical_report = fit(rows, LEXICAL_FEATURES)
    meta = {"trained": datetime.now(timezone.utc).isoformat(timespec="seconds"), "files": files,
            "questions": len(questions), "everyday_rewrites": everyday_rewrites, "embedding_model": engine.model_name}
    out.write_text(json.dumps({"meta": meta, "models": {engine.model_name: full, LEXICAL: lexical}},
                              ensure_ascii=False, indent=1) + "\n", "utf-8")
    return {"full": full_report, "lexical": lexical_report, "file": str(out)}


def cmd_train_decision(args) -> int:
    from indexer.settings import get_settings
    from service.engine import Engine

    engine = Engine.load(get_settings())
    result = train(engine, args.files or list(DEFAULT_FILES), Path(args.out) if args.out else MODEL_FILE,
                   everyday_rewrites=args.everyday_rewrites)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0
