"""Keywords for similarity between one customer's messages."""

from __future__ import annotations

import pytest

from omnicase.understand import analyse
from omnicase.understand.keywords import keywords_from, stem


def kw(text: str) -> frozenset[str]:
    return analyse(text).keywords


@pytest.mark.parametrize(
    "family",
    [
        ("livraison", "livré", "livrée", "livrer", "livrés", "LIVREE"),
        ("remboursement", "remboursé", "rembourser", "remboursée"),
        ("commande", "commandes", "commander", "commandé"),
        ("parcel", "parcels"),
        ("delivery", "delivered", "deliveries"),
        ("refund", "refunded", "refunds", "refunding"),
        ("taille", "tailles"),
        ("arrivée", "arrivé", "arrived"),
    ],
)
def test_word_families_share_a_stem(family: tuple[str, ...]) -> None:
    stems = {frozenset(kw(word)) for word in family}
    assert len(stems) == 1
    assert next(iter(stems))  # and it is not empty


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, cordialement, merci",
        "Hello, kind regards, thanks",
        "le la les de du des et ou",
        "the a an of to and",
        "12345 6A12345678901 49,90",
        "bjr svp stp cdlt",
        "",
        "?",
    ],
)
def test_no_content_words(text: str) -> None:
    assert kw(text) == frozenset()


def test_content_words_of_a_message() -> None:
    words = kw("Bonjour, mon colis n'est toujours pas livré depuis 3 semaines. Cordialement")
    assert words == {"colis", "livr", "semain"}


def test_similar_messages_overlap_and_different_ones_do_not() -> None:
    first = kw("Mon colis n'a jamais été livré, le transporteur dit qu'il est perdu")
    chase = kw("Toujours pas de livraison de mon colis, perdu par le transporteur ?")
    other = kw("Je voudrais changer mon mot de passe")
    assert len(first & chase) >= 3
    assert not first & other


def test_stem_rules() -> None:
    assert stem("colis") == "colis"  # not a plural
    assert stem("a10492") == ""  # numbers and codes are not keywords
    assert stem("ok") == ""
    assert keywords_from(["livraison", "livree", "bonjour"]) == {"livr"}
