"""Email a report's PDF to its recipients, through the brand's email account's SMTP
settings (the same sending code as replies: :mod:`omnicase.channels.email.send`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.channels.email.send import deliver
from omnicase.config import Settings
from omnicase.model import ChannelAccount, EngagementContract, Organisation, Report
from omnicase.model.base import utcnow
from omnicase.reports.archive import reports_dir
from omnicase.reports.render.i18n import Words
from omnicase.security.secrets import SecretBox
from omnicase.services.channel_accounts import account_view


@dataclass(frozen=True, slots=True)
class MailOutcome:
    sent: list[str]
    failed: dict[str, str]
    reason: str | None = None  # why nothing was sent


def recipients_for(session: Session, row: Report) -> list[str]:
    """Brand reports: ``settings.reports.recipients``; engagement reports: the contract's."""
    if row.engagement_id is not None:
        contract = session.scalar(
            select(EngagementContract).where(EngagementContract.engagement_id == row.engagement_id)
        )
        return list(contract.recipients or []) if contract else []
    brand = session.get(Organisation, row.brand_id)
    assert brand is not None
    values = ((brand.settings or {}).get("reports") or {}).get("recipients") or []
    return [str(v) for v in values]


def _account(session: Session, brand_id: int) -> ChannelAccount | None:
    for acc in session.scalars(
        select(ChannelAccount)
        .where(ChannelAccount.brand_id == brand_id, ChannelAccount.channel == "email")
        .where(ChannelAccount.active.is_(True))
        .order_by(ChannelAccount.id)
    ):
        if (acc.settings or {}).get("smtp_host"):
            return acc
    return None


def build_message(
    brand: Organisation,
    row: Report,
    sender: str,
    from_name: str,
    recipient: str,
    pdf: bytes,
    name: str,
) -> EmailMessage:
    w = Words(brand.language or "fr")
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((from_name, sender))
    msg["To"] = recipient
    title = w("engagement_title") if row.engagement_id is not None else w("title")
    msg["Subject"] = f"{title} · {brand.name} · {w.day(row.day)}"
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    day = w.day(row.day)
    body = (
        f"Bonjour,\n\nVeuillez trouver ci-joint le {title.lower()} de {brand.name} du {day}.\n"
        if w.lang == "fr"
        else f"Hello,\n\nAttached is {brand.name}'s {title.lower()} for {day}.\n"
    )
    msg.set_content(body + "\n-- \nomnicase\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    return msg


def send_report(session: Session, settings: Settings, row: Report) -> MailOutcome:
    """Send the PDF to every recipient (one SMTP transaction each, so one refused
    address does not stop the others)."""
    recipients = recipients_for(session, row)
    if not recipients:
        return MailOutcome([], {}, "no recipients configured")
    account = _account(session, row.brand_id)
    if account is None:
        return MailOutcome([], {}, "the brand has no email account with an smtp_host")
    info = (row.files or {}).get("pdf")
    if info is None:
        return MailOutcome([], {}, "the report has no PDF")
    pdf = (reports_dir(settings) / info["path"]).read_bytes()
    view = account_view(session, SecretBox.from_settings(settings), account)
    brand = session.get(Organisation, row.brand_id)
    assert brand is not None
    from_name = str(view.settings.get("from_name") or brand.name)
    sent: list[str] = []
    failed: dict[str, str] = {}
    for to in recipients:
        msg = build_message(brand, row, view.address, from_name, to, pdf, Path(info["name"]).name)
        result = asyncio.run(deliver(msg, view, to))
        if result.status.value == "sent":
            sent.append(to)
        else:
            failed[to] = result.error or "not sent"
    return MailOutcome(sent, failed)
