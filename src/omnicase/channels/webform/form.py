"""Reading and checking a posted web form (multipart/form-data), pure: the edge uses it to
refuse bad input before storing anything, the adapter to build the canonical message from
the stored bytes. Standard library only (the ``email`` package reads multipart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from email_validator import EmailNotValidError, validate_email

from omnicase.channels.attachments import clean_content_type, safe_filename

#: The attachment's size limit (413 over it) and the whole body's.
MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_BODY = MAX_ATTACHMENT + 256 * 1024
MAX_MESSAGE = 20_000
HONEYPOT = "website"
FIELDS = ("name", "email", "order_number", "reason", "message", "token", HONEYPOT)


class FormError(ValueError):
    def __init__(self, field: str, reason: str, status: int = 422) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    upload: Upload | None = None

    def get(self, name: str) -> str:
        return self.fields.get(name, "").strip()


def read_form(body: bytes, content_type: str) -> Form:
    """The fields and the one attachment of a multipart/form-data body."""
    if (
        not content_type.lower().startswith("multipart/form-data")
        or "boundary=" not in content_type
    ):
        raise FormError("content-type", "must be multipart/form-data with a boundary", 415)
    if any(c in content_type for c in "\r\n"):
        raise FormError("content-type", "must be one line", 400)
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise FormError("body", "not a multipart body", 400)
    form = Form()
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "attachment":
            filename = part.get_filename()
            if filename and data:
                form.upload = Upload(
                    safe_filename(filename), clean_content_type(part.get_content_type()), data
                )
        elif name in FIELDS:
            charset = part.get_content_charset() or "utf-8"
            form.fields[name] = data.decode(charset, errors="replace")
    return form


def check_form(form: Form, reasons: tuple[str, ...]) -> None:
    """Each field's rule; the first one broken is named."""
    if not form.get("name"):
        raise FormError("name", "required")
    if len(form.get("name")) > 200:
        raise FormError("name", "at most 200 characters")
    try:
        validate_email(form.get("email"), check_deliverability=False)
    except EmailNotValidError as exc:
        raise FormError("email", str(exc)) from None
    if len(form.get("order_number")) > 64:
        raise FormError("order_number", "at most 64 characters")
    if form.get("reason") and form.get("reason") not in reasons:
        raise FormError("reason", f"one of {', '.join(reasons)}")
    if not form.get("message"):
        raise FormError("message", "required")
    if len(form.get("message")) > MAX_MESSAGE:
        raise FormError("message", f"at most {MAX_MESSAGE} characters")
    if form.upload is not None and len(form.upload.data) > MAX_ATTACHMENT:
        raise FormError("attachment", f"at most {MAX_ATTACHMENT} bytes", 413)
