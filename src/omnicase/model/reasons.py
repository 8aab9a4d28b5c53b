"""Reason models and the agents' corrections they learn from (issue 6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class ReasonCorrection(Base):
    """An agent changed a case's reason: the text the classifier read, and old → new.

    The text is a copy (subject + what the customer wrote, as analysed), so training does
    not depend on the case staying as it was (merged, split, messages moved).
    """

    __tablename__ = "reason_corrections"
    __table_args__ = (Index("ix_reason_corrections_brand_created", "brand_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    text: Mapped[str] = mapped_column(Text)
    old_reason: Mapped[str | None] = mapped_column(String(32))
    new_reason: Mapped[str] = mapped_column(String(32))
    #: The classifier's confidence in the old reason (None: a person had set it).
    old_confidence: Mapped[float | None] = mapped_column(Float)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReasonModelVersion(Base):
    """One trained model: global (``brand_id`` null) or a brand's; one active per scope."""

    __tablename__ = "reason_models"
    __table_args__ = (Index("ix_reason_models_active", "active", "brand_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    version: Mapped[int] = mapped_column(Integer)
    #: The ``.npz`` archive (``understand.reason_model``): arrays only, no pickle.
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    heldout_macro_f1: Mapped[float] = mapped_column(Float)
    cv_macro_f1: Mapped[float] = mapped_column(Float)
    triage_threshold: Mapped[float] = mapped_column(Float)
    corpus_rows: Mapped[int] = mapped_column(Integer)
    corrections: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Why it is (not) active: "activated", "refused: heldout 0.87 < active 0.91", ...
    note: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column()
