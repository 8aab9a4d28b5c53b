"""Training the reason model with scikit-learn, and exporting it to ``ReasonModel``.

Only this module imports scikit-learn (the CLI's ``model`` and ``eval reasons`` commands
load it); classifying at run time needs numpy alone. The classifier is a linear SVM
(``LinearSVC``, one-vs-rest) over TF-IDF features; its scores become probabilities through
a softmax whose temperature minimises the out-of-fold log-loss (a one-parameter
calibration that numpy repeats exactly). Logistic regression was the first choice, but
its lbfgs fit took 15-25 s per fold on this machine against 1-2 s for the SVM.

Every choice (hyper-parameters, temperature, triage threshold) is made by stratified
cross-validation on the training rows: the held-out split is only ever scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from omnicase.understand.corpus import Row
from omnicase.understand.features import text_features
from omnicase.understand.reason_model import ReasonModel

#: Stratified folds for every cross-validated choice.
FOLDS: Final = 5
SEED: Final = 20261202
#: The triage threshold is the lowest confidence at which the cases the model labels on
#: its own are right this often (out-of-fold), capped so that triage stays a minority.
TRIAGE_PRECISION: Final = 0.95
MAX_TRIAGE_SHARE: Final = 0.30


@dataclass(frozen=True, slots=True)
class Params:
    """Hyper-parameters; ``DEFAULT`` is what ``search`` chose on the shipped corpus."""

    c: float = 2.0
    min_df: int = 1
    sublinear_tf: bool = True
    class_weight: str | None = None

    def label(self) -> str:
        return (
            f"C={self.c:g} min_df={self.min_df} sublinear={self.sublinear_tf} "
            f"class_weight={self.class_weight}"
        )


DEFAULT: Final = Params()

#: The grid ``omnicase model search`` tries. On the first 2,143 rows (three authors) a wider
#: one (C 0.25-2, min_df 1-2) put every min_df=2 point below its min_df=1 twin, and C=0.25
#: last: both dropped. On the 3,424 rows of five authors (2026-12-02) C=2 led C=1 by 0.002
#: (0.8661 / 0.8642), C=4 and C=8 no better, character 2-5 or 3-6-grams no better than 3-5.
#: With head words, cross-boundary 5-grams and a sixth author (4,112 rows, afternoon) C=2
#: still led: 0.8981 against 0.8958 at C=1 and 0.8976 at C=4.
GRID: Final = tuple(
    Params(c, 1, sublinear, weight)
    for c in (0.5, 1.0, 2.0)
    for sublinear in (True, False)
    for weight in (None, "balanced")
)


def _vectorizer(params: Params) -> CountVectorizer:
    return CountVectorizer(analyzer=text_features, min_df=params.min_df, dtype=np.float64)


def _classifier(params: Params) -> LinearSVC:
    # random_state: liblinear's coordinate descent shuffles; fixed, a build is reproducible
    return LinearSVC(C=params.c, class_weight=params.class_weight, max_iter=5000, random_state=SEED)


#: Temperatures tried for the softmax calibration (log-spaced).
TEMPERATURES: Final = tuple(float(t) for t in np.geomspace(0.02, 2.0, 61))


def softmax(z: np.ndarray[Any, Any], temperature: float) -> np.ndarray[Any, Any]:
    z = z / temperature
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return np.asarray(p / p.sum(axis=1, keepdims=True))


def fit_temperature(decision: np.ndarray[Any, Any], truth: Sequence[int]) -> float:
    """The softmax temperature with the least log-loss on out-of-fold scores."""
    rows = np.arange(len(truth))
    target = np.asarray(truth)

    def loss(t: float) -> float:
        return float(-np.log(softmax(decision, t)[rows, target] + 1e-12).mean())

    return min(TEMPERATURES, key=loss)


def fit_pipeline(
    texts: Sequence[str],
    labels: Sequence[str],
    params: Params = DEFAULT,
    weights: Sequence[float] | None = None,
) -> Pipeline:
    """The scikit-learn pipeline the exported model reproduces."""
    pipeline = Pipeline(
        [
            ("counts", _vectorizer(params)),
            ("tfidf", TfidfTransformer(sublinear_tf=params.sublinear_tf)),
            ("clf", _classifier(params)),
        ]
    )
    fit_args: dict[str, Any] = {}
    if weights is not None:
        fit_args["clf__sample_weight"] = np.asarray(weights, dtype=np.float64)
    pipeline.fit(list(texts), list(labels), **fit_args)
    return pipeline


def export(pipeline: Pipeline, meta: dict[str, Any]) -> ReasonModel:
    """The pipeline as a ``ReasonModel`` (vocabulary in column order, coefficients V×K)."""
    counts: CountVectorizer = pipeline.named_steps["counts"]
    tfidf: TfidfTransformer = pipeline.named_steps["tfidf"]
    clf: LinearSVC = pipeline.named_steps["clf"]
    vocabulary = [""] * len(counts.vocabulary_)
    for term, column in counts.vocabulary_.items():
        vocabulary[column] = term
    if clf.coef_.shape[0] != len(clf.classes_):
        raise ValueError("a reason model needs at least three reasons")
    return ReasonModel(
        labels=[str(c) for c in clf.classes_],
        vocabulary=vocabulary,
        idf=np.asarray(tfidf.idf_, dtype=np.float64),
        coef=np.asarray(clf.coef_.T, dtype=np.float32),
        intercept=np.asarray(clf.intercept_, dtype=np.float64),
        meta={"sublinear_tf": bool(tfidf.sublinear_tf), **meta},
    )


# ---- cross-validation -----------------------------------------------------------------


@dataclass(slots=True)
class CrossValidation:
    params: Params
    labels: list[str]
    truth: list[str]
    decision: np.ndarray[Any, Any]  # out-of-fold classifier scores, rows in input order
    temperature: float = 1.0

    def __post_init__(self) -> None:
        self.temperature = fit_temperature(
            self.decision, [self.labels.index(t) for t in self.truth]
        )

    @property
    def proba(self) -> np.ndarray[Any, Any]:
        return softmax(self.decision, self.temperature)

    @property
    def predicted(self) -> list[str]:
        return [self.labels[i] for i in self.proba.argmax(axis=1)]

    def macro_f1(self) -> float:
        return scores(self.truth, self.predicted).macro_f1


def _folds(labels: Sequence[str]) -> list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    n_splits = max(2, min(FOLDS, min(counts.values())))
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(len(labels)), labels))


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], grid: Sequence[Params] = (DEFAULT,)
) -> list[CrossValidation]:
    """Out-of-fold scores for each parameter set (features counted once per fold)."""
    classes = sorted(set(labels))
    y = np.array(labels)
    x_text = np.array(texts, dtype=object)
    results = {p: np.zeros((len(texts), len(classes))) for p in grid}
    for train_idx, val_idx in _folds(labels):
        by_min_df: dict[int, tuple[Any, Any]] = {}
        for min_df in sorted({p.min_df for p in grid}):
            vec = _vectorizer(Params(min_df=min_df))
            by_min_df[min_df] = (
                vec.fit_transform(x_text[train_idx]),
                vec.transform(x_text[val_idx]),
            )
        for p in grid:
            xtr, xva = by_min_df[p.min_df]
            tfidf = TfidfTransformer(sublinear_tf=p.sublinear_tf).fit(xtr)
            clf = _classifier(p).fit(tfidf.transform(xtr), y[train_idx])
            decision = clf.decision_function(tfidf.transform(xva))
            cols = np.array([classes.index(c) for c in clf.classes_], dtype=np.int64)
            missing = np.array([i for i in range(len(classes)) if i not in cols], dtype=np.int64)
            results[p][np.ix_(val_idx, cols)] = decision
            if missing.size:  # a reason absent from this fold's training rows: never predicted
                results[p][np.ix_(val_idx, missing)] = decision.min() - 1.0
    return [CrossValidation(p, classes, list(labels), results[p]) for p in grid]


def search(texts: Sequence[str], labels: Sequence[str]) -> list[tuple[Params, float]]:
    """Every grid point with its cross-validated macro-F1, best first."""
    ranked = [(cv.params, cv.macro_f1()) for cv in cross_validate(texts, labels, GRID)]
    return sorted(ranked, key=lambda item: -item[1])


def choose_threshold(cv: CrossValidation) -> tuple[float, float, float]:
    """(threshold, out-of-fold precision above it, share sent to triage)."""
    confidence = cv.proba.max(axis=1)
    right = np.array([p == t for p, t in zip(cv.predicted, cv.truth, strict=True)])
    order = np.argsort(confidence)
    n = len(confidence)
    for k in range(n):
        if k / n > MAX_TRIAGE_SHARE:
            break
        kept = order[k:]
        if right[kept].mean() >= TRIAGE_PRECISION:
            threshold = (
                0.0 if k == 0 else float(confidence[order[k - 1]] + confidence[order[k]]) / 2
            )
            return round(threshold, 4), float(right[kept].mean()), k / n
    k = int(MAX_TRIAGE_SHARE * n)
    threshold = float(confidence[order[k]])
    return round(threshold, 4), float(right[order[k:]].mean()), k / n


# ---- scores ---------------------------------------------------------------------------


@dataclass(slots=True)
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class Scores:
    per_class: dict[str, ClassScore]
    macro_f1: float
    accuracy: float
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    """Per-class precision/recall/F1 (classes present in the truth), macro-F1, confusion."""
    classes = sorted(set(truth))
    confusion = {t: {p: 0 for p in sorted(set(truth) | set(predicted))} for t in classes}
    for t, p in zip(truth, predicted, strict=True):
        confusion[t][p] += 1
    per_class = {}
    for c in classes:
        tp = confusion[c][c]
        predicted_c = sum(1 for p in predicted if p == c)
        support = sum(confusion[c].values())
        precision = tp / predicted_c if predicted_c else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[c] = ClassScore(round(precision, 4), round(recall, 4), round(f1, 4), support)
    macro = sum(s.f1 for s in per_class.values()) / len(per_class) if per_class else 0.0
    right = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    accuracy = right / len(truth) if truth else math.nan
    return Scores(per_class, round(macro, 4), round(accuracy, 4), confusion)


def train_model(
    rows: Sequence[Row],
    params: Params = DEFAULT,
    extra: Sequence[tuple[str, str, float]] = (),
    meta: dict[str, Any] | None = None,
) -> tuple[ReasonModel, CrossValidation]:
    """Cross-validate (for the triage threshold and the CV figures), then fit on all rows.

    ``extra`` are (text, reason, weight) rows beyond the corpus: agents' corrections.
    """
    texts = [r.text for r in rows] + [t for t, _, _ in extra]
    labels = [r.reason for r in rows] + [r for _, r, _ in extra]
    weights = [1.0] * len(rows) + [w for _, _, w in extra]
    cv = cross_validate(texts, labels, (params,))[0]
    threshold, precision, share = choose_threshold(cv)
    pipeline = fit_pipeline(texts, labels, params, weights if extra else None)
    model = export(
        pipeline,
        {
            **(meta or {}),
            "params": asdict(params),
            "rows": len(rows),
            "extra_rows": len(extra),
            "temperature": cv.temperature,
            "cv_macro_f1": cv.macro_f1(),
            "cv_accuracy": scores(cv.truth, cv.predicted).accuracy,
            "triage_threshold": threshold,
            "cv_precision_above_threshold": round(precision, 4),
            "cv_triage_share": round(share, 4),
        },
    )
    return model, cv
