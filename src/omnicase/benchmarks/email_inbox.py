"""``omnicase bench email-inbox``: the email path through the inbox — rows stored with
``accept_inbound`` (a job deferred per row), then processed by the job's body (the
adapter's ``parse`` with attachments into the store, auto-replies and bounces as events,
the pipeline), on the same distinct copies of the fixtures as ``bench email``.

``--batch-size 1`` is the path one SMTP delivery takes (one commit to accept, one
``process_inbox``); larger batches are a backlog (an IMAP catch-up, a queue drained after
an outage): ``batch`` rows accepted per transaction and ``process_inbox_many``."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from omnicase.benchmarks.email import DEFAULT_FIXTURES, build, load_corpus
from omnicase.benchmarks.ingest import _fresh
from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.email.smtpd import message_id_key
from omnicase.channels.inbox import accept_inbound, process_inbox, process_inbox_many
from omnicase.model import ChannelAccount, Event, InboxItem, Message, Organisation
from omnicase.security.secrets import SecretBox

MAILBOXES = {"acme": "service@acme.example", "globex": "support@globex.example"}


def run_email_inbox_bench(
    *,
    messages: int,
    batch_size: int = 100,
    fixtures: Path = DEFAULT_FIXTURES,
    url: str | None = None,
) -> dict[str, Any]:
    items = build(load_corpus(fixtures), messages)
    with tempfile.TemporaryDirectory() as tmp:
        db = _fresh(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        store = AttachmentStore(Path(tmp) / "attachments")
        box = SecretBox([])
        try:
            with db.transaction() as session:
                accounts: dict[str, int] = {}
                for slug, address in MAILBOXES.items():
                    brand = session.scalar(select(Organisation).where(Organisation.slug == slug))
                    assert brand is not None
                    account = ChannelAccount(
                        brand_id=brand.id,
                        channel="email",
                        name=slug,
                        address=address,
                        settings={},
                        secrets={},
                        active=True,
                    )
                    session.add(account)
                    session.flush()
                    accounts[slug] = account.id
            cpu = time.process_time()
            t0 = time.perf_counter()
            inbox_ids: list[int] = []
            for start in range(0, len(items), batch_size):
                with db.transaction() as session:
                    for _, slug, raw in items[start : start + batch_size]:
                        mailbox = session.get(ChannelAccount, accounts[slug])
                        assert mailbox is not None
                        accepted = accept_inbound(
                            session, "email", mailbox, raw, {}, message_id_key(raw)
                        )
                        inbox_ids.append(accepted.inbox_id)
            t1 = time.perf_counter()
            outcome: Counter[str] = Counter()
            for start in range(0, len(inbox_ids), batch_size):
                chunk = inbox_ids[start : start + batch_size]
                if batch_size == 1:
                    outcome[process_inbox(db, chunk[0], box, store)] += 1
                else:
                    outcome.update(process_inbox_many(db, chunk, box, store).values())
            t2 = time.perf_counter()
            cpu = time.process_time() - cpu
            with db.reading() as session:
                stored = session.scalar(select(func.count()).select_from(Message)) or 0
                events = session.scalar(
                    select(func.count()).select_from(Event).where(Event.kind.like("channel.%"))
                )
                rows = session.scalar(select(func.count()).select_from(InboxItem)) or 0
            elapsed = t2 - t0
            return {
                "benchmark": "email-inbox",
                "messages": messages,
                "messages_per_s": round(messages / elapsed, 1),
                "messages_per_cpu_s": round(messages / cpu, 1),
                "accept_per_s": round(messages / (t1 - t0), 1),
                "process_per_s": round(messages / (t2 - t1), 1),
                "elapsed_s": round(elapsed, 2),
                "inbox_rows": rows,
                "outcome": dict(sorted(outcome.items())),
                "messages_stored": stored,
                "channel_events": events,
                "batch_size": batch_size,
                "database": db.dialect,
            }
        finally:
            db.dispose()
