"""Reading survey replies, French and English: the rating and the comment left over."""

from __future__ import annotations

import pytest

from omnicase.quality.csat.parse import parse_rating

CASES: list[tuple[str, int | None]] = [
    ("5", 5),
    ("1", 1),
    ("3", 3),
    ("5/5", 5),
    ("4/5", 4),
    ("2 / 5", 2),
    ("4 sur 5", 4),
    ("3 sur 5 !", 3),
    ("4 out of 5", 4),
    ("10/10", 5),
    ("7/10", 4),
    ("2/10", 1),
    ("4,5/5", 5),
    ("★★★★", 4),
    ("★★★★★ merci", 5),
    ("⭐⭐", 2),
    ("très satisfait", 5),
    ("Très satisfaite, merci beaucoup", 5),
    ("pas du tout satisfait", 1),
    ("Pas satisfait", 2),
    ("satisfait", 4),
    ("plutôt satisfait", 4),
    ("bof", 3),
    ("Bof bof", 3),
    ("super merci", 5),
    ("Super merci !", 5),
    ("1 - nul", 1),
    ("5 - parfait, merci Sophie", 5),
    ("4 : rapide mais un peu froid", 4),
    ("Parfait", 5),
    ("nul", 1),
    ("déçu", 2),
    ("👍", 5),
    ("👎", 1),
    ("👍 merci", 5),
    ("very satisfied", 5),
    ("Not at all satisfied", 1),
    ("satisfied", 4),
    ("not satisfied", 2),
    ("excellent service thanks", 5),
    ("terrible", 1),
    ("meh", 3),
    ("ok", 3),
    ("pas bien", 2),
    ("not good", 2),
    ("I'd give you 4", 4),
    ("cinq", 5),
    ("Five stars", 5),
    ("4 stars", 4),
    ("5 étoiles", 5),
    # not answers: new requests, questions, noise
    ("", None),
    ("Bonjour, ma commande A-12345 n'est toujours pas arrivée, pouvez-vous vérifier ?", None),
    ("5 ? je ne comprends pas la question, où est mon colis ?", None),
    ("where is my refund?", None),
    ("A-12345", None),
    ("merci", None),
    ("Je voudrais retourner un autre article " * 12, None),
    ("42", None),
]


@pytest.mark.parametrize(("text", "rating"), CASES)
def test_rating(text: str, rating: int | None) -> None:
    assert parse_rating(text)[0] == rating


def test_the_rest_is_the_comment() -> None:
    assert parse_rating("5 - parfait, merci Sophie") == (5, "parfait, merci Sophie")
    assert parse_rating("4/5 livraison un peu lente") == (4, "livraison un peu lente")
    assert parse_rating("★★★ correct sans plus") == (3, "correct sans plus")
    assert parse_rating("5") == (5, None)
    assert parse_rating("très satisfait") == (5, None)
    assert parse_rating("Très satisfaite, merci beaucoup")[1] == "Très satisfaite, merci beaucoup"


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 40
