"""``analyse()`` end to end: the object the ingestion pipeline stores for every message."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnicase.understand as understand
from omnicase.understand import (
    DEFAULT_REASONS,
    LANGUAGES,
    MAX_CHARS,
    Amount,
    Analysis,
    Entities,
    analyse,
    compile_order_patterns,
)

ACME = compile_order_patterns([r"A-\d{5}"])


def test_public_api() -> None:
    for name in (
        "DEFAULT_REASONS",
        "Amount",
        "Entities",
        "Analysis",
        "OrderMatcher",
        "compile_order_patterns",
        "extract_entities",
        "detect_language",
        "classify_reason",
        "analyse",
        "fold",
    ):
        assert name in understand.__all__
        assert hasattr(understand, name)


def test_typical_french_complaint() -> None:
    result = analyse(
        "Bonjour,\n\nMa commande A-10492 n'est toujours pas livrée depuis 3 semaines, le suivi "
        "Colissimo 6A12345678901 ne bouge plus. C'est la troisième fois que je vous écris, "
        "c'est inadmissible ! Vous pouvez me joindre au 06 12 34 56 78.\n\nCordialement,\n"
        "Julie Martin",
        ACME,
    )
    assert result.language == "fr"
    assert result.reason == "delivery"
    assert result.reason_confidence >= 0.4
    assert result.entities.order_numbers == ("A-10492",)
    assert result.entities.tracking_numbers == ("6A12345678901",)
    assert result.entities.phones == ("06 12 34 56 78",)
    assert result.entities.delays == ("depuis 3 semaines",)
    assert result.signals == ("anger", "repeat_contact")
    assert result.urgency == 2
    assert {"command", "livr", "colissimo"} <= result.keywords
    assert "bonjour" not in result.keywords and "cordial" not in result.keywords


def test_typical_english_chase() -> None:
    result = analyse("Hi, any update on my refund of £35 for order a10492? Still waiting.", ACME)
    assert result.language == "en"
    assert result.reason == "refund"
    assert result.follow_up is True
    assert result.entities.amounts == (Amount(Decimal("35"), "GBP"),)
    assert result.entities.order_numbers == ("A-10492",)
    assert result.urgency == 0


def test_sms_style_message() -> None:
    result = analyse("bjr ma cmd a10492 est tjrs pas arrivee ca fait 10 jours !!!", ACME)
    assert result.language == "fr"
    assert result.reason == "delivery"
    assert result.entities.order_numbers == ("A-10492",)
    assert result.entities.delays == ("ca fait 10 jours",)
    assert "anger" in result.signals


@pytest.mark.parametrize("text", ["", "   ", "\n", "?", "😀", "A-10492", "ok"])
def test_degenerate_messages(text: str) -> None:
    result = analyse(text, ACME)
    assert isinstance(result, Analysis)
    assert result.reason in DEFAULT_REASONS
    assert 0.0 <= result.reason_confidence <= 1.0
    assert result.urgency == 0
    assert result.language is None


def test_empty_message_is_neutral() -> None:
    assert analyse("") == Analysis(
        language=None,
        reason="other",
        reason_confidence=0.1,
        entities=Entities(),
        follow_up=False,
        urgency=0,
        signals=(),
        keywords=frozenset(),
    )


def test_unicode_and_other_scripts() -> None:
    result = analyse("Здравствуйте, где мой заказ? 😡 A-10492", ACME)
    assert result.entities.order_numbers == ("A-10492",)
    assert result.language is None
    assert "заказ" in result.keywords


def test_very_long_message_is_bounded() -> None:
    head = "Bonjour, commande A-10492 jamais livrée, je veux être remboursée. "
    text = head + ("bla " * 200_000) + " commande A-99999"
    result = analyse(text, ACME)
    assert result.entities.order_numbers == ("A-10492",)  # the tail is past MAX_CHARS
    assert len(text) > MAX_CHARS
    assert result.reason in ("delivery", "refund")


def test_result_is_immutable_and_hashable() -> None:
    result = analyse("mon colis n'est pas arrivé", ACME)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.reason = "other"  # type: ignore[misc]
    assert hash(result) == hash(analyse("mon colis n'est pas arrivé", ACME))


def test_deterministic_across_calls() -> None:
    text = "Any news? My parcel XX123456789FR has been stuck for 2 weeks, I paid $20 for express."
    first = analyse(text)
    for _ in range(3):
        assert analyse(text) == first


def test_without_brand_patterns_uses_generic_order_numbers() -> None:
    assert analyse("order #45821 never arrived").entities.order_numbers == ("45821",)
    assert analyse("commande 123456").entities.order_numbers == ("123456",)


_FRAGMENTS = [
    "depuis ",
    " jours",
    "06 12 34 56 78",
    " sous 48h ",
    "A-10492",
    "49,90 €",
    " julie@example.fr ",
    "6A12345678901",
    "İ",
    "œ",
    "😀",
    "e\u0301",
    "n°",
]
_MESSY_TEXT = st.lists(
    st.one_of(st.text(max_size=8), st.sampled_from(_FRAGMENTS)), max_size=40
).map("".join)


@settings(max_examples=300, deadline=None, database=None)
@given(_MESSY_TEXT)
def test_never_fails_and_returns_slices_of_the_input(text: str) -> None:
    result = analyse(text, ACME)
    assert result.language in (*LANGUAGES, None)
    assert result.reason in DEFAULT_REASONS
    assert 0.0 <= result.reason_confidence <= 1.0
    assert result.urgency in (0, 1, 2)
    collapsed = " ".join(text.split())
    for written in result.entities.phones:
        assert written in text
    for delay in result.entities.delays:
        assert delay in collapsed
    for email in result.entities.emails:
        assert email in text.lower()
