"""Retention: each brand says how long personal data is kept; a daily job enforces it.

The policy is the brand's ``settings.retention`` (every key optional; absent = kept):

``anonymise_closed_after_months``
    closed cases (closed that long ago) lose their personal data, the way an erasure
    does it for one case (``services.erasure.anonymise_cases``); the rows still count.
    Attachments no other message refers to are deleted, and a customer left with no
    case that is not anonymised is erased (name, identities): nothing of them stays.
``delete_inbox_raw_after_days``
    raw inbound deliveries that were processed lose their body and headers (the row is
    kept so a provider's late retry is still recognised as a duplicate).
``delete_quarantine_after_days``
    quarantined input (kept verbatim for an operator to look at) is deleted. Quarantine
    rows have no brand (the input could not be read), so the shortest period any brand
    sets applies to all of them.
``delete_audit_after_years``
    events older than that are deleted.

Months are calendar months (``closed_at`` + N months < now). The clock is a parameter so
a test can run a simulated year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from omnicase.channels.attachments import AttachmentStore
from omnicase.jobs import JobContext, RetryPolicy, job, periodic
from omnicase.model import (
    Case,
    CaseStatus,
    Customer,
    Event,
    InboxItem,
    InboxStatus,
    Organisation,
    QuarantinedInput,
)
from omnicase.model.base import utcnow
from omnicase.services.cases import record_event
from omnicase.services.erasure import (
    Erasure,
    affected,
    anonymise_cases,
    delete_files_after_commit,
    do_erase_customer,
    personal_values,
    related_customer_ids,
    shared_attachments,
)

KEYS = (
    "anonymise_closed_after_months",
    "delete_inbox_raw_after_days",
    "delete_quarantine_after_days",
    "delete_audit_after_years",
)
BATCH = 500


@dataclass(frozen=True)
class RetentionPolicy:
    anonymise_closed_after_months: int | None = None
    delete_inbox_raw_after_days: int | None = None
    delete_quarantine_after_days: int | None = None
    delete_audit_after_years: int | None = None


class PolicyError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"retention.{field}: {reason}")
        self.field = field


def parse_policy(raw: Any) -> RetentionPolicy:
    """The brand's policy; a bad value names the key (never half-applied)."""
    if raw is None:
        return RetentionPolicy()
    if not isinstance(raw, dict):
        raise PolicyError("", "must be an object")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise PolicyError(unknown[0], "unknown key")
    values: dict[str, int | None] = {}
    for key in KEYS:
        value = raw.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise PolicyError(key, "must be a whole number of at least 1")
        values[key] = value
    return RetentionPolicy(**values)


def policy_of(brand: Organisation) -> RetentionPolicy:
    return parse_policy((brand.settings or {}).get("retention"))


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (clamped to month end)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    month += 1
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def do_apply_retention(
    session: Session,
    brand: Organisation,
    now: datetime,
    store: AttachmentStore,
    limit: int = BATCH,
) -> dict[str, int]:
    """Apply the brand's policy as of ``now`` (up to ``limit`` cases per call); counts,
    also written as a ``retention.applied`` event when anything was done."""
    policy = policy_of(brand)
    done = {
        "cases_anonymised": 0,
        "customers_erased": 0,
        "inbox_raw_deleted": 0,
        "audit_deleted": 0,
    }
    if policy.anonymise_closed_after_months:
        cutoff = months_before(now, policy.anonymise_closed_after_months)
        case_ids = list(
            session.scalars(
                select(Case.id)
                .where(
                    Case.brand_id == brand.id,
                    Case.status == CaseStatus.closed,
                    Case.closed_at < cutoff,
                    Case.anonymised_at.is_(None),
                )
                .order_by(Case.id)
                .limit(limit)
            )
        )
        if case_ids:
            customers = list(
                session.scalars(select(Case.customer_id).where(Case.id.in_(case_ids)).distinct())
            )
            result = Erasure()
            anonymise_cases(session, case_ids, personal_values(session, customers), result)
            session.flush()
            gone = result.attachments - shared_attachments(session, result.attachments)
            delete_files_after_commit(session, store, gone)
            done["cases_anonymised"] = result.cases
            done["customers_erased"] = _erase_emptied(session, customers, store)
    if policy.delete_inbox_raw_after_days:
        cutoff = now - timedelta(days=policy.delete_inbox_raw_after_days)
        done["inbox_raw_deleted"] = affected(
            session.execute(
                update(InboxItem)
                .where(
                    InboxItem.brand_id == brand.id,
                    InboxItem.status == InboxStatus.processed,
                    InboxItem.received_at < cutoff,
                    InboxItem.body != b"",
                )
                .values(body=b"", headers={})
            )
        )
    if policy.delete_audit_after_years:
        cutoff = months_before(now, 12 * policy.delete_audit_after_years)
        done["audit_deleted"] = affected(
            session.execute(delete(Event).where(Event.brand_id == brand.id, Event.at < cutoff))
        )
    if any(done.values()):
        record_event(session, "retention.applied", brand_id=brand.id, data=dict(done))
    return done


def _erase_emptied(session: Session, customer_ids: list[int], store: AttachmentStore) -> int:
    """Erase the customers none of whose cases keeps personal data any more."""
    erased = 0
    for customer in session.scalars(
        select(Customer).where(Customer.id.in_(customer_ids), Customer.erased_at.is_(None))
    ):
        ids = related_customer_ids(session, customer)
        left = session.scalar(
            select(Case.id).where(Case.customer_id.in_(ids), Case.anonymised_at.is_(None)).limit(1)
        )
        if left is None and customer.merged_into_id is None:
            do_erase_customer(session, customer, store, actor="retention")
            erased += 1
    return erased


def do_delete_quarantine(session: Session, brands: list[Organisation], now: datetime) -> int:
    """Quarantined input older than the shortest period any brand sets; how many."""
    days = [p.delete_quarantine_after_days for p in map(policy_of, brands)]
    periods = [d for d in days if d]
    if not periods:
        return 0
    cutoff = now - timedelta(days=min(periods))
    old = select(QuarantinedInput.id).where(QuarantinedInput.received_at < cutoff)
    session.execute(
        update(InboxItem).where(InboxItem.quarantine_id.in_(old)).values(quarantine_id=None)
    )
    return affected(
        session.execute(delete(QuarantinedInput).where(QuarantinedInput.received_at < cutoff))
    )


def apply_all(db: Any, now: datetime, store: AttachmentStore) -> dict[str, dict[str, int]]:
    """Every brand's policy, one transaction per batch; what was done per brand."""
    out: dict[str, dict[str, int]] = {}
    with db.reading() as session:
        brands = list(session.scalars(select(Organisation).where(Organisation.kind == "brand")))
    for brand in brands:
        total: dict[str, int] = {}
        while True:
            with db.transaction() as session:
                row = session.get(Organisation, brand.id)
                assert row is not None
                done = do_apply_retention(session, row, now, store)
            for k, v in done.items():
                total[k] = total.get(k, 0) + v
            if done["cases_anonymised"] < BATCH:
                break
        if any(total.values()):
            out[brand.slug] = total
    with db.transaction() as session:
        brands = list(session.scalars(select(Organisation).where(Organisation.kind == "brand")))
        deleted = do_delete_quarantine(session, brands, now)
    if deleted:
        out["quarantine"] = {"deleted": deleted}
    return out


@periodic(cron="23 3 * * *")
@job("privacy.retention", queue="maintenance", retry=RetryPolicy(max_attempts=3, backoff=300))
def retention_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> dict[str, Any]:
    """Daily: every brand's retention policy."""
    return apply_all(ctx.db, utcnow(), AttachmentStore.from_settings(ctx.settings))
