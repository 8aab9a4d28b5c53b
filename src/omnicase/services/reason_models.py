"""Reason models in the store: agents' corrections, versioned models, the active one.

* ``do_record_correction``: an agent changed a case's reason (called by ``do_patch_case``).
* ``do_train``: the shipped corpus plus corrections (a brand's own model once it has
  ``min_corrections``), scored on the held-out split; activated only if it does not score
  worse there than the model it would replace.
* ``do_rollback``: back to the previously active version (or the packaged model).
* ``reasoners``: what the pipeline classifies with, per brand. Versions are immutable, so
  a process loads each once; finding which one is active is one small indexed query per
  ``load_brands`` call, so every process picks up an activation at its next batch.

Training imports scikit-learn (``understand.training``) only when it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from omnicase.ingest.quotes import strip_quoted
from omnicase.jobs import JobContext, RetryPolicy, job
from omnicase.model import Case, Message, Organisation, ReasonCorrection, ReasonModelVersion
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError, record_event
from omnicase.store.db import Database
from omnicase.store.scope import Principal
from omnicase.understand.corpus import Row, load_split
from omnicase.understand.reason_model import ReasonModel, default_model, model_from_bytes
from omnicase.understand.taxonomy import (
    DEFAULT_TAXONOMY,
    TRIAGE,
    Reasoner,
    Taxonomy,
    TaxonomyError,
)

log = logging.getLogger(__name__)

#: Corrections a brand needs before it gets a model of its own.
MIN_BRAND_CORRECTIONS: Final = 20
#: A correction weighs more than a corpus row: it is this brand's own traffic, labelled by
#: the people who answer it.
CORRECTION_WEIGHT: Final = 3.0
DEFAULT_CORPUS: Final = Path("data/reasons")
#: A new model is refused when its held-out macro-F1 is more than this below the model in
#: use: one row of the ~750 held-out rows changing side moves macro-F1 by 0.001-0.003, so
#: half a point is a real loss, not noise.
WORSE_MARGIN: Final = 0.005
RM = ReasonModelVersion


class ModelError(ValueError):
    """A training or rollback request that cannot be carried out, said plainly."""


def brand_taxonomy(settings: Mapping[str, Any] | None) -> Taxonomy:
    return Taxonomy.from_settings(settings)


# ---- corrections ----------------------------------------------------------------------


def case_text(session: Session, case: Case) -> tuple[int | None, str]:
    """(message id, text) of the customer message the case's reason was read from: the
    first inbound message with text, as the pipeline analysed it (subject + new text)."""
    rows = session.execute(
        select(Message.id, Message.subject, Message.text)
        .where(Message.case_id == case.id, Message.direction == "inbound")
        .order_by(Message.received_at, Message.id)
        .limit(20)
    ).all()
    for mid, subject, text in rows:
        body = strip_quoted(text) if text else ""
        joined = "\n".join(p for p in (subject, body) if p)
        if joined.strip():
            return mid, joined
    return None, case.subject or ""


def check_reason(session: Session, case: Case, value: Any) -> None:
    """Refuse a reason that is not one of the case's brand (422 naming the field)."""
    brand = session.get(Organisation, case.brand_id)
    try:
        labels = brand_taxonomy(brand.settings if brand else None).labels()
    except TaxonomyError:
        labels = DEFAULT_TAXONOMY.labels()
    if value not in labels:
        raise ActionError(
            f"not one of the brand's reasons ({', '.join(labels)})", field="reason", status=422
        )


def do_record_correction(
    session: Session, case: Case, old: str | None, new: str, who: Principal
) -> ReasonCorrection | None:
    """Store what the classifier read and the reason a person gave it instead."""
    message_id, text = case_text(session, case)
    if not text.strip():
        return None  # nothing was read: nothing to learn
    correction = ReasonCorrection(
        brand_id=case.brand_id,
        case_id=case.id,
        message_id=message_id,
        text=text[:20_000],
        old_reason=old,
        new_reason=new,
        old_confidence=case.reason_confidence,
        user_id=who.user_id or None,
        actor=who.actor,
        created_at=utcnow(),
    )
    session.add(correction)
    return correction


def corrections_for(session: Session, brand_id: int | None) -> list[tuple[str, str, float]]:
    """(text, reason in model labels, weight) of a brand's corrections (all brands' for
    the global model, keeping only default reasons there); the latest per case wins."""
    query = select(ReasonCorrection, Organisation.settings).join(
        Organisation, Organisation.id == ReasonCorrection.brand_id
    )
    if brand_id is not None:
        query = query.where(ReasonCorrection.brand_id == brand_id)
    latest: dict[int, tuple[str, str]] = {}
    for corr, settings in session.execute(query.order_by(ReasonCorrection.id)):
        try:
            taxonomy = brand_taxonomy(settings)
        except TaxonomyError:
            taxonomy = DEFAULT_TAXONOMY
        label = taxonomy.to_model(corr.new_reason)
        if label is None or (brand_id is None and label in taxonomy.added):
            continue
        latest[corr.case_id] = (corr.text, label)
    return [(text, label, CORRECTION_WEIGHT) for text, label in latest.values()]


# ---- which model a brand uses ---------------------------------------------------------


#: Versions loaded by this process (rows are never changed once written).
_LOADED: dict[tuple[str, int], ReasonModel] = {}


def _load(conn: Connection, model_id: int) -> ReasonModel:
    key = (str(conn.engine.url), model_id)
    model = _LOADED.get(key)
    if model is None:
        blob = conn.execute(select(RM.blob).where(RM.id == model_id)).scalar_one()
        model = _LOADED[key] = model_from_bytes(bytes(blob))
    return model


def reasoners(
    conn: Connection, brands: Mapping[int, Mapping[str, Any] | None]
) -> dict[int, Reasoner]:
    """The ``Reasoner`` each brand (id → settings) classifies with: its own active model,
    else the active global one, else the packaged model."""
    active = conn.execute(select(RM.id, RM.brand_id).where(RM.active.is_(True))).all()
    by_scope = {brand_id: mid for mid, brand_id in active}
    packaged = default_model()
    out: dict[int, Reasoner] = {}
    for brand_id, settings in brands.items():
        try:
            taxonomy = brand_taxonomy(settings)
        except TaxonomyError as exc:
            log.warning("brand %s: %s; default reasons used", brand_id, exc)
            taxonomy = DEFAULT_TAXONOMY
        mid = by_scope.get(brand_id, by_scope.get(None))
        if mid is not None:
            out[brand_id] = Reasoner(_load(conn, mid), taxonomy, str(mid))
        elif packaged is not None:
            out[brand_id] = Reasoner(packaged, taxonomy)
    return out


# ---- training, activation, rollback ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainOutcome:
    id: int
    version: int
    brand: str | None
    heldout_macro_f1: float
    baseline_macro_f1: float
    """What the model it would replace scores on the same held-out rows."""
    activated: bool
    note: str
    corrections: int
    cv_macro_f1: float
    triage_threshold: float


def heldout_macro_f1(model: ReasonModel, heldout: Sequence[Row]) -> float:
    """Macro-F1 on the held-out rows over the default reasons (a brand's added reasons
    are not in the held-out split, so the model chooses among the default ones here)."""
    from omnicase.understand.training import scores

    columns = [i for i, label in enumerate(model.labels) if label in {r.reason for r in heldout}]
    proba = model.probabilities([r.text for r in heldout])[:, columns]
    predicted = [model.labels[columns[i]] for i in proba.argmax(axis=1)]
    return scores([r.reason for r in heldout], predicted).macro_f1


def _scope_filter(brand_id: int | None) -> Any:
    return RM.brand_id.is_(None) if brand_id is None else RM.brand_id == brand_id


def _current(session: Session, brand_id: int | None) -> ReasonModelVersion | None:
    """The active model a scope uses now (a brand without its own uses the global one)."""
    for scope in [brand_id, None] if brand_id is not None else [None]:
        row = session.scalars(
            select(RM).where(_scope_filter(scope), RM.active.is_(True)).with_for_update()
        ).first()
        if row is not None:
            return row
    return None


def _brand(session: Session, slug: str) -> Organisation:
    brand = session.scalars(
        select(Organisation).where(Organisation.slug == slug, Organisation.kind == "brand")
    ).first()
    if brand is None:
        raise ModelError(f"no brand named {slug!r}")
    return brand


def do_train(
    db: Database,
    brand_slug: str | None = None,
    corpus: Path = DEFAULT_CORPUS,
    min_corrections: int = MIN_BRAND_CORRECTIONS,
    actor: str = "system",
) -> TrainOutcome:
    """Train, score on the held-out split, store as the scope's next version; activate it
    unless it scores worse there than the model in use."""
    from omnicase.understand.training import train_model

    train_rows, heldout = load_split(corpus, "train"), load_split(corpus, "heldout")
    if not train_rows or not heldout:
        raise ModelError(f"{corpus}: needs train/*.jsonl and heldout/*.jsonl rows")
    with db.reading() as session:
        brand = _brand(session, brand_slug) if brand_slug else None
        brand_id = brand.id if brand else None
        extra = corrections_for(session, brand_id)
    if brand is not None and len(extra) < min_corrections:
        raise ModelError(
            f"brand {brand_slug!r} has {len(extra)} corrections; a brand model needs "
            f"{min_corrections} (the global model serves it meanwhile)"
        )
    model, _cv = train_model(
        train_rows, extra=extra, meta={"brand": brand_slug, "trained_by": actor}
    )
    score = heldout_macro_f1(model, heldout)
    with db.transaction() as session:
        current = _current(session, brand_id)
        if current is not None:
            baseline = current.heldout_macro_f1
        else:
            packaged = default_model()
            baseline = heldout_macro_f1(packaged, heldout) if packaged else 0.0
        version = 1 + max(
            session.scalars(select(RM.version).where(_scope_filter(brand_id))).all(), default=0
        )
        activate = score >= baseline - WORSE_MARGIN
        scope = f"brand {brand_slug}" if brand_slug else "global"
        note = (
            f"activated: held-out macro-F1 {score:.4f} vs {baseline:.4f} of the model in use"
            if activate
            else f"refused: held-out macro-F1 {score:.4f} is worse than {baseline:.4f} of the "
            f"model in use (by more than {WORSE_MARGIN}); the model in use stays active"
        )
        if activate:
            session.execute(
                update(RM).where(_scope_filter(brand_id), RM.active.is_(True)).values(active=False)
            )
        row = RM(
            brand_id=brand_id,
            version=version,
            blob=model.to_bytes(),
            digest=model.digest,
            heldout_macro_f1=score,
            cv_macro_f1=float(model.meta["cv_macro_f1"]),
            triage_threshold=model.threshold,
            corpus_rows=len(train_rows),
            corrections=len(extra),
            active=activate,
            note=note,
            meta={k: v for k, v in model.meta.items() if k not in ("digest",)},
            created_at=utcnow(),
            activated_at=utcnow() if activate else None,
        )
        session.add(row)
        session.flush()
        record_event(
            session,
            "reason_model.trained",
            brand_id=brand_id,
            actor=actor,
            data={"model": row.id, "version": version, "scope": scope, "note": note},
        )
        return TrainOutcome(
            id=row.id,
            version=version,
            brand=brand_slug,
            heldout_macro_f1=score,
            baseline_macro_f1=baseline,
            activated=activate,
            note=note,
            corrections=len(extra),
            cv_macro_f1=row.cv_macro_f1,
            triage_threshold=row.triage_threshold,
        )


def do_rollback(db: Database, brand_slug: str | None = None, actor: str = "system") -> str:
    """Deactivate the scope's active model and reactivate the one active before it (the
    packaged model, or the global one for a brand, when there was none)."""
    with db.transaction() as session:
        brand_id = _brand(session, brand_slug).id if brand_slug else None
        active = session.scalars(
            select(RM).where(_scope_filter(brand_id), RM.active.is_(True)).with_for_update()
        ).first()
        if active is None:
            raise ModelError("no active model to roll back in this scope")
        previous = session.scalars(
            select(RM)
            .where(
                _scope_filter(brand_id),
                RM.version < active.version,
                RM.activated_at.is_not(None),
            )
            .order_by(RM.version.desc())
        ).first()
        active.active = False
        active.note = f"{active.note}; rolled back {utcnow():%Y-%m-%d %H:%M} UTC"
        if previous is not None:
            previous.active = True
            previous.activated_at = utcnow()
            said = f"version {previous.version} active again"
        else:
            said = (
                "the brand uses the global model again"
                if brand_slug
                else ("the packaged model is in use again")
            )
        record_event(
            session,
            "reason_model.rolled_back",
            brand_id=brand_id,
            actor=actor,
            data={"from_version": active.version, "now": said},
        )
        return f"version {active.version} deactivated; {said}"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: int
    brand: str | None
    version: int
    active: bool
    heldout_macro_f1: float
    cv_macro_f1: float
    triage_threshold: float
    corpus_rows: int
    corrections: int
    created_at: datetime
    note: str


def list_models(db: Database) -> list[ModelInfo]:
    with db.reading() as session:
        slugs = dict(session.execute(select(Organisation.id, Organisation.slug)).all())
        rows = session.scalars(
            select(RM).order_by(RM.brand_id.is_not(None), RM.brand_id, RM.version)
        ).all()
        return [
            ModelInfo(
                r.id,
                slugs.get(r.brand_id) if r.brand_id else None,
                r.version,
                r.active,
                r.heldout_macro_f1,
                r.cv_macro_f1,
                r.triage_threshold,
                r.corpus_rows,
                r.corrections,
                r.created_at,
                r.note,
            )
            for r in rows
        ]


@job("reasons.retrain", queue="models", retry=RetryPolicy(max_attempts=1))
def retrain_job(
    ctx: JobContext, brand: str | None = None, corpus: str = str(DEFAULT_CORPUS), **_: Any
) -> dict[str, Any]:
    """Model retraining when asked (``jobs defer reasons.retrain '{"brand": "acme"}'``)."""
    outcome = do_train(ctx.db, brand, Path(corpus), actor="job")
    return {"model": outcome.id, "activated": outcome.activated, "note": outcome.note}


__all__ = [
    "TRIAGE",
    "ModelError",
    "TrainOutcome",
    "check_reason",
    "do_record_correction",
    "do_rollback",
    "do_train",
    "list_models",
    "reasoners",
]
