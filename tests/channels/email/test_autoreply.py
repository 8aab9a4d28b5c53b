"""Auto-replies and bounces are recognised, with the evidence; people are people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omnicase.channels.email.autoreply import EmailKind, classify
from omnicase.channels.email.parse import parse_email, to_inbound
from tests.channels.email.conftest import AUTO

CASES = sorted(AUTO.glob("*.eml"))


def test_enough_fixtures_of_each_kind() -> None:
    kinds = [json.loads(p.with_suffix(".expected.json").read_text())["kind"] for p in CASES]
    assert len(CASES) >= 15
    assert kinds.count("auto_reply") >= 8 and kinds.count("bounce") >= 4
    assert kinds.count("human") >= 3


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    verdict = classify(parse_email(path.read_bytes(), brand="acme"))
    assert verdict.kind == EmailKind(expected["kind"])
    if verdict.kind is not EmailKind.human:
        assert verdict.evidence
    if "reason" in expected:
        assert verdict.reason == expected["reason"]
    if expected["kind"] == "bounce":
        bounce = verdict.bounce
        assert bounce is not None
        assert verdict.original_message_id == expected["original_message_id"]
        assert bounce.failed is expected["failed"]
        for key in ("recipient", "status", "action"):
            if key in expected:
                assert getattr(bounce, key) == expected[key], key


def test_bounce_meta_for_the_channel() -> None:
    raw = (AUTO / "bounce_postfix.eml").read_bytes()
    meta = to_inbound(parse_email(raw, brand="acme")).meta["email"]["classification"]
    assert meta["kind"] == "bounce"
    assert meta["bounce"]["original_message_id"] == "<case-123.reply-9@acme.example>"
    assert meta["bounce"]["failed"] is True
    assert meta["bounce"]["diagnostic"].startswith("550 5.1.1")
