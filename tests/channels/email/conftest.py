"""Fixture paths of the email tests."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
REPLIES = FIXTURES / "replies"
AUTO = FIXTURES / "auto"
HOSTILE = FIXTURES / "hostile"
