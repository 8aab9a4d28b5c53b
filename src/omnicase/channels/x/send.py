"""Replies on X: a DM (``POST /2/dm_conversations/with/{participant_id}/messages``) or a
public reply (``POST /2/tweets`` with ``reply.in_reply_to_tweet_id``), with the account's
OAuth 2 user token as bearer.

Which one (``reply_mode`` setting): ``last`` (default) answers on the form the customer
used last (their latest message a DM → DM, a post → public reply to it); ``dm`` always
answers in private; ``public`` replies to the customer's latest post of the case (a DM
when there is none). A public reply over 280 characters is refused (permanent failure
saying so) rather than cut; a DM is at most 10,000 characters.
"""

from __future__ import annotations

from typing import Any

import httpx

from omnicase.channels.base import OutboundContext, SendResult

DEFAULT_API = "https://api.x.com"
REPLY_MODES = ("last", "dm", "public")
MAX_POST = 280
MAX_DM = 10_000
TIMEOUT = 20.0


def reply_target(outbound: OutboundContext) -> str | None:
    """The post to reply to publicly, or None for a DM."""
    mode = str(outbound.account.settings.get("reply_mode") or "last")
    if mode == "dm":
        return None
    latest = outbound.in_reply_to or ""
    if mode == "last":
        return latest.removeprefix("tweet:") if latest.startswith("tweet:") else None
    posts = [e for e in outbound.thread if e.startswith("tweet:")]
    return posts[-1].removeprefix("tweet:") if posts else None


def send_x(outbound: OutboundContext) -> SendResult:
    account = outbound.account
    token = account.secrets.get("access_token", "")
    if not token:
        return SendResult.failed("the X account has no access_token")
    base = str(account.settings.get("api_base") or DEFAULT_API).rstrip("/")
    tweet = reply_target(outbound)
    body: dict[str, Any]
    if tweet is not None:
        if len(outbound.text) > MAX_POST:
            return SendResult.failed(
                f"a public reply is at most {MAX_POST} characters (this one has "
                f"{len(outbound.text)}): shorten it or set reply_mode to dm"
            )
        url, body = (
            f"{base}/2/tweets",
            {"text": outbound.text, "reply": {"in_reply_to_tweet_id": tweet}},
        )
    else:
        if len(outbound.text) > MAX_DM:
            return SendResult.failed(f"a DM is at most {MAX_DM} characters")
        url = f"{base}/2/dm_conversations/with/{outbound.recipient}/messages"
        body = {"text": outbound.text}
    try:
        response = httpx.post(
            url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
        )
    except httpx.HTTPError as exc:
        return SendResult.retry(f"X unreachable: {type(exc).__name__}")
    return _outcome(response, tweet is not None)


def _outcome(response: httpx.Response, public: bool) -> SendResult:
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    data = payload.get("data") if isinstance(payload, dict) else None
    if response.status_code in (200, 201) and isinstance(data, dict):
        if public and data.get("id"):
            return SendResult.sent(f"tweet:{data['id']}", form="public")
        if not public and data.get("dm_event_id"):
            return SendResult.sent(
                f"dm:{data['dm_event_id']}",
                form="dm",
                dm_conversation_id=str(data.get("dm_conversation_id", "")),
            )
    detail = f"X answered {response.status_code}"
    if isinstance(payload, dict) and (payload.get("detail") or payload.get("title")):
        detail += f": {str(payload.get('detail') or payload.get('title'))[:200]}"
    if response.status_code == 429 or response.status_code >= 500:
        return SendResult.retry(detail)
    return SendResult.failed(detail)
