"""The web form adapter: the stored multipart body → one canonical message (channel
webform, from the email and name given, the order number in the text and in
``meta.webform``, the attachment in the store). Answered by email (``REPLY_INSTEAD``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from email_validator import validate_email
from pydantic import ValidationError

from omnicase.channels.base import Adapter, InboxInput, ParseError, ParseResult
from omnicase.channels.registry import register
from omnicase.channels.webform.form import FormError, read_form
from omnicase.ingest.schema import InboundMessage, format_validation_error


class WebformAdapter(Adapter):
    channels: ClassVar[tuple[str, ...]] = ("webform",)
    settings: ClassVar[Mapping[str, type]] = {
        #: comma-separated contact reasons shown (default: the standard reasons)
        "reasons": str,
        #: the page's title (default: "Contact <brand>")
        "title": str,
    }

    def parse(self, item: InboxInput) -> ParseResult:
        try:
            form = read_form(item.body, str(item.headers.get("content-type", "")))
            email = validate_email(form.get("email"), check_deliverability=False).normalized
        except FormError as exc:
            raise ParseError(str(exc)) from None
        except ValueError as exc:
            raise ParseError(f"email: {exc}") from None
        order, reason = form.get("order_number"), form.get("reason")
        text = form.get("message")
        if order:
            text += f"\n\nOrder number: {order}"
        attachments: list[dict[str, Any]] = []
        if form.upload is not None:
            attachments.append(
                item.attachments.add(
                    form.upload.data, form.upload.filename, form.upload.content_type
                )
            )
        try:
            message = InboundMessage.model_validate(
                {
                    "brand": item.account.brand,
                    "channel": "webform",
                    "external_id": f"webform:{item.account.id}:{item.dedup_key}",
                    "received_at": item.received_at.isoformat(),
                    "from": {"email": email, "name": form.get("name") or None},
                    "subject": f"Web form: {reason}" if reason else "Web form",
                    "text": text,
                    "attachments": attachments,
                    "meta": {"webform": {"order_number": order or None, "reason": reason or None}},
                }
            )
        except ValidationError as exc:
            reasons = "; ".join(
                f"{e['field']}: {e['reason']}" for e in format_validation_error(exc)
            )
            raise ParseError(reasons) from None
        return ParseResult(messages=[message])


ADAPTER = register(WebformAdapter())
