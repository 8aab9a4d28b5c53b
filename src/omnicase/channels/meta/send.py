"""Replies out through the Graph API send endpoints.

Messenger/Instagram: ``POST /{page-or-ig-id}/messages`` with ``recipient.id``,
``messaging_type`` RESPONSE (or MESSAGE_TAG with ``tag``), ``message.text`` and our
``metadata`` (its echo is then known as ours); each attachment is one more message,
uploaded multipart. WhatsApp: ``POST /{phone-number-id}/messages`` with
``messaging_product: whatsapp``, ``type`` text or template; attachments are uploaded
with ``POST /{phone-number-id}/media`` first and sent as documents/images.
"""

from __future__ import annotations

import json
from typing import Any

from omnicase.channels.base import OutboundContext, SendResult
from omnicase.channels.meta.graph import REENGAGEMENT, Graph, GraphError
from omnicase.channels.meta.parse import OWN_METADATA

#: Longest text each platform takes in one message.
TEXT_LIMIT = {"messenger": 2000, "instagram": 1000, "whatsapp": 4096}


def _kind(content_type: str) -> str:
    major = content_type.split("/")[0]
    return major if major in ("image", "video", "audio") else "file"


def send_messaging(graph: Graph, out: OutboundContext) -> str:
    """Messenger/Instagram; the id of the text message."""
    path = f"{out.account.address}/messages"
    base: dict[str, Any] = {"recipient": {"id": out.recipient}, "messaging_type": "RESPONSE"}
    tag = out.options.get("tag")
    if tag:
        base = {**base, "messaging_type": "MESSAGE_TAG", "tag": tag}
    metadata = f"{OWN_METADATA}{out.external_id}"
    answer = graph.post_json(path, {**base, "message": {"text": out.text, "metadata": metadata}})
    mid = str(answer.get("message_id") or "")
    for attachment in out.attachments:
        message = {
            "attachment": {
                "type": _kind(attachment.content_type),
                "payload": {"is_reusable": False},
            }
        }
        form = {k: json.dumps(v) for k, v in base.items() if isinstance(v, dict)}
        form.update({k: v for k, v in base.items() if isinstance(v, str)})
        form["message"] = json.dumps(message)
        files = {
            "filedata": (
                attachment.filename,
                out.store.read(attachment.sha256),
                attachment.content_type,
            )
        }
        graph.request("POST", path, data=form, files=files)
    return mid


def _whatsapp_to(recipient: str) -> str:
    return recipient.removeprefix("+")


def send_whatsapp(graph: Graph, out: OutboundContext) -> str:
    path = f"{out.account.address}/messages"
    base = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": _whatsapp_to(out.recipient),
    }
    template = out.options.get("template")
    body: dict[str, Any]
    if template:
        params = [{"type": "text", "text": p} for p in template.get("parameters") or []]
        body = {
            "type": "template",
            "template": {
                "name": template["name"],
                "language": {"code": template["language"]},
                **({"components": [{"type": "body", "parameters": params}]} if params else {}),
            },
        }
    else:
        body = {"type": "text", "text": {"preview_url": False, "body": out.text}}
    answer = graph.post_json(path, {**base, **body})
    wamid = str(((answer.get("messages") or [{}])[0]).get("id") or "")
    for attachment in out.attachments:
        upload = graph.request(
            "POST",
            f"{out.account.address}/media",
            data={"messaging_product": "whatsapp", "type": attachment.content_type},
            files={
                "file": (
                    attachment.filename,
                    out.store.read(attachment.sha256),
                    attachment.content_type,
                )
            },
        ).json()
        kind = "image" if attachment.content_type.startswith("image/") else "document"
        media: dict[str, Any] = {"id": upload.get("id")}
        if kind == "document":
            media["filename"] = attachment.filename
        graph.post_json(path, {**base, "type": kind, kind: media})
    return wamid


def send(out: OutboundContext) -> SendResult:
    limit = TEXT_LIMIT.get(out.channel, 2000)
    if len(out.text) > limit and not out.options.get("template"):
        return SendResult.failed(f"{out.channel} takes at most {limit} characters per message")
    try:
        graph = Graph.of(out.account)
        if out.channel == "whatsapp":
            provider_id = send_whatsapp(graph, out)
        else:
            provider_id = send_messaging(graph, out)
    except GraphError as exc:
        message = str(exc)
        if exc.code == REENGAGEMENT:
            message += " (WhatsApp's 24-hour window closed: send a template)"
        return SendResult.retry(message) if exc.retry else SendResult.failed(message)
    return SendResult.sent(provider_id or None, provider="graph", provider_id=provider_id)
