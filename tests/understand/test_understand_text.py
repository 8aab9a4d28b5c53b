"""Folding, tokenising and the aligned ASCII view every extractor relies on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicase.understand import fold
from omnicase.understand._text import count_digits, count_upper, prepare


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Livrée", "livree"),
        ("REMBOURSÉ", "rembourse"),
        ("Ça fait déjà 3 semaines", "ca fait deja 3 semaines"),
        ("l’œuvre", "l'oeuvre"),
        ("Straße", "strasse"),
        ("naïve façon", "naive facon"),
        ("e\u0301te\u0301", "ete"),  # decomposed accents
        ("49,90 €", "49,90 €"),  # no ASCII base: kept
        ("Привет", "привет"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Bonjour, ma commande n'est pas arrivée !", "bonjour ma commande n est pas arrivee"),
        ("A-10492", "a 10492"),
        ("l’œuvre de Jérôme", "l oeuvre de jerome"),
        ("snake_case", "snake case"),
        ("49,90€ 😀 ok", "49 90 ok"),
        ("Привет мир", "привет мир"),
        ("mix Привет et été", "mix привет et ete"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_tokens(text: str, tokens: str) -> None:
    assert prepare(text).tokens == tokens.split()
    assert prepare(text).norm == " " + tokens if tokens else prepare(text).norm == " "


@settings(database=None)  # no .hypothesis/ directory in the repository
@given(st.text(max_size=200))
def test_view_is_aligned_with_the_raw_text(text: str) -> None:
    prepared = prepare(text)
    assert len(prepared.view) == len(text)
    assert len(prepared.spaced) == len(text)
    assert prepared.view.isascii()
    for raw, seen in zip(text, prepared.view, strict=True):
        if raw.isascii():
            assert seen == raw.lower()


@settings(database=None)
@given(st.text(alphabet=st.characters(codec="latin-1"), max_size=200))
def test_tokens_are_folded_ascii_for_latin_text(text: str) -> None:
    for token in prepare(text).tokens:
        assert token == fold(token)


def test_counts() -> None:
    assert count_digits("a1b22 333") == 6
    assert count_upper("JE VEUX Été") == 7
    assert count_upper("€ ok") == 0
