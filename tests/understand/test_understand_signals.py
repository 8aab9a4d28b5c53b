"""Follow-up detection and urgency signals."""

from __future__ import annotations

import pytest

from omnicase.understand import analyse


@pytest.mark.parametrize(
    "text",
    [
        "Des nouvelles ?",
        "des nouvelles svp",
        "toujours rien reçu",
        "Toujours rien...",
        "je reviens vers vous concernant ma commande",
        "Suite à mon appel de ce matin, voici les photos",
        "suite a mon mail du 3 mars",
        "Je vous relance pour ma demande de remboursement",
        "je vous ai déjà écrit la semaine dernière",
        "Toujours pas de réponse à mon message",
        "Sans nouvelles de votre part, je me permets de revenir vers vous",
        "re bonjour, c'est encore moi",
        "Alors ?",
        "Up",
        "?",
        "??",
        "any news?",
        "Any update on this?",
        "any updates please",
        "still waiting for my refund",
        "Following up on my email from Monday",
        "I already wrote to you about this",
        "I emailed you last week and got no reply",
        "Further to my previous email, the parcel is still missing",
        "just checking in on my order",
        "hello?",
    ],
)
def test_follow_ups(text: str) -> None:
    assert analyse(text).follow_up is True


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, mon colis n'est pas arrivé, pouvez-vous vérifier ?",
        "Je voudrais retourner un article qui ne me va pas.",
        "Mon code promo ne fonctionne pas",
        "Hello, my order arrived damaged, what should I do?",
        "Can I change the delivery address?",
        "I'd like a refund for my jeans, they are too small.",
        "Bonjour, avez-vous la robe en taille 38 ?",
        "Merci pour votre aide, bonne journée",
        "",
        "A-10492",
        "Je voudrais de nouvelles chaussures",
        "Si je n'ai pas de réponse d'ici vendredi, je contacte la DGCCRF",
        "If I don't hear back by Friday I'll dispute the charge",
        "My previous order was fine but this one is late",
    ],
)
def test_first_messages_are_not_follow_ups(text: str) -> None:
    assert analyse(text).follow_up is False


@pytest.mark.parametrize(
    ("text", "signals", "urgency"),
    [
        ("C'est inadmissible !", ("anger",), 1),
        ("scandaleux, 3 semaines sans colis", ("anger",), 1),
        ("This is unacceptable", ("anger",), 1),
        ("OU EST MON COLIS JE L'ATTENDS DEPUIS 3 SEMAINES", ("anger",), 1),
        ("Réponse svp !!!", ("anger",), 1),
        ("j'en ai marre", ("anger",), 1),
        ("je vais aller voir ailleurs", ("churn_threat",), 1),
        ("Please cancel my account", ("churn_threat",), 1),
        ("I will never order again", ("churn_threat",), 1),
        ("je ne commanderai plus jamais chez vous", ("churn_threat",), 1),
        ("je vais contacter mon avocat", ("legal_threat",), 2),
        ("je vais saisir l'UFC Que Choisir", ("legal_threat",), 2),
        ("je vais écrire à 60 millions de consommateurs", ("legal_threat",), 2),
        ("signalement à la DGCCRF", ("legal_threat",), 2),
        ("j'irai au tribunal", ("legal_threat",), 2),
        ("I'll speak to my lawyer", ("legal_threat",), 2),
        ("I will report you to trading standards", ("legal_threat",), 2),
        ("I'll take you to the small claims court", ("legal_threat",), 2),
        ("C'est la troisième fois que j'appelle", ("repeat_contact",), 1),
        ("3e fois que j'écris", ("repeat_contact",), 1),
        ("I already called twice", ("repeat_contact",), 1),
        ("For the third time, where is my parcel?", ("repeat_contact",), 1),
        ("je relance encore une fois", ("repeat_contact",), 1),
        ("très déçue de votre service", ("negative",), 1),
        ("worst customer service ever", ("negative",), 1),
        (
            "Inadmissible, c'est la 3e fois que j'écris, je vais voir ailleurs",
            ("anger", "churn_threat", "repeat_contact"),
            2,
        ),
        ("C'est scandaleux, mon avocat vous contactera", ("anger", "legal_threat"), 2),
    ],
)
def test_urgency_signals(text: str, signals: tuple[str, ...], urgency: int) -> None:
    result = analyse(text)
    assert result.signals == signals
    assert result.urgency == urgency


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, où en est ma commande ?",
        "Merci encore une fois pour votre aide",
        "Je souhaite payer en plusieurs fois",
        "Can you tell me when my parcel will arrive?",
        "Commande UPS DHL DPD",  # acronyms are not shouting
        "Bonjour, je voudrais connaître le délai de livraison pour la région PACA",
        "Merci !",
        "c'est un produit de qualité, je suis ravie",
        "",
    ],
)
def test_calm_messages_are_not_urgent(text: str) -> None:
    result = analyse(text)
    assert result.urgency == 0
    assert result.signals == ()
