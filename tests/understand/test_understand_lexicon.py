"""Sanity of the phrase lexicons and of the one-pass phrase scan."""

from __future__ import annotations

import pytest

from omnicase.understand._lexicon import NEUTRAL_PHRASES, REASON_PHRASES, SIGNAL_PHRASES
from omnicase.understand._phrases import PHRASES, matched_phrases, scan
from omnicase.understand._text import normalise_phrase, prepare
from omnicase.understand.reasons import DEFAULT_REASONS


def test_every_phrase_normalises_to_something() -> None:
    phrases = [p for group in REASON_PHRASES.values() for p, _ in group]
    phrases += [p for group in SIGNAL_PHRASES.values() for p in group]
    phrases += list(NEUTRAL_PHRASES)
    for phrase in phrases:
        assert normalise_phrase(phrase).rstrip("*"), phrase
    assert set(REASON_PHRASES) <= set(DEFAULT_REASONS)
    assert all(weight > 0 for group in REASON_PHRASES.values() for _, weight in group)
    assert len(PHRASES) > 500


def found(text: str) -> list[str]:
    return matched_phrases(prepare(text).norm)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon code promo", ["code promo"]),  # longest phrase wins over "code"
        ("payer en plusieurs fois", ["payer", "en plusieurs fois"]),  # not "plusieurs fois"
        ("la livraison gratuite", ["livraison gratuite"]),  # promotion, not "livr*"
        ("encore une fois merci", ["encore une fois merci"]),  # thanks, not a repeat
        ("mot de passe oublié", ["mot de passe"]),
        ("Livraison, livré, LIVRÉE", ["livr", "livr", "livr"]),  # prefix keys, any accents
        ("je vais voir ailleurs", ["vais voir ailleurs"]),
        ("livrable", ["livr"]),
        ("délivrance", []),  # prefixes only match at a word start
        ("", []),
    ],
)
def test_longest_phrase_at_each_word(text: str, expected: list[str]) -> None:
    assert found(text) == expected


def test_a_repeated_phrase_counts_once() -> None:
    once, _ = scan(prepare("colis").norm)
    many, _ = scan(prepare("colis colis colis colis").norm)
    assert once == many
