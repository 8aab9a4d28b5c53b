"""Export everything held about one customer (GDPR art. 15 / 20) as a zip archive.

Machine-readable: one JSON file per table (``customer.json``, ``identities.json``,
``cases.json``, ``messages.json``, ``notes.json``, ``reason_corrections.json``,
``references.json``, ``events.json``, ``inbox.json``), the raw inbox bodies as
``inbox/<id>.raw``, the attachments as ``attachments/<sha256>``, and ``manifest.json``
listing every file with its size and sha256 (so the receiver can check the archive).
Records merged into the customer are included. Features with their own per-customer
tables (surveys…) plug in with :func:`register_source`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import Session

from omnicase.channels.attachments import SHA256_RE, AttachmentError, AttachmentStore
from omnicase.model import (
    Case,
    CaseNote,
    CaseReference,
    Customer,
    Event,
    Identity,
    InboxItem,
    Message,
    ReasonCorrection,
)
from omnicase.model.base import Base, utcnow
from omnicase.services.cases import record_event
from omnicase.store.scope import Principal

FORMAT = "omnicase-customer-export/1"

#: name → rows (JSON-able dicts) for the customer ids and case ids given.
Source = Callable[[Session, list[int], list[int]], list[dict[str, Any]]]
SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Add a per-customer table to every export (``<name>.json``)."""
    SOURCES[name] = source


class ExportRefused(PermissionError):
    """The principal may not export this customer."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return value


def row_dict(row: Base, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every column of a row, JSON-able."""
    return {
        attr.key: _plain(getattr(row, attr.key))
        for attr in inspect(row).mapper.column_attrs
        if attr.key not in skip
    }


def _rows(session: Session, stmt: Any, skip: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    return [row_dict(r, skip) for r in session.scalars(stmt)]


def may_export(who: Principal, customer: Customer) -> bool:
    """Brand admins of the customer's own brand only: an export is all of a person."""
    return who.is_brand_staff and who.role == "admin" and who.organisation_id == customer.brand_id


def export_customer(
    session: Session,
    who: Principal,
    customer: Customer,
    store: AttachmentStore,
    *,
    client: str | None = None,
) -> bytes:
    """The zip archive; writes a ``customer.exported`` event (ids and counts only)."""
    if not may_export(who, customer):
        raise ExportRefused("only an admin of the customer's brand exports a customer")
    from omnicase.services.erasure import related_customer_ids

    ids = related_customer_ids(session, customer)
    case_ids = list(session.scalars(select(Case.id).where(Case.customer_id.in_(ids))))
    messages = list(
        session.scalars(
            select(Message)
            .where(or_(Message.customer_id.in_(ids), Message.case_id.in_(case_ids or [-1])))
            .order_by(Message.id)
        )
    )
    message_ids = {m.id for m in messages}
    tables: dict[str, list[dict[str, Any]]] = {
        "customer": _rows(session, select(Customer).where(Customer.id.in_(ids))),
        "identities": _rows(session, select(Identity).where(Identity.customer_id.in_(ids))),
        "cases": _rows(session, select(Case).where(Case.id.in_(case_ids or [-1]))),
        "messages": [row_dict(m) for m in messages],
        "notes": _rows(session, select(CaseNote).where(CaseNote.case_id.in_(case_ids or [-1]))),
        "reason_corrections": _rows(
            session,
            select(ReasonCorrection).where(ReasonCorrection.case_id.in_(case_ids or [-1])),
        ),
        "references": _rows(
            session, select(CaseReference).where(CaseReference.case_id.in_(case_ids or [-1]))
        ),
        "events": _rows(
            session,
            select(Event)
            .where(or_(Event.customer_id.in_(ids), Event.case_id.in_(case_ids or [-1])))
            .order_by(Event.id),
        ),
    }
    inbox = [
        item
        for item in session.scalars(
            select(InboxItem).where(InboxItem.brand_id == customer.brand_id).order_by(InboxItem.id)
        )
        if message_ids.intersection((item.result or {}).get("messages", []) or [])
    ]
    tables["inbox"] = [row_dict(i, frozenset({"body"})) for i in inbox]
    for name, source in SOURCES.items():
        tables[name] = source(session, ids, case_ids)

    files: dict[str, bytes] = {
        f"{name}.json": json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True).encode()
        for name, rows in tables.items()
    }
    for item in inbox:
        files[f"inbox/{item.id}.raw"] = item.body or b""
    missing: list[str] = []
    for m in messages:
        for a in m.attachments or []:
            sha = str(a.get("sha256") or "")
            if not SHA256_RE.match(sha) or f"attachments/{sha}" in files:
                continue
            try:
                files[f"attachments/{sha}"] = store.read(sha)
            except AttachmentError:
                missing.append(sha)
    manifest = {
        "format": FORMAT,
        "generated_at": utcnow().isoformat(),
        "brand_id": customer.brand_id,
        "customer_id": customer.id,
        "customer_ids": ids,
        "counts": {name: len(rows) for name, rows in tables.items()},
        "missing_attachments": missing,
        "files": {
            name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        },
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, sort_keys=True))
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    record_event(
        session,
        "customer.exported",
        brand_id=customer.brand_id,
        actor=who.actor,
        customer_id=customer.id,
        data={"client": client, "counts": manifest["counts"], "bytes": out.tell()},
    )
    return out.getvalue()


def verify_archive(data: bytes) -> dict[str, Any]:
    """The manifest, after checking every file against it (raises ValueError)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist()) - {"manifest.json"}
        if names != set(manifest["files"]):
            raise ValueError("archive files differ from the manifest")
        for name, info in manifest["files"].items():
            if hashlib.sha256(archive.read(name)).hexdigest() != info["sha256"]:
                raise ValueError(f"{name}: checksum mismatch")
    return manifest
