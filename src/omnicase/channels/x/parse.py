"""Account Activity deliveries → canonical messages.

A delivery is ``{"for_user_id": <our account's id>, "<kind>_events": [...], "users":
{...}}``. What becomes a message:

* ``direct_message_events`` (``message_create``): external id ``dm:<event id>``,
  conversation ``x-dm:<customer id>``. Sent by the customer → inbound; sent by our own
  account (an agent answering in X's app, or the echo of a reply we sent) → outbound to
  the customer (the echo of ours is a duplicate of our message's ``dm:<id>``).
* ``tweet_create_events``: a mention of or a reply to our account → inbound
  ``tweet:<id>``, threaded by ``in_reply_to_status_id`` (``tweet:<that id>``); our own
  reply to a customer → outbound; our own posts that answer nobody, retweets → events.
* ``direct_message_mark_read_events`` → ``read`` status of our DM; the other kinds
  (likes, follows, typing…) → events with counts only.

**Identity**: the customer's ``x`` identity is their stable numeric user id (a handle
can be renamed and then given to someone else), so a public mention and a later DM of
the same person are one customer. The handle is kept as ``meta.x.handle``, and is the
party's name when the profile has no display name (``is_handle`` then lets the
refer-back rules treat it as a handle); ``normalise_handle`` leaves digits as they are.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from omnicase.channels.base import ChannelEvent, InboxInput, ParseError, ParseResult, StatusUpdate
from omnicase.ingest.schema import InboundMessage

MAX_DEPTH = 32


def check_depth(value: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise ParseError(f"JSON nested deeper than {limit} levels")
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))


def load_delivery(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON: {str(exc)[:200]}") from None
    if not isinstance(data, dict):
        raise ParseError("an Account Activity delivery is a JSON object")
    check_depth(data)
    if not isinstance(data.get("for_user_id"), str | int):
        raise ParseError("for_user_id is missing")
    return data


def _ms(value: Any, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # OSError: out of range
        return default


def _party(
    users: dict[str, Any], user_id: str, fallback: dict[str, Any] | None = None
) -> dict[str, Any]:
    profile = users.get(user_id) if isinstance(users.get(user_id), dict) else fallback or {}
    assert isinstance(profile, dict)
    handle = str(profile.get("screen_name") or "")[:100]
    name = str(profile.get("name") or "").strip()[:200] or (f"@{handle}" if handle else None)
    return {"x": user_id, "name": name, "_handle": handle}


def _message(
    item: InboxInput, external_id: str, customer: dict[str, Any], inbound: bool, **fields: Any
) -> InboundMessage:
    handle = customer.pop("_handle", "")
    party = {k: v for k, v in customer.items() if v}
    meta = {"x": {"user_id": customer["x"], "handle": handle, **fields.pop("x_meta", {})}}
    try:
        return InboundMessage.model_validate(
            {
                "brand": item.account.brand,
                "channel": "x",
                "external_id": external_id,
                "direction": "inbound" if inbound else "outbound",
                "from" if inbound else "to": party,
                "meta": meta,
                **fields,
            }
        )
    except ValueError as exc:
        raise ParseError(f"{external_id}: {exc}") from None


def parse_delivery(item: InboxInput) -> ParseResult:
    data = load_delivery(item.body)
    ours = str(data["for_user_id"])
    if ours != item.account.address:
        raise ParseError(f"for_user_id {ours[:30]} is not this account's user id")
    users = data.get("users") if isinstance(data.get("users"), dict) else {}
    assert isinstance(users, dict)
    out = ParseResult()
    for event in _list(data, "direct_message_events"):
        _dm(item, ours, users, event, out)
    for tweet in _list(data, "tweet_create_events"):
        _tweet(item, ours, tweet, out)
    for read in _list(data, "direct_message_mark_read_events"):
        last = read.get("last_read_event_id")
        if last and str(read.get("sender_id")) != ours:
            out.statuses.append(StatusUpdate("x", f"dm:{last}", "read"))
    for key, value in data.items():
        known = ("direct_message_events", "tweet_create_events", "direct_message_mark_read_events")
        if key.endswith("_events") and key not in known and isinstance(value, list):
            out.events.append(ChannelEvent(f"x.{key[:-7][:40]}", {"count": len(value)}))
    return out


def _list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ParseError(f"{key} must be a list")
    return [v for v in value if isinstance(v, dict)]


def _dm(
    item: InboxInput, ours: str, users: dict[str, Any], event: dict[str, Any], out: ParseResult
) -> None:
    if event.get("type") != "message_create":
        out.events.append(ChannelEvent("x.dm_event", {"type": str(event.get("type"))[:40]}))
        return
    create = event.get("message_create")
    if not isinstance(create, dict) or not event.get("id"):
        raise ParseError("a message_create event needs id and message_create")
    sender = str(create.get("sender_id") or "")
    target = create.get("target") if isinstance(create.get("target"), dict) else {}
    assert isinstance(target, dict)
    recipient = str(target.get("recipient_id") or "")
    data = create.get("message_data") if isinstance(create.get("message_data"), dict) else {}
    assert isinstance(data, dict)
    inbound = sender != ours
    customer_id = sender if inbound else recipient
    if not customer_id:
        raise ParseError(f"dm:{event['id']}: no sender_id / recipient_id")
    media = _dm_media(data)
    text = str(data.get("text") or "") or ("\n".join(f"[media] {m}" for m in media) or None)
    out.messages.append(
        _message(
            item,
            f"dm:{event['id']}",
            _party(users, customer_id),
            inbound,
            received_at=_ms(event.get("created_timestamp"), item.received_at).isoformat(),
            text=text,
            thread={"conversation_id": f"x-dm:{customer_id}"},
            x_meta={"kind": "dm", "media": media},
        )
    )


def _dm_media(data: dict[str, Any]) -> list[str]:
    attachment = data.get("attachment")
    if isinstance(attachment, dict) and isinstance(attachment.get("media"), dict):
        url = attachment["media"].get("media_url_https") or attachment["media"].get("url")
        return [str(url)[:1000]] if url else []
    return []


def _tweet_time(tweet: dict[str, Any], default: datetime) -> datetime:
    if tweet.get("timestamp_ms"):
        return _ms(tweet["timestamp_ms"], default)
    try:
        return parsedate_to_datetime(str(tweet.get("created_at")))
    except (TypeError, ValueError, OverflowError):  # found by fuzzing: a year of 20 digits
        return default


def _tweet(item: InboxInput, ours: str, tweet: dict[str, Any], out: ParseResult) -> None:
    user = tweet.get("user") if isinstance(tweet.get("user"), dict) else {}
    assert isinstance(user, dict)
    author = str(user.get("id_str") or user.get("id") or "")
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
    if not author or not tweet_id:
        raise ParseError("a tweet needs id_str and user.id_str")
    if "retweeted_status" in tweet:
        out.events.append(ChannelEvent("x.retweet", {"tweet": tweet_id}))
        return
    parent = tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
    inbound = author != ours
    if inbound:
        customer = _party({}, author, user)
    else:
        replied_to = str(tweet.get("in_reply_to_user_id_str") or "")
        if not replied_to or replied_to == ours:
            out.events.append(ChannelEvent("x.own_post", {"tweet": tweet_id}))
            return
        customer = {
            "x": replied_to,
            "name": None,
            "_handle": str(tweet.get("in_reply_to_screen_name") or ""),
        }
    extended = tweet.get("extended_tweet") if isinstance(tweet.get("extended_tweet"), dict) else {}
    assert isinstance(extended, dict)
    text = extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or ""
    out.messages.append(
        _message(
            item,
            f"tweet:{tweet_id}",
            customer,
            inbound,
            received_at=_tweet_time(tweet, item.received_at).isoformat(),
            text=str(text),
            thread={"in_reply_to": f"tweet:{parent}" if parent else None},
            x_meta={"kind": "tweet", "tweet_id": tweet_id},
        )
    )
