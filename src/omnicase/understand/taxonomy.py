"""A brand's own contact reasons, and the classifier that answers in them.

The models speak the default taxonomy (plus any reason a brand added and taught through
agents' corrections); a brand may rename, remove or add reasons in its settings::

    settings["reasons"] = {"rename": {"delivery": "shipping"},
                           "remove": ["promotion"],
                           "add": ["warranty"]}

Renames only change the label the brand sees (and corrections are translated back, so a
model never learns a brand's spelling of a default reason); a removed reason falls to
"other"; an added one exists only once a brand model has learnt it from corrections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from omnicase.understand._lexicon import REASONS
from omnicase.understand.reason_model import ReasonModel

OTHER: Final = "other"
#: The reason value of a case whose classifier was not sure enough: an agent decides.
TRIAGE: Final = "triage"
_MAX_LABEL: Final = 32


class TaxonomyError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _label(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_LABEL:
        raise TaxonomyError(where, f"a reason is a non-empty string of at most {_MAX_LABEL}")
    if value == TRIAGE:
        raise TaxonomyError(where, f"{TRIAGE!r} is reserved for cases awaiting triage")
    return value


@dataclass(frozen=True, slots=True)
class Taxonomy:
    rename: Mapping[str, str] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()
    added: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Taxonomy:
        """From an organisation's ``settings``; a bad value raises naming the key."""
        raw = (settings or {}).get("reasons") or {}
        if not isinstance(raw, Mapping):
            raise TaxonomyError("settings.reasons", "an object with rename / remove / add")
        unknown = set(raw) - {"rename", "remove", "add"}
        if unknown:
            raise TaxonomyError("settings.reasons", f"unknown keys {sorted(unknown)}")
        rename = dict(raw.get("rename") or {})
        for src, dst in rename.items():
            if src not in REASONS:
                raise TaxonomyError("settings.reasons.rename", f"{src!r} is no default reason")
            _label(dst, "settings.reasons.rename")
        removed = frozenset(raw.get("remove") or ())
        if removed - set(REASONS) or OTHER in removed:
            raise TaxonomyError("settings.reasons.remove", "default reasons other than 'other'")
        added = tuple(_label(a, "settings.reasons.add") for a in raw.get("add") or ())
        taken = [rename.get(r, r) for r in REASONS if r not in removed]
        labels = taken + list(added)
        if len(set(labels)) != len(labels):
            raise TaxonomyError("settings.reasons", "two reasons would have the same label")
        return cls(rename, removed, added)

    def labels(self) -> tuple[str, ...]:
        """The reasons this brand's agents and reports see."""
        kept = tuple(self.rename.get(r, r) for r in REASONS if r not in self.removed)
        return (*kept, *self.added)

    def to_brand(self, reason: str) -> str:
        """A model's reason as the brand names it (removed or unknown → "other")."""
        if reason in self.removed or (reason not in REASONS and reason not in self.added):
            reason = OTHER
        return self.rename.get(reason, reason)

    def to_model(self, label: str) -> str | None:
        """A brand label back to what the models learn (``None``: not one of the brand's)."""
        for src, dst in self.rename.items():
            if dst == label:
                return src
        if label in self.added or (label in REASONS and label not in self.rename):
            return label
        return None


DEFAULT_TAXONOMY: Final = Taxonomy()


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str
    """In the brand's labels."""
    confidence: float
    triage: bool
    """Below the model's threshold: the case should wait for an agent's decision."""


@dataclass(frozen=True, slots=True)
class Reasoner:
    """A model and the brand taxonomy it answers in (what a brand's pipeline carries)."""

    model: ReasonModel
    taxonomy: Taxonomy = DEFAULT_TAXONOMY
    model_id: str = "default"
    """``default`` for the packaged model, else ``reason_models.id`` as text."""

    def decide_many(self, token_lists: Sequence[Sequence[str]]) -> list[Verdict | None]:
        """``decide`` for many messages in one vectorised model call (``None``: no words,
        nothing for the model to read)."""
        proba = self.model.probabilities_tokens(token_lists)
        best = proba.argmax(axis=1)
        out: list[Verdict | None] = []
        for i, tokens in enumerate(token_lists):
            if not tokens:
                out.append(None)
                continue
            confidence = round(float(proba[i, best[i]]), 4)
            out.append(
                Verdict(
                    self.taxonomy.to_brand(self.model.labels[best[i]]),
                    confidence,
                    confidence < self.model.threshold,
                )
            )
        return out

    def decide(self, tokens: Sequence[str]) -> Verdict:
        prediction = self.model.predict_tokens(tokens)
        return Verdict(
            self.taxonomy.to_brand(prediction.reason),
            prediction.confidence,
            prediction.confidence < self.model.threshold,
        )
