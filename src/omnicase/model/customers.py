"""Customers (one per brand) and the identities that point to them (the identity graph)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omnicase.model.base import Base, utcnow


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_brand_name_first", "brand_id", "name_first"),
        Index("ix_customers_brand_name_last", "brand_id", "name_last"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    #: Folded first name and surname (``refer_back.name_keys``): the keys a sender who
    #: refers back to an earlier contact is looked up by.
    name_first: Mapped[str | None] = mapped_column(String(64))
    name_last: Mapped[str | None] = mapped_column(String(64))
    #: Labels queues route on (``vip``…), set by the brand (routing API / CRM).
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Set when this customer was merged into another one; reads follow the redirect.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    #: Erased on request (``services.erasure``): no name, no identities, texts replaced.
    erased_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Identity(Base):
    """``kind`` + normalised ``value``, unique per brand; ``rule``/``score``: why linked."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("brand_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    rule: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float, default=1.0)
    source_message_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
