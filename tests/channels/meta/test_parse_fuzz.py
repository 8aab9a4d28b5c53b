"""Mutated Meta payloads: the edge answers PayloadError (400) or splits them, the parser
answers a result or ParseError (quarantine) — never a crash that would be retried."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.base import Account, InboxInput, ParseError
from omnicase.channels.meta.common import PayloadError, load_payload, split
from omnicase.channels.meta.parse import parse
from tests.channels.meta.conftest import FIXTURES

PAYLOADS = sorted(FIXTURES.glob("*.json"))
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


def replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = replace(value[head], rest, new)
    return copy


def item(body: bytes, tmp: Path) -> InboxInput:
    account = Account(1, "acme", "Acme", "messenger", "Page", "1", {}, {})
    return InboxInput(
        1, "messenger", account, datetime.now(UTC), {}, body, "k", AttachmentStore(tmp)
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@pytest.mark.slow
@given(data=st.data())
def test_mutated_payloads_are_refused_or_parsed_never_crash(
    data: st.DataObject, tmp_path: Path
) -> None:
    payload = json.loads(data.draw(st.sampled_from(PAYLOADS)).read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(payload)[1:]))
        payload = replace(payload, path, data.draw(values))
    body = json.dumps(payload).encode()
    try:
        units = split(load_payload(body))
    except PayloadError:
        return
    for unit in units:
        with contextlib.suppress(ParseError):
            parse(item(json.dumps(unit.body).encode(), tmp_path))
