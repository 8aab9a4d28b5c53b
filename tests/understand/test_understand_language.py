"""Language detection on short, noisy customer messages."""

from __future__ import annotations

import pytest

from omnicase.understand import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French, including SMS style and no accents
        ("bjr ma cmd est pas arrivée", "fr"),
        ("Bonjour, je n'ai toujours pas reçu ma commande.", "fr"),
        ("slt jai tjrs rien recu", "fr"),
        ("cc c koi le suivi", "fr"),
        ("Merci", "fr"),
        ("merci beaucoup pour votre aide", "fr"),
        ("Le colis est arrivé abîmé", "fr"),
        ("remboursement svp", "fr"),
        ("Des nouvelles ?", "fr"),
        ("ou est mon colis", "fr"),
        ("C'EST INADMISSIBLE", "fr"),
        # English
        ("where is my parcel", "en"),
        ("Hi, I still haven't received my order.", "en"),
        ("any update?", "en"),
        ("thanks", "en"),
        ("hello", "en"),
        ("I want my money back", "en"),
        ("pls help asap", "en"),
        ("The parcel never arrived", "en"),
        ("WHERE IS MY REFUND", "en"),
        # German, Spanish, Italian, Dutch, Portuguese
        ("wo ist mein paket", "de"),
        ("Hallo, meine Bestellung ist noch nicht angekommen", "de"),
        ("Danke", "de"),
        ("Hola, ¿dónde está mi pedido?", "es"),
        ("todavía no he recibido el paquete", "es"),
        ("gracias", "es"),
        ("Ciao, il mio ordine non è arrivato", "it"),
        ("grazie mille", "it"),
        ("Hallo, waar is mijn pakket?", "nl"),
        ("bedankt", "nl"),
        ("Olá, a minha encomenda ainda não chegou", "pt"),
        ("obrigado", "pt"),
    ],
)
def test_detects(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "?",
        "!!!",
        "A-10492",
        "0612345678",
        "ok",
        "no",
        "😀",
        "julie@example.fr",
        "6A12345678901",
        "Привет",
    ],
)
def test_none_without_evidence(text: str) -> None:
    assert detect_language(text) is None


def test_long_mixed_text_follows_the_majority() -> None:
    text = (
        "Bonjour, je vous écris car ma commande n'est toujours pas arrivée et le suivi "
        "indique 'Delivered to the mailbox' depuis mardi. Pouvez-vous vérifier ?"
    )
    assert detect_language(text) == "fr"
