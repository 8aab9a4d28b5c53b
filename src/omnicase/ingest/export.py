"""``omnicase export cases``: one JSON line per case, messages' external ids in order."""

from __future__ import annotations

import json
from typing import TextIO

from sqlalchemy import select

from omnicase.model import Case, Event, Message, Organisation
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from omnicase.store.references import format_reference


def export_cases_jsonl(
    db: Database, out: TextIO, brand: str | None = None, chunk: int = 2000
) -> int:
    """Streams cases in id order (keyset pagination: constant memory on any size)."""
    count = 0
    exported: dict[int, int] = {}
    with db.reading() as session:
        brands = {o.id: o for o in session.scalars(select(Organisation))}
        brand_id = None
        if brand is not None:
            brand_id = next((o.id for o in brands.values() if o.slug == brand), -1)
        last = 0
        while True:
            stmt = select(Case).where(Case.id > last, Case.merged_into_id.is_(None))
            if brand_id is not None:
                stmt = stmt.where(Case.brand_id == brand_id)
            cases = list(session.scalars(stmt.order_by(Case.id).limit(chunk)))
            if not cases:
                break
            messages: dict[int, list[tuple[str, str]]] = {c.id: [] for c in cases}
            rows = session.execute(
                select(Message.case_id, Message.channel, Message.external_id)
                .where(Message.case_id.in_(list(messages)))
                .order_by(Message.case_id, Message.received_at, Message.id)
            )
            for case_id, channel, external_id in rows:
                messages[case_id].append((channel, external_id))
            for c in cases:
                org = brands[c.brand_id]
                channels = sorted({ch for ch, _ in messages[c.id]})
                out.write(
                    json.dumps(
                        {
                            "reference": format_reference(
                                org.case_prefix or org.slug[:2].upper(), c.id
                            ),
                            "brand": org.slug,
                            "customer_id": c.customer_id,
                            "status": c.status,
                            "reason": c.reason,
                            "channels": channels,
                            "external_ids": [e for _, e in messages[c.id]],
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                count += 1
                exported[c.brand_id] = exported.get(c.brand_id, 0) + 1
            last = cases[-1].id

    _audit_export(db, exported, brand)
    return count


def _audit_export(db: Database, per_brand: dict[int, int], brand: str | None) -> None:
    """Every export is in the audit log of each brand it contains."""
    with db.transaction() as session:
        for brand_id, n in sorted(per_brand.items()):
            session.add(
                Event(
                    brand_id=brand_id,
                    kind="access.export",
                    actor="cli",
                    at=utcnow(),
                    data={"what": "cases", "count": n, "filter_brand": brand},
                )
            )
