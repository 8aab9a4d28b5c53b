"""``omnicase eval replies``: the labelled reply set and its figures."""

from __future__ import annotations

from typer.testing import CliRunner

from omnicase.channels.email.evaluate import evaluate_replies, token_f1
from omnicase.cli import app
from tests.channels.email.conftest import REPLIES


def test_fixture_set_shape() -> None:
    dev = sorted(REPLIES.glob("*.eml"))
    held = sorted((REPLIES / "heldout").glob("*.eml"))
    assert len(dev) + len(held) >= 60
    assert 0.2 <= len(held) / (len(dev) + len(held)) <= 0.3
    for path in dev + held:
        assert path.with_name(f"{path.stem}.expected.txt").read_text(encoding="utf-8").strip()


def test_floors() -> None:
    """Floors at today's levels less one message; the targets are 1.0."""
    splits = evaluate_replies(REPLIES)
    assert splits["dev"].accuracy >= 59 / 60, splits["dev"].mistakes
    assert splits["heldout"].accuracy >= 15 / 16
    assert splits["dev"].f1 >= 0.99 and splits["heldout"].f1 >= 0.98


def test_token_f1() -> None:
    assert token_f1("a b c", "a b c") == 1.0
    assert token_f1("", "") == 1.0
    assert token_f1("a b", "c d") == 0.0
    assert round(token_f1("a b c d", "a b"), 4) == round(2 * 0.5 * 1 / 1.5, 4)


def test_cli_prints_both_splits() -> None:
    result = CliRunner().invoke(app, ["eval", "replies", str(REPLIES)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("dev ") and "exact=" in lines[0] and "token_f1=" in lines[0]
    assert lines[1].startswith("heldout ")
