"""``omnicase eval reasons`` / ``eval language`` / ``eval signals``, and ``model build``.

Reasons: cross-validation on ``train/`` (the figures every choice was made on), then a
model fitted on all of ``train/`` scored once on ``heldout/``: per-reason precision,
recall and F1, macro-F1, accuracy with accents stripped and with the text cut to its first
60 characters, the triage share, the lexicon baseline, and the confusion matrix.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omnicase.understand.corpus import Row, authors, corpus_digest, load_split, read_rows
from omnicase.understand.language import detect_language
from omnicase.understand.reason_model import ReasonModel
from omnicase.understand.reasons import lexicon_reason
from omnicase.understand.signals import signals_of


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def build_default(directory: Path) -> ReasonModel:
    """The packaged model: trained on ``directory/train`` with the chosen parameters; its
    metadata names the corpus digest and authors (a test rebuilds and compares)."""
    from omnicase.understand.training import train_model

    rows = load_split(directory, "train")
    model, _ = train_model(
        rows,
        meta={
            "corpus_digest": corpus_digest(directory, "train"),
            "authors": authors(directory, "train"),
        },
    )
    return model


@dataclass(slots=True)
class ReasonReport:
    lines: list[str]
    figures: dict[str, Any]


def _accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return round(sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth), 4)


def _table(title: str, per_class: dict[str, Any]) -> list[str]:
    out = [title, f"  {'reason':<13}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>6}"]
    for name, s in per_class.items():
        out.append(f"  {name:<13}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.support:>6}")
    return out


def evaluate_reasons(directory: Path) -> ReasonReport:
    from omnicase.understand.training import DEFAULT, cross_validate, scores, train_model

    train, heldout = load_split(directory, "train"), load_split(directory, "heldout")
    cv = cross_validate([r.text for r in train], [r.reason for r in train], (DEFAULT,))[0]
    cv_scores = scores(cv.truth, cv.predicted)
    model, _ = train_model(train)
    truth = [r.reason for r in heldout]
    predictions = model.predict_many([r.text for r in heldout])
    predicted = [p.reason for p in predictions]
    held = scores(truth, predicted)
    no_accents = [p.reason for p in model.predict_many(strip_accents(r.text) for r in heldout)]
    first_60 = [p.reason for p in model.predict_many(r.text[:60] for r in heldout)]
    lexicon = [lexicon_reason(r.text)[0] for r in heldout]
    kept = [i for i, p in enumerate(predictions) if p.confidence >= model.threshold]
    triage_share = 1 - len(kept) / len(heldout)
    auto_accuracy = _accuracy([truth[i] for i in kept], [predicted[i] for i in kept])
    by_author: dict[str, list[int]] = {}
    by_language: dict[str, list[int]] = {}
    for i, row in enumerate(heldout):
        by_author.setdefault(row.author, []).append(i)
        by_language.setdefault(row.language or "?", []).append(i)

    def group(idx: list[int]) -> str:
        sub = scores([truth[i] for i in idx], [predicted[i] for i in idx])
        return f"macro-F1 {sub.macro_f1:.3f} accuracy {sub.accuracy:.3f} (n={len(idx)})"

    figures = {
        "train_rows": len(train),
        "heldout_rows": len(heldout),
        "authors_train": authors(directory, "train"),
        "authors_heldout": authors(directory, "heldout"),
        "cv_macro_f1": cv_scores.macro_f1,
        "cv_accuracy": cv_scores.accuracy,
        "heldout_macro_f1": held.macro_f1,
        "heldout_accuracy": held.accuracy,
        "heldout_accuracy_no_accents": _accuracy(truth, no_accents),
        "heldout_accuracy_first_60_chars": _accuracy(truth, first_60),
        "heldout_lexicon_macro_f1": scores(truth, lexicon).macro_f1,
        "triage_threshold": model.threshold,
        "heldout_triage_share": round(triage_share, 4),
        "heldout_accuracy_above_threshold": auto_accuracy,
    }
    lines = [
        f"corpus {directory}: train {len(train)} rows {figures['authors_train']}, "
        f"heldout {len(heldout)} rows {figures['authors_heldout']}",
        f"model: {DEFAULT.label()}, temperature {model.temperature:.3f}, "
        f"triage below {model.threshold:.3f}",
        "",
        f"cross-validation on train ({len(set(cv.truth))} reasons, stratified 5 folds): "
        f"macro-F1 {cv_scores.macro_f1:.4f} accuracy {cv_scores.accuracy:.4f}",
        *_table("  per reason (CV):", cv_scores.per_class),
        "",
        f"heldout: macro-F1 {held.macro_f1:.4f} accuracy {held.accuracy:.4f} "
        f"(lexicon baseline macro-F1 {figures['heldout_lexicon_macro_f1']:.4f})",
        *_table("  per reason (heldout):", held.per_class),
        f"  accuracy, accents stripped: {figures['heldout_accuracy_no_accents']:.4f}",
        f"  accuracy, first 60 characters: {figures['heldout_accuracy_first_60_chars']:.4f}",
        f"  to triage: {triage_share:.1%} of heldout; accuracy of the rest {auto_accuracy:.4f}",
        *(f"  author {a}: {group(idx)}" for a, idx in sorted(by_author.items())),
        *(f"  language {lang}: {group(idx)}" for lang, idx in sorted(by_language.items())),
        "",
        "confusion (rows: truth, columns: predicted):",
    ]
    labels = sorted(held.per_class)
    lines.append("  " + " " * 13 + "".join(f"{name[:6]:>7}" for name in labels))
    for t in labels:
        counts = held.confusion[t]
        lines.append(f"  {t:<13}" + "".join(f"{counts.get(p, 0):>7}" for p in labels))
    return ReasonReport(lines, figures)


# ---- language and signals -------------------------------------------------------------


def _language_rows(paths: Sequence[Path]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            rows.extend(
                (r.text, r.language)
                for split in ("train", "heldout")
                for p in sorted((path / split).glob("*.jsonl"))
                for r in read_rows(p)
                if r.language
            )
        else:
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    obj = json.loads(line)
                    rows.append((obj["text"], obj["language"]))
    return rows


def evaluate_language(paths: Sequence[Path]) -> ReasonReport:
    """Accuracy per language (``None`` counts as wrong), and on texts of ≤ 20 characters."""
    rows = _language_rows(paths)
    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    unsure: Counter[str] = Counter()
    short_total = short_right = 0
    for text, lang in rows:
        found = detect_language(text)
        total[lang] += 1
        right[lang] += found == lang
        unsure[lang] += found is None
        if len(text.strip()) <= 20:
            short_total += 1
            short_right += found == lang
    lines = [f"{len(rows)} texts from {', '.join(map(str, paths))}"]
    figures: dict[str, Any] = {"texts": len(rows)}
    for lang in sorted(total):
        acc = right[lang] / total[lang]
        figures[lang] = round(acc, 4)
        lines.append(f"  {lang}: accuracy {acc:.3f} (n={total[lang]}, no answer {unsure[lang]})")
    overall = sum(right.values()) / max(1, len(rows))
    short = short_right / short_total if short_total else float("nan")
    figures.update(overall=round(overall, 4), short=round(short, 4), short_n=short_total)
    lines.append(f"  all: {overall:.3f}; texts <= 20 characters: {short:.3f} (n={short_total})")
    return ReasonReport(lines, figures)


def evaluate_signals(path: Path) -> ReasonReport:
    """Per-signal precision/recall on a labelled set ``{"text", "signals": [...]}``."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    n = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        n += 1
        truth, found = set(obj["signals"]), set(signals_of(obj["text"]))
        for s in truth & found:
            tp[s] += 1
        for s in found - truth:
            fp[s] += 1
        for s in truth - found:
            fn[s] += 1
    lines = [f"{n} labelled texts from {path}"]
    figures: dict[str, Any] = {"texts": n}
    for s in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[s] / (tp[s] + fp[s]) if tp[s] + fp[s] else 0.0
        r = tp[s] / (tp[s] + fn[s]) if tp[s] + fn[s] else 0.0
        figures[s] = {"precision": round(p, 3), "recall": round(r, 3)}
        lines.append(f"  {s:<15} precision {p:.3f} recall {r:.3f} (n={tp[s] + fn[s]})")
    return ReasonReport(lines, figures)


__all__ = [
    "ReasonReport",
    "Row",
    "build_default",
    "evaluate_language",
    "evaluate_reasons",
    "evaluate_signals",
    "strip_accents",
]
