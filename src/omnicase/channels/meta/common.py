"""What the Meta edge and adapter share: channel names, the signature check, the JSON
guards and the split of one webhook delivery into one inbox row per message/event."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

CHANNELS = ("messenger", "instagram", "whatsapp")
#: Webhook ``object`` → our channel.
OBJECTS = {"page": "messenger", "instagram": "instagram", "whatsapp_business_account": "whatsapp"}
DEFAULT_API_BASE = "https://graph.facebook.com/v19.0"
#: Meta's webhook deliveries are small (batched up to 1000 updates); refuse more.
MAX_BODY = 2 * 1024 * 1024
MAX_DEPTH = 32


class PayloadError(ValueError):
    """The body is not a Meta webhook payload (→ 400 with this reason)."""


def signature_ok(body: bytes, header: str | None, app_secret: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``, compared in
    constant time."""
    if not header or not header.startswith("sha256=") or not app_secret:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").strip().lower(), expected)


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send (tests, and the docs' curl example)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def depth(value: Any) -> int:
    """Nesting depth of parsed JSON, iteratively (a deep document cannot recurse us)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def load_payload(body: bytes) -> dict[str, Any]:
    """Parse and shape-check a webhook body; :class:`PayloadError` says why not."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError(f"body is not JSON: {exc}") from None
    if depth(data) > MAX_DEPTH:
        raise PayloadError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise PayloadError("body is not a JSON object")
    if not isinstance(data.get("object"), str) or data["object"] not in OBJECTS:
        raise PayloadError(f"object must be one of {', '.join(OBJECTS)}")
    if not isinstance(data.get("entry"), list):
        raise PayloadError("entry must be a list")
    return data


@dataclass(frozen=True, slots=True)
class Unit:
    """One message or event of a delivery: what one inbox row holds."""

    channel: str
    address: str  # page id, Instagram account id, WhatsApp phone_number_id
    dedup_key: str | None
    body: dict[str, Any]


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(f"{where} must be a list")
    return value


def messaging_key(item: dict[str, Any]) -> str | None:
    """The provider's id of one Messenger/Instagram ``messaging`` item."""
    for kind in ("message", "postback", "reaction"):
        mid = (item.get(kind) or {}).get("mid") if isinstance(item.get(kind), dict) else None
        if isinstance(mid, str) and mid:
            return f"{kind}:{mid}"
    sender = (item.get("sender") or {}).get("id") if isinstance(item.get("sender"), dict) else None
    for kind in ("read", "delivery"):
        part = item.get(kind)
        if isinstance(part, dict):
            mark = part.get("mid") or part.get("watermark") or ",".join(part.get("mids") or [])
            return f"{kind}:{sender}:{mark}"
    return None


def split(data: dict[str, Any]) -> list[Unit]:
    """One unit per messaging item (Messenger/Instagram) or per message/status
    (WhatsApp), each a self-contained payload of the same shape as Meta's."""
    try:
        return _split(data)
    except (AttributeError, TypeError, KeyError) as exc:
        raise PayloadError(f"unexpected payload shape: {type(exc).__name__}: {exc}") from None


def _split(data: dict[str, Any]) -> list[Unit]:
    channel = OBJECTS[data["object"]]
    units: list[Unit] = []
    for i, raw in enumerate(data["entry"]):
        entry = _dict(raw, f"entry[{i}]")
        if channel == "whatsapp":
            units.extend(_whatsapp_units(data["object"], entry, i))
            continue
        address = str(entry.get("id") or "")
        if not address:
            raise PayloadError(f"entry[{i}].id is missing")
        items = _list(entry.get("messaging"), f"entry[{i}].messaging")
        items += _list(entry.get("standby"), f"entry[{i}].standby")
        for j, item in enumerate(items):
            item = _dict(item, f"entry[{i}].messaging[{j}]")
            body = {
                "object": data["object"],
                "entry": [{"id": address, "time": entry.get("time"), "messaging": [item]}],
            }
            units.append(Unit(channel, address, messaging_key(item), body))
        for change in _list(entry.get("changes"), f"entry[{i}].changes"):
            body = {"object": data["object"], "entry": [{"id": address, "changes": [change]}]}
            units.append(Unit(channel, address, None, body))
    return units


def _whatsapp_units(obj: str, entry: dict[str, Any], i: int) -> list[Unit]:
    units: list[Unit] = []
    wid = entry.get("id")
    for j, raw in enumerate(_list(entry.get("changes"), f"entry[{i}].changes")):
        change = _dict(raw, f"entry[{i}].changes[{j}]")
        value = _dict(change.get("value"), f"entry[{i}].changes[{j}].value")
        metadata = _dict(value.get("metadata"), f"entry[{i}].changes[{j}].value.metadata")
        address = str(metadata.get("phone_number_id") or "")
        if not address:
            raise PayloadError(f"entry[{i}].changes[{j}].value.metadata.phone_number_id is missing")
        base = {k: v for k, v in value.items() if k not in ("messages", "statuses")}
        shell = {"object": obj, "id": wid, "field": change.get("field"), "address": address}

        messages = _list(value.get("messages"), "value.messages")
        statuses = _list(value.get("statuses"), "value.statuses")
        for message in messages:
            mid = message.get("id") if isinstance(message, dict) else None
            units.append(
                _unit(shell, base, f"message:{mid}" if mid else None, {"messages": [message]})
            )
        for status in statuses:
            ok = isinstance(status, dict)
            key = f"status:{status.get('id')}:{status.get('status')}" if ok else None
            units.append(_unit(shell, base, key, {"statuses": [status]}))
        if not messages and not statuses:
            units.append(_unit(shell, base, None, {}))
    return units


def _unit(
    shell: dict[str, Any], base: dict[str, Any], key: str | None, extra: dict[str, Any]
) -> Unit:
    change = {"field": shell["field"], "value": {**base, **extra}}
    body = {"object": shell["object"], "entry": [{"id": shell["id"], "changes": [change]}]}
    return Unit("whatsapp", shell["address"], key, body)
