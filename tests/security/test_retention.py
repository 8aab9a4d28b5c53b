"""Retention across a simulated year: the clock is injected, month by month, and each
month asserts what remains (anonymised closed cases, raw inbox bodies, quarantine, audit)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from omnicase.channels.attachments import AttachmentStore
from omnicase.config import Settings
from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Case, Event, InboxItem, Message, Organisation, QuarantinedInput
from omnicase.services.erasure import MARKER
from omnicase.services.retention import (
    PolicyError,
    apply_all,
    months_before,
    parse_policy,
)
from omnicase.store.db import Database
from tests.factories import World, message
from tests.security.test_gdpr import find_personal

START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
POLICY = {
    "anonymise_closed_after_months": 3,
    "delete_inbox_raw_after_days": 30,
    "delete_quarantine_after_days": 14,
    "delete_audit_after_years": 1,
}


@pytest.fixture
def store(settings: Settings) -> AttachmentStore:
    return AttachmentStore.from_settings(settings)


def month(n: int) -> datetime:
    """START plus n calendar months."""
    return months_before(START, -n)


def seed(db: Database, world: World) -> dict[int, int]:
    """One customer case per month of the year, closed the same month; its id per month."""
    with db.transaction() as s:
        acme = s.get(Organisation, world.ids["acme"])
        assert acme is not None
        acme.settings = {**acme.settings, "retention": POLICY}
    cases: dict[int, int] = {}
    for n in range(12):
        at = month(n)
        result = ingest_one(
            db,
            message(
                at=at,
                text=f"Bonjour, c'est Octavie Rambert-{n}, commande A-{10000 + n} perdue",
                email=f"octavie.rambert{n}@example.fr",
            ),
        )
        with db.transaction() as s:
            case = s.get(Case, result.case_id)
            assert case is not None
            case.status = "closed"
            case.resolved_at = case.closed_at = at + timedelta(days=2)
            s.add(
                InboxItem(
                    channel="email",
                    account_id=_account(s, world),
                    brand_id=world.ids["acme"],
                    received_at=at,
                    headers={"from": f"octavie.rambert{n}@example.fr"},
                    body=f"From: octavie.rambert{n}@example.fr\r\n\r\nraw {n}".encode(),
                    dedup_key=f"raw-{n}",
                    status="processed",
                    result={"messages": [result.message_id]},
                )
            )
            s.add(QuarantinedInput(source="email", payload=f"junk {n}", error="x", received_at=at))
            s.add(Event(brand_id=world.ids["acme"], kind="test.old", at=at, data={"n": n}))
        cases[n] = result.case_id
    return cases


def _account(s, world: World) -> int:  # type: ignore[no-untyped-def]
    from omnicase.model import ChannelAccount

    account = s.scalar(
        select(ChannelAccount.id).where(ChannelAccount.brand_id == world.ids["acme"])
    )
    if account is None:
        row = ChannelAccount(
            brand_id=world.ids["acme"], channel="email", name="m", address="m@acme.example"
        )
        s.add(row)
        s.flush()
        return row.id
    return int(account)


def test_a_simulated_year_month_by_month(
    db: Database, world: World, store: AttachmentStore
) -> None:
    cases = seed(db, world)
    total_messages = 12
    for n in range(12, 26):  # from the end of the seeded year, one run per month
        now = month(n)
        apply_all(db, now, store)
        with db.reading() as s:
            anonymised = {
                cid
                for cid in cases.values()
                if s.get(Case, cid).anonymised_at is not None  # type: ignore[union-attr]
            }
            raws = {i.dedup_key for i in s.scalars(select(InboxItem)) if i.body}
            quarantine = s.scalar(select(func.count()).select_from(QuarantinedInput))
            old_events = s.scalar(select(func.count()).where(Event.kind == "test.old"))
            assert s.scalar(select(func.count()).select_from(Message)) == total_messages
            assert s.scalar(select(func.count()).select_from(Case)) == 12
            for m, cid in cases.items():
                texts = set(s.scalars(select(Message.text).where(Message.case_id == cid)))
                closed = month(m) + timedelta(days=2)
                due = months_before(closed, -3) < now
                assert (cid in anonymised) == due, (n, m)
                assert (texts == {MARKER}) == due
        # closed more than 3 months ago → anonymised; all raw bodies are > 30 days old
        assert raws == set()
        assert quarantine == 0  # all older than 14 days by now
        # events of the year: only those within the last year stay
        assert old_events == sum(1 for m in range(12) if month(m) >= months_before(now, 12))
    # by the end every case is anonymised and none of the people can be found
    assert find_personal(db, ("octavie", "rambert")) == []


def test_a_month_at_a_time_within_the_year(
    db: Database, world: World, store: AttachmentStore
) -> None:
    """Inside the year: after month 5 only the first cases are anonymised."""
    cases = seed(db, world)
    apply_all(db, month(5), store)
    with db.reading() as s:
        done = [m for m, cid in cases.items() if s.get(Case, cid).anonymised_at]  # type: ignore[union-attr]
        kept_raw = sorted(i.dedup_key for i in s.scalars(select(InboxItem)) if i.body)
        quarantine = s.scalar(select(func.count()).select_from(QuarantinedInput))
    assert done == [0, 1]  # closed Jan 17 and Feb 17, more than 3 months before Jun 15
    assert kept_raw == ["raw-10", "raw-11", "raw-5", "raw-6", "raw-7", "raw-8", "raw-9"]
    assert quarantine == 7  # junk of months 5…11 (month 5: received today)
    # the customers of the anonymised cases had no other case: erased, identities gone
    assert find_personal(db, ("octavie.rambert0@", "octavie.rambert1@")) == []
    assert find_personal(db, ("octavie.rambert2@",))
    again = apply_all(db, month(5), store)
    assert again == {}  # idempotent


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"delete_audit_after_years": 0}, "delete_audit_after_years"),
        ({"keep": 1}, "keep"),
        ({"delete_inbox_raw_after_days": "30"}, "delete_inbox_raw_after_days"),
    ],
)
def test_a_bad_policy_names_the_key(raw: dict[str, object], field: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(raw)
    assert info.value.field == field
