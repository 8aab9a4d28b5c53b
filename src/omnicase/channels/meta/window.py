"""Meta's messaging windows, checked when the agent replies (so the refusal is a 422 at
once, not a failed message minutes later).

* WhatsApp: free text only within 24 hours of the customer's last WhatsApp message;
  outside it only an approved template (``options.template``).
* Messenger and Instagram: within 24 hours a normal response; up to 7 days with the
  ``HUMAN_AGENT`` tag (``options.tag``; Messenger also takes its three update tags).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from omnicase.channels.base import ReplyRefused

DAY = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)
TAGS = {
    "messenger": (
        "HUMAN_AGENT",
        "ACCOUNT_UPDATE",
        "POST_PURCHASE_UPDATE",
        "CONFIRMED_EVENT_UPDATE",
    ),
    "instagram": ("HUMAN_AGENT",),
}


def check_template(template: Any) -> None:
    if not isinstance(template, Mapping):
        raise ReplyRefused("options.template", "must be an object {name, language, parameters}")
    unknown = set(template) - {"name", "language", "parameters"}
    if unknown:
        raise ReplyRefused("options.template", f"unknown keys: {', '.join(sorted(unknown))}")
    for key in ("name", "language"):
        value = template.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 512:
            raise ReplyRefused(f"options.template.{key}", "must be a non-empty string")
    params = template.get("parameters", [])
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise ReplyRefused("options.template.parameters", "must be a list of strings")


def check_reply(
    channel: str, options: Mapping[str, Any], last_inbound_at: datetime | None, now: datetime
) -> None:
    """Refuse a reply the platform would refuse, naming the rule."""
    allowed = {"whatsapp": {"template"}}.get(channel, {"tag"})
    unknown = set(options) - allowed
    if unknown:
        raise ReplyRefused(
            "options",
            f"{channel} replies take {', '.join(sorted(allowed))} only, "
            f"not {', '.join(sorted(unknown))}",
        )
    age = now - last_inbound_at if last_inbound_at is not None else None
    since = (
        f"the customer last wrote on {channel} at {last_inbound_at.isoformat()}"
        if last_inbound_at
        else f"the customer has never written on {channel}"
    )
    if channel == "whatsapp":
        if "template" in options:
            check_template(options["template"])
            return
        if age is None or age > DAY:
            raise ReplyRefused(
                "options.template",
                f"WhatsApp's 24-hour customer-service window is closed ({since}): only a "
                "template message may be sent; give options.template {name, language, parameters}",
            )
        return
    tag = options.get("tag")
    if tag is not None and tag not in TAGS[channel]:
        raise ReplyRefused("options.tag", f"one of {', '.join(TAGS[channel])}")
    if age is not None and age <= DAY:
        return
    if tag is None:
        raise ReplyRefused(
            "options.tag",
            f"{channel.capitalize()}'s 24-hour standard messaging window is closed ({since}): "
            "an agent may still answer within 7 days with options.tag HUMAN_AGENT",
        )
    if tag == "HUMAN_AGENT" and (age is None or age > HUMAN_AGENT_WINDOW):
        raise ReplyRefused(
            "options.tag", f"the HUMAN_AGENT tag allows answers within 7 days only ({since})"
        )
