"""Twilio's wire conventions shared by the SMS and phone channels: the form body and the
``X-Twilio-Signature`` check.

The signature (Twilio's documented algorithm): take the full URL Twilio called (scheme,
host, path, query), append every POST parameter sorted by name as ``name + value`` (a
name sent several times: each of its distinct values, sorted), HMAC-SHA1 the UTF-8 string
with the account's auth token, base64. Twilio's own libraries also accept the URL with
the default port added or removed; so do we.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import SplitResult, parse_qsl, urlsplit, urlunsplit

#: Form bodies above this many fields are refused (Twilio sends a few dozen).
MAX_FIELDS = 200


class FormError(ValueError):
    """A body that is not a well-formed ``application/x-www-form-urlencoded`` form."""


def parse_form(body: bytes) -> list[tuple[str, str]]:
    """The form's (name, value) pairs in order; :class:`FormError` with the reason."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise FormError("the form body is not UTF-8") from None
    if not text.strip():
        return []
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_FIELDS
        )
    except ValueError as exc:
        raise FormError(f"not a url-encoded form ({exc})") from None
    return pairs


def form_dict(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The first value of each name (Twilio sends each name once)."""
    out: dict[str, str] = {}
    for name, value in pairs:
        out.setdefault(name, value)
    return out


def twilio_signature(auth_token: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """Base64 HMAC-SHA1 of the URL and the sorted parameters, keyed by the auth token."""
    values: dict[str, set[str]] = {}
    for name, value in params:
        values.setdefault(name, set()).add(value)
    data = url + "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _port_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    variants = [url]
    if default is None or not parts.hostname:
        return variants
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is None:
        variants.append(urlunsplit(SplitResult(parts.scheme, f"{host}:{default}", *parts[2:])))
    elif parts.port == default:
        variants.append(urlunsplit(SplitResult(parts.scheme, host, *parts[2:])))
    return variants


def twilio_signature_ok(
    auth_token: str, url: str, params: Sequence[tuple[str, str]], signature: str
) -> bool:
    """Constant-time comparison against the URL as called, with and without its default
    port (Twilio's libraries do the same)."""
    if not auth_token or not signature:
        return False
    ok = False
    for variant in _port_variants(url):
        expected = twilio_signature(auth_token, variant, params)
        ok |= hmac.compare_digest(expected.encode(), signature.strip().encode())
    return ok
