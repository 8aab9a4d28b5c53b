"""Addresses written in call notes the way they were spelled on the phone."""

from __future__ import annotations

import pytest

from omnicase.ingest.identities import spoken_emails


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Adresse donnée : f-i-o-n-a point k-e-a-n-e arobase example point co point uk",
            ["fiona.keane@example.co.uk"],
        ),
        ("mail : julie tiret bas martin arobase exemple point fr", ["julie_martin@exemple.fr"]),
        ("her address is tom dot hale at example dot com, call back", ["tom.hale@example.com"]),
        ("spelled j-o-e at mail dot net", ["joe@mail.net"]),
        ("c'est paul arobase orange point fr", ["paul@orange.fr"]),
    ],
)
def test_a_spelled_address_is_read_as_an_address(text: str, expected: list[str]) -> None:
    assert spoken_emails(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I was at home dot matters",  # not a top-level domain
        "we were at home dot com all day",  # an English 'at' after a plain word
        "Le point sur la commande, rien d'autre",  # 'point' without an address
        "Customer says the parcel is at depot dot",  # nothing after the dot
        "Bonjour, ma commande n'est pas arrivée.",
    ],
)
def test_ordinary_sentences_are_not_addresses(text: str) -> None:
    assert spoken_emails(text) == []
