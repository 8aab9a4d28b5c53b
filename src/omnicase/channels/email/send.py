"""Outbound email: a reply as an RFC 5322 message, sent over SMTP with aiosmtplib.

The message carries our Message-ID (the reply's ``external_id``, of the brand's domain),
In-Reply-To (the customer's latest email) and References (the case's last 20 email ids),
so the customer's client threads it and their reply finds the case again; the subject
carries the case reference (``[AC-000123] Re: …``). Text and HTML alternatives (the HTML
sanitised), attachments read from the store. A subject, name or address with CR/LF is
refused (header injection), and that is a permanent failure.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

import aiosmtplib

from omnicase.channels.attachments import clean_content_type, safe_filename
from omnicase.channels.base import Account, OutboundContext, SendResult
from omnicase.channels.html import sanitize_html, text_to_html
from omnicase.model.base import utcnow

MAX_REFERENCES = 20
_MSGID = re.compile(r"^<[^<>\s]+@[^<>\s]+>$")


class HeaderInjection(ValueError):
    """A header value with a line break: refused rather than sent."""


def _one_line(value: str | None, field: str) -> str | None:
    if value is not None and ("\r" in value or "\n" in value):
        raise HeaderInjection(f"{field} contains a line break (CR/LF): refused")
    return value


def _address(value: str, field: str) -> str:
    _one_line(value, field)
    try:
        Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise HeaderInjection(f"{field} is not an email address: {exc}") from None
    return value


def msg_id(value: str) -> str | None:
    """``<id@host>`` for a stored id (brackets added when missing); None if unusable."""
    value = value.strip()
    if not value.startswith("<"):
        value = f"<{value}>"
    return value if _MSGID.match(value) else None


def subject_for(ctx: OutboundContext) -> str:
    tag = f"[{ctx.case_reference}]"
    subject = (ctx.subject or "").strip()
    if tag in subject:
        return subject
    return f"{tag} {subject or ctx.account.brand_name}"


def build_email(ctx: OutboundContext) -> EmailMessage:
    account = ctx.account
    settings = account.settings
    msg = EmailMessage(policy=SMTP)
    from_name = _one_line(str(settings.get("from_name") or account.brand_name), "from_name")
    msg["From"] = formataddr((from_name or "", _address(account.address, "address")))
    reply_to = settings.get("reply_to")
    if reply_to:
        msg["Reply-To"] = _address(str(reply_to), "reply_to")
    to_name = _one_line(ctx.recipient_name, "recipient name")
    msg["To"] = formataddr((to_name or "", _address(ctx.recipient, "recipient")))
    msg["Subject"] = _one_line(subject_for(ctx), "subject") or ""
    msg["Date"] = format_datetime(utcnow())
    own = msg_id(ctx.external_id)
    if own is None:
        raise HeaderInjection("the reply's Message-ID is not a valid id")
    msg["Message-ID"] = own
    thread = [i for i in (msg_id(x) for x in ctx.thread) if i and i != own][-MAX_REFERENCES:]
    parent = msg_id(ctx.in_reply_to) if ctx.in_reply_to else None
    parent = parent or (thread[-1] if thread else None)
    if parent:
        msg["In-Reply-To"] = parent
    if thread:
        msg["References"] = " ".join(thread)
    msg["Auto-Submitted"] = "no"  # a person wrote it (RFC 3834)
    msg.set_content(ctx.text)
    html = sanitize_html(ctx.html) if ctx.html else text_to_html(ctx.text)
    msg.add_alternative(html, subtype="html")
    for att in ctx.attachments:
        maintype, _, subtype = clean_content_type(att.content_type).partition("/")
        msg.add_attachment(
            ctx.store.read(att.sha256),
            maintype=maintype,
            subtype=subtype,
            filename=safe_filename(att.filename),
        )
    return msg


def new_message_id(account: Account) -> str:
    domain = str(account.settings.get("message_id_domain") or account.address.rpartition("@")[2])
    return f"<{uuid.uuid4().hex}@{domain or 'omnicase.invalid'}>"


def _classify(exc: BaseException) -> SendResult:
    """4xx and connection trouble: retry; 5xx: permanent."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        if any(500 <= c < 600 for c in codes):
            return SendResult.failed(f"recipient refused: {text}")
        return SendResult.retry(f"recipient deferred: {text}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        text = f"{exc.code} {exc.message}"
        if 500 <= exc.code < 600:
            return SendResult.failed(f"SMTP server refused the message: {text}")
        return SendResult.retry(f"SMTP server deferred the message: {text}")
    return SendResult.retry(f"cannot reach the SMTP server: {type(exc).__name__}: {exc}")


async def _deliver(msg: EmailMessage, account: Account, recipient: str) -> SendResult:
    settings = account.settings
    host = str(settings.get("smtp_host") or "")
    if not host:
        return SendResult.failed("the email account has no smtp_host setting")
    use_tls = bool(settings.get("smtp_tls", False))
    password = account.secrets.get("smtp_password")
    try:
        errors, response = await aiosmtplib.send(
            msg,
            sender=account.address,
            recipients=[recipient],
            hostname=host,
            port=int(settings.get("smtp_port") or (465 if use_tls else 587)),
            username=str(settings["smtp_user"]) if settings.get("smtp_user") else None,
            password=password if settings.get("smtp_user") else None,
            use_tls=use_tls,
            start_tls=False if use_tls else bool(settings.get("smtp_starttls", True)),
            timeout=float(settings.get("smtp_timeout") or 60),
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return _classify(exc)
    if errors:  # a single recipient: refused means the server raised, but be safe
        return SendResult.retry(f"recipient not accepted: {sorted(errors)}")
    return SendResult.sent(smtp_response=response[:300])


async def deliver(msg: EmailMessage, account: Account, recipient: str) -> SendResult:
    """Send a built message through the account's SMTP settings (reports use it too)."""
    return await _deliver(msg, account, recipient)


def send_email(ctx: OutboundContext) -> SendResult:
    try:
        msg = build_email(ctx)
    except HeaderInjection as exc:
        return SendResult.failed(str(exc))
    return asyncio.run(_deliver(msg, ctx.account, ctx.recipient))
