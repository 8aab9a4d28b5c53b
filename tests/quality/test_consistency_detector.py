"""The pure detector: facts read in French and English, the tolerances (same amount or
delay written differently is no contradiction), opposite decisions, macros."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from omnicase.quality.consistency import Said, extract_facts, find_contradictions, macro_facts
from omnicase.quality.consistency.facts import Fact

MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def facts(text: str, at: datetime = MONDAY) -> dict[str, Fact]:
    return {f.slot: f for f in extract_facts(text, at)}


def contradictions(a: str, b: str, at_a: datetime = MONDAY, at_b: datetime = MONDAY) -> list[str]:
    said = Said(message_id=1, channel="email")
    found = find_contradictions(extract_facts(b, at_b), [(said, extract_facts(a, at_a))])
    return [f"{f.kind}/{f.slot}" for f in found]


@pytest.mark.parametrize(
    "text",
    [
        "Le remboursement de 4,90 € a été effectué.",
        "Nous vous remboursons 4.90 EUR.",
        "Votre remboursement de 4€90 est validé.",
        "We have refunded €4.90 to your card.",
        "Your refund of 4.90 euros has been issued.",
    ],
)
def test_one_amount_in_every_notation(text: str) -> None:
    fact = facts(text)["refund_amount"]
    assert fact.value == ("EUR", 490)


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("Le remboursement sera visible sous 5 jours ouvrés.", "refund_delay", ("bus", 5, 5)),
        ("Your refund will show within five business days.", "refund_delay", ("bus", 5, 5)),
        ("Votre colis sera livré sous 48h.", "delivery_delay", ("cal", 2, 2)),
        ("Your parcel will be delivered within 2 days.", "delivery_delay", ("cal", 2, 2)),
        ("Vous avez 30 jours pour nous retourner l'article.", "return_window", ("cal", 30, 30)),
        ("You can return items within 4 weeks.", "return_window", ("cal", 28, 28)),
        ("Comptez 3 à 5 jours pour le remboursement.", "refund_delay", ("cal", 3, 5)),
    ],
)
def test_delays_in_french_and_english(
    text: str, slot: str, value: tuple[str, float, float]
) -> None:
    assert facts(text)[slot].value == value


def test_what_is_not_a_delay() -> None:
    found = facts("Commandé il y a 3 jours ? Nous sommes joignables 24h/24, 7j/7, avant 14h.")
    assert not [f for f in found.values() if f.kind == "delay"]


def test_relative_dates_resolve_from_when_the_answer_was_sent() -> None:
    assert facts("Votre colis sera livré demain.")["delivery_date"].value == "2026-11-03"
    assert facts("It will be delivered on Thursday.")["delivery_date"].value == "2026-11-05"
    assert facts("Livraison prévue le 5 novembre.")["delivery_date"].value == "2026-11-05"
    # "demain" on Monday and "aujourd'hui" on Tuesday are the same day
    assert not contradictions(
        "Votre colis sera livré demain.", "Votre colis est livré aujourd'hui.", MONDAY, TUESDAY
    )
    assert contradictions("Livraison demain.", "Votre colis sera livré le 9 novembre.") == [
        "date/delivery_date"
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Nous avons validé votre remboursement.", "granted"),
        ("Nous ne pouvons malheureusement pas vous rembourser.", "refused"),
        ("Votre demande de remboursement a été refusée.", "refused"),
        ("I'm afraid we are unable to offer a refund.", "refused"),
        ("We can offer you a partial refund.", "partial"),
        ("You'll be refunded in full.", "full"),
    ],
)
def test_refund_decisions(text: str, value: str) -> None:
    assert facts(text)["refund"].value == value


def test_a_question_or_a_condition_is_no_decision() -> None:
    assert "refund" not in facts("Souhaitez-vous un remboursement ?")
    assert "refund" not in facts("If the item is damaged, we will refund you.")


def test_the_same_facts_in_other_words_agree() -> None:
    assert not contradictions(
        "Bonjour, le remboursement de 59,90 € sera effectué sous 5 jours ouvrés.",
        "Hi, your refund of €59.90 will reach you within 5 working days.",
    )
    assert not contradictions(
        "Le remboursement arrive sous 5 jours ouvrés.", "Comptez une semaine pour le remboursement."
    )


def test_contradictions_of_each_kind() -> None:
    assert contradictions(
        "Remboursement de 59,90 € validé.", "Remboursement de 49,90 € validé."
    ) == ["amount/refund_amount"]
    assert contradictions(
        "Le remboursement arrive sous 5 jours ouvrés.", "Le remboursement arrive sous 30 jours."
    ) == ["delay/refund_delay"]
    assert contradictions(
        "Nous avons validé votre remboursement.", "Votre demande de remboursement a été refusée."
    ) == ["decision/refund"]
    assert contradictions("Le retour est gratuit.", "Les frais de retour sont de 5,90 €.") == [
        "policy/return_fee"
    ]
    assert contradictions("We can offer a partial refund.", "You'll be refunded in full.") == [
        "decision/refund"
    ]


def test_answers_about_different_orders_do_not_contradict() -> None:
    assert not contradictions(
        "Commande A-10492 : remboursement de 59,90 € validé.",
        "Commande A-10777 : remboursement de 19,90 € validé.",
    )


def test_a_draft_is_checked_against_the_macros_policies() -> None:
    standard = (Said(macro_id=1), macro_facts("Livraison standard sous 3 à 5 jours ouvrés.", {}))
    express = (Said(macro_id=2), macro_facts("Express", {"delivery_delay_hours": 24}))
    fees = (Said(macro_id=3), macro_facts("", {"shipping_fee_eur": 4.9}))
    macros = [standard, express, fees]

    def check(text: str) -> list[tuple[str, int | None]]:
        return [
            (f.slot, f.said.macro_id)
            for f in find_contradictions(extract_facts(text), macros=macros)
        ]

    assert check("Votre colis sera livré sous 24h.") == []  # the express macro
    assert check("Votre colis sera livré sous 4 jours ouvrés.") == []  # the standard one
    assert check("Votre colis sera livré sous 15 jours.") == [("delivery_delay", 1)]
    assert check("Les frais de port sont de 4,90 €.") == []
    assert check("Les frais de port sont de 6,90 €.") == [("shipping_fee", 3)]
