"""Automatic pre-checks on agent-like answers: the shipped FR/EN dictionaries, what is
never a spelling mistake (names, order numbers, URLs, emails), greetings and sign-offs,
answers later than the objective."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import spellchecker

from omnicase.quality.qa.checks import auto_checks, has_greeting, has_sign_off, spelling

T = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def words(text: str, language: str) -> list[str]:
    return [m["word"] for m in spelling(text, language)]


def test_the_dictionaries_ship_inside_the_package() -> None:
    resources = Path(spellchecker.__file__).parent / "resources"
    assert (resources / "fr.json.gz").stat().st_size > 100_000
    assert (resources / "en.json.gz").stat().st_size > 100_000


def test_a_french_email_answer_with_one_mistake() -> None:
    text = (
        "Bonjour Madame Martin,\n\n"
        "Je vous confirme que votre comande A-12345 a bien été expédiée par Colissimo hier. "
        "Vous pouvez suivre le colis ici : https://www.colissimo.fr/suivi?c=8R12345 ou nous "
        "écrire à service-client@acme.example, et au 01 23 45 67 89.\n\n"
        "Cordialement,\nSophie – Service client Acme"
    )
    [mistake] = spelling(text, "fr")
    assert mistake["word"] == "comande" and mistake["suggestion"] == "commande"
    checks = auto_checks(text, "fr", "email", answered_at=T)
    assert checks["flags"] == ["spelling"]
    assert checks["greeting"] and checks["sign_off"]


def test_french_elisions_hyphens_and_accents_are_not_mistakes() -> None:
    text = (
        "Bonjour Julie, aujourd'hui nous avons procédé au remboursement de 49,90 € sur "
        "votre carte. Peut-être le verrez-vous d'ici trois à cinq jours ouvrés ; l'article "
        "retourné est arrivé chez nous. Bonne journée !"
    )
    assert words(text, "fr") == []


def test_common_french_mistakes_are_found() -> None:
    text = "Bonjour, nous avons bien recu votre colis et le remboursment sera fait demain."
    assert words(text, "fr") == ["recu", "remboursment"]


def test_an_english_answer_with_mistakes_and_names() -> None:
    text = (
        "Hi Tom, I recieved your message about order GX123456 and we will definately send "
        "a replacement with DPD to Manchester this week. Kind regards, the Globex team"
    )
    assert words(text, "en") == ["recieved", "definately"]
    assert spelling(text, "en")[0]["suggestion"] == "received"


def test_the_customer_and_brand_words_can_be_ignored() -> None:
    text = "Bonjour, le modèle Sköldvik est de retour en stock."
    assert words(text, "fr") == []  # a capitalised name inside the sentence
    assert words("sköldvik est de retour", "fr") == ["sköldvik"]
    assert spelling("sköldvik est de retour", "fr", ignore=["Sköldvik"]) == []


def test_missing_greeting_and_sign_off() -> None:
    bare = "Your refund has been processed and should reach your account within 5 days."
    checks = auto_checks(bare, "en", "email", answered_at=T)
    assert checks["flags"] == ["missing_greeting", "missing_sign_off"]
    chat = "Je regarde ça tout de suite pour vous."
    checks = auto_checks(chat, "fr", "chat", answered_at=T)
    assert checks["flags"] == ["missing_greeting"] and checks["sign_off"] is None
    assert has_greeting("Bonsoir Monsieur Diallo,", "fr")
    assert has_greeting("Dear Ms Crane,", "en")
    assert not has_greeting("Votre colis arrive demain. Bonjour chez vous", "fr")
    assert has_sign_off("…\nBien à vous,\nKarim", "fr")
    assert has_sign_off("Thanks again for your patience.\nBest regards, Amy", "en")
    assert has_sign_off("Je reste à votre disposition.", "fr")
    assert not has_sign_off("Le remboursement est fait.", "fr")


def test_slower_than_the_objective() -> None:
    text = "Bonjour Julie, c'est fait. Cordialement, Sophie"
    due = T + timedelta(hours=4)
    late = auto_checks(text, "fr", "email", answered_at=T + timedelta(hours=5), due_at=due)
    assert "slow" in late["flags"] and late["slow"]["basis"] == "sla"
    on_time = auto_checks(text, "fr", "email", answered_at=T + timedelta(hours=3), due_at=due)
    assert "slow" not in on_time["flags"]
    chat = auto_checks(
        "Bonjour ! Je regarde.",
        "fr",
        "chat",
        answered_at=T + timedelta(minutes=3),
        asked_at=T,
        objective_s=60,
    )
    assert chat["slow"] == {
        "late": True,
        "delay_s": 180.0,
        "objective_s": 60,
        "basis": "channel_objective",
    }


def test_the_sample_draw_is_seeded_and_spread() -> None:
    from datetime import date

    from omnicase.quality.qa.service import draw

    ids = list(range(100, 160))
    week = date(2026, 11, 2)
    first = draw(ids, 5, 1, 1, week, 7)
    assert first == draw(list(reversed(ids)), 5, 1, 1, week + timedelta(days=3), 7)
    assert len(set(first)) == 5 and set(first) <= set(ids)
    others = {tuple(draw(ids, 5, seed, 1, week, 7)) for seed in range(20)}
    assert len(others) == 20  # another seed, another draw
    assert draw(ids, 5, 1, 1, week, 8) != first  # each agent has a draw of their own
    assert draw([3, 1], 5, 1, 1, week, 7) == [1, 3]
    # every answer can be drawn
    seen = {m for seed in range(200) for m in draw(ids, 3, seed, 1, week, 7)}
    assert seen == set(ids)
