"""Checks on routing configuration, each failing with the field and the reason.

Refused: unknown channels / reasons / languages / channel kinds, a queue rule that can
never match (an earlier rule catches every case it would), an overflow rule whose
engagement is not the brand's or is over, or whose scope and engagement share no channel,
queue or reason (it could never hand a case over).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from omnicase.ingest.schema import Channel
from omnicase.model import Engagement, OverflowKind
from omnicase.routing.rules import KINDS, QueueRule
from omnicase.services.cases import ActionError
from omnicase.understand._lexicon import REASONS

CHANNELS = frozenset(c.value for c in Channel)
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANG_RE = re.compile(r"^[a-z]{2}$")
RULE_KEYS = frozenset({"channels", "reasons", "languages", "customer_tags", "min_priority"})
SCOPE_KEYS = frozenset({"queues", "channels", "reasons"})
KIND_KEYS: Mapping[str, frozenset[str]] = {
    OverflowKind.wait_over: frozenset({"seconds"}),
    OverflowKind.backlog_over: frozenset({"cases"}),
    OverflowKind.outside_hours: frozenset({"team_id"}),
    OverflowKind.channel_or_reason: frozenset(),
    OverflowKind.share: frozenset({"percent"}),
}


def fail(field: str, reason: str) -> ActionError:
    return ActionError(f"{field}: {reason}", field=field, status=422)


def brand_reasons(brand_settings: Mapping[str, Any] | None) -> frozenset[str]:
    """The default taxonomy plus the brand's own reasons (``settings.reasons``)."""
    extra = (brand_settings or {}).get("reasons") or []
    return frozenset(REASONS) | frozenset(str(r) for r in extra)


def _strings(field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise fail(field, "a list of non-empty strings")
    return list(dict.fromkeys(value))


def check_values(field: str, values: Sequence[str], known: frozenset[str], what: str) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise fail(
            field, f"unknown {what} {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )


def check_languages(field: str, values: Sequence[str]) -> None:
    bad = [v for v in values if not LANG_RE.match(v)]
    if bad:
        raise fail(field, f"{', '.join(bad)} is not a two-letter language code (fr, en…)")


def clean_queue_rules(raw: Any, reasons: frozenset[str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise fail("rules", "a list of rules")
    out: list[dict[str, Any]] = []
    for i, rule in enumerate(raw):
        where = f"rules[{i}]"
        if not isinstance(rule, dict):
            raise fail(where, "a rule is an object")
        extra = set(rule) - RULE_KEYS
        if extra:
            raise fail(where, f"unknown field {', '.join(sorted(extra))}")
        channels = _strings(f"{where}.channels", rule.get("channels"))
        check_values(f"{where}.channels", channels, CHANNELS, "channel")
        rule_reasons = _strings(f"{where}.reasons", rule.get("reasons"))
        check_values(f"{where}.reasons", rule_reasons, reasons, "reason")
        languages = _strings(f"{where}.languages", rule.get("languages"))
        check_languages(f"{where}.languages", languages)
        tags = [t.lower() for t in _strings(f"{where}.customer_tags", rule.get("customer_tags"))]
        min_priority = rule.get("min_priority")
        if min_priority is not None and (
            not isinstance(min_priority, int) or isinstance(min_priority, bool)
        ):
            raise fail(f"{where}.min_priority", "an integer")
        cleaned: dict[str, Any] = {
            "channels": channels,
            "reasons": rule_reasons,
            "languages": languages,
            "customer_tags": tags,
        }
        if min_priority is not None:
            cleaned["min_priority"] = min_priority
        out.append(cleaned)
    return out


def covers(earlier: QueueRule, later: QueueRule) -> bool:
    """Every case ``later`` matches, ``earlier`` matches too (so ``later`` never wins)."""

    def wider(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        return not a or (bool(b) and set(b) <= set(a))

    return (
        wider(earlier.channels, later.channels)
        and wider(earlier.reasons, later.reasons)
        and wider(earlier.languages, later.languages)
        and wider(earlier.customer_tags, later.customer_tags)
        and (earlier.min_priority is None or (later.min_priority or 0) >= earlier.min_priority)
        and (earlier.min_priority is None or later.min_priority is not None)
    )


def check_reachable(ordered: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], key: str) -> None:
    """Refuse rules of queue ``key`` that an earlier rule (any queue) always beats."""
    seen: list[tuple[str, int, QueueRule]] = []
    for queue_key, rules in ordered:
        for i, raw in enumerate(rules):
            rule = QueueRule.of(raw)
            if queue_key == key:
                for other_key, j, other in seen:
                    if covers(other, rule):
                        raise fail(
                            f"rules[{i}]",
                            f"can never match: rule {j} of queue {other_key!r} "
                            "takes every case it would",
                        )
            seen.append((queue_key, i, rule))


def clean_overflow(
    kind: str,
    params: Any,
    engagement: Engagement | None,
    brand_id: int,
    brand_reason_set: frozenset[str],
    queue_keys: frozenset[str],
    brand_team_ids: frozenset[int],
    today: date,
) -> dict[str, Any]:
    if kind not in KIND_KEYS:
        raise fail("kind", f"one of {', '.join(KIND_KEYS)}")
    if not isinstance(params, dict):
        raise fail("params", "an object")
    extra = set(params) - SCOPE_KEYS - KIND_KEYS[kind]
    if extra:
        raise fail("params", f"unknown for {kind}: {', '.join(sorted(extra))}")
    if engagement is None or engagement.brand_id != brand_id:
        raise fail("engagement_id", "the provider team has no engagement with this brand")
    if engagement.ends_on is not None and engagement.ends_on < today:
        raise fail("engagement_id", f"the engagement ended on {engagement.ends_on.isoformat()}")
    out: dict[str, Any] = {}
    for key, known, what in (
        ("channels", CHANNELS, "channel"),
        ("reasons", brand_reason_set, "reason"),
        ("queues", queue_keys, "queue"),
    ):
        values = _strings(f"params.{key}", params.get(key))
        check_values(f"params.{key}", values, known, what)
        allowed = list(getattr(engagement, key) or [])
        if values and allowed and not set(values) & set(allowed):
            raise fail(
                f"params.{key}",
                f"can never hand a case over: the engagement covers only {', '.join(allowed)}",
            )
        out[key] = values
    if kind == OverflowKind.wait_over:
        out["seconds"] = _positive(params, "seconds")
    elif kind == OverflowKind.backlog_over:
        out["cases"] = _positive(params, "cases", zero=True)
    elif kind == OverflowKind.share:
        percent = params.get("percent", engagement.share_percent)
        if not isinstance(percent, int) or not 1 <= percent <= 100:
            raise fail(
                "params.percent", "a whole percentage from 1 to 100 (or set the engagement's)"
            )
        out["percent"] = percent
    elif kind == OverflowKind.outside_hours:
        team = params.get("team_id")
        if team is not None and team not in brand_team_ids:
            raise fail("params.team_id", "not one of the brand's own teams")
        out["team_id"] = team
    elif kind == OverflowKind.channel_or_reason and not (out["channels"] or out["reasons"]):
        raise fail("params", "name the channels or reasons outsourced")
    return out


def _positive(params: Mapping[str, Any], key: str, zero: bool = False) -> int:
    value = params.get(key)
    low = 0 if zero else 1
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise fail(f"params.{key}", f"a whole number ≥ {low}")
    return value


def clean_capacity(field: str, raw: Any) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise fail(field, "an object of channel kind → cases")
    unknown = set(raw) - set(KINDS)
    if unknown:
        raise fail(
            field, f"unknown channel kind {', '.join(sorted(unknown))} (use {', '.join(KINDS)})"
        )
    for kind, value in raw.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise fail(f"{field}.{kind}", "a whole number from 0 to 100")
    return {k: int(v) for k, v in raw.items()}
