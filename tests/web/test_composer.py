"""The reply composer's macros and consistency warning, and the macros admin screen,
through the real app (TestClient) on SQLite and PostgreSQL: the macro list fits the case
and follows the access rule, insertion fills the placeholders, a contradicting draft is
shown back and sends nothing until "send anyway", then it is sent and recorded;
supervisors confirm or dismiss; the admin screen refuses bad facts next to the field."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, Event, Inconsistency, Macro, Message, User
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.services.macros import do_create_macro, fill_placeholders
from omnicase.store.db import Database
from omnicase.store.scope import principal_for
from omnicase.web.supervisor.macros import parse_fact_value
from tests.channels.conftest import box, create_account, settings  # noqa: F401  (fixtures)
from tests.factories import World, message
from tests.web.conftest import csrf_of, login

FIRST = "Bonjour Julie,\n\nLe remboursement de 49,90 € sera effectué sous 5 jours ouvrés.\n\nSophie"
CONTRADICTING = "Bonjour Julie, le remboursement sera effectué sous 14 jours."


def refund_case(db: Database, world: World, box: SecretBox) -> str:  # noqa: F811
    """An acme email case about order A-12345's refund, with a sending account."""
    create_account(
        db,
        world,
        box,
        channel="email",
        name="Service client",
        address="service@acme.example",
        settings={"from_name": "Acme", "smtp_host": "127.0.0.1", "smtp_port": 1},
    )
    [result] = ingest(
        db,
        [
            message(
                at=utcnow() - timedelta(hours=2),
                subject="Remboursement commande A-12345",
                text="Bonjour, j'ai renvoyé la robe de la commande A-12345, "
                "quand serai-je remboursée ?",
                name="Julie Martin",
                email="julie.martin@example.fr",
            )
        ],
    )
    assert result.reference is not None
    with db.transaction() as s:
        case = s.get(Case, int(result.reference.split("-")[1]))
        assert case is not None
        case.reason, case.language = "refund", "fr"
    return result.reference


def add_macro(db: Database, world: World, brand: str = "acme", **fields: object) -> int:
    with db.transaction() as s:
        user = s.get(User, world.ids[f"{brand}:admin"])
        assert user is not None
        values = {"title": "Remboursement", "body": "Bonjour {customer_name}", **fields}
        return do_create_macro(s, principal_for(s, user), **values).id


def macro_ids(html: str) -> set[int]:
    listed = html.split('id="macro-list"', 1)[1].split("</ul>", 1)[0]
    return {int(x) for x in re.findall(r'data-macro="(\d+)"', listed)}


def outbound(db: Database) -> int:
    with db.reading() as s:
        return (
            s.scalar(
                select(func.count()).select_from(Message).where(Message.direction == "outbound")
            )
            or 0
        )


def test_the_macro_list_fits_the_case_and_follows_the_access_rule(
    db: Database,
    world: World,
    web: TestClient,
    box: SecretBox,  # noqa: F811
) -> None:
    ref = refund_case(db, world, box)
    fits = add_macro(db, world, title="Délai de remboursement", language="fr", reasons=["refund"])
    general = add_macro(db, world, title="Formule de politesse", body="Bien à vous, {agent_name}")
    email_only = add_macro(db, world, title="Par e-mail", channels=["email"])
    add_macro(db, world, title="Refund delay", language="en")
    add_macro(db, world, title="Livraison", reasons=["delivery"])
    add_macro(db, world, title="Ancienne", active=False)
    chat_only = add_macro(db, world, title="Chat", channels=["chat"])
    other_brand = add_macro(db, world, brand="globex", title="Globex refund")

    login(web, "agent@acme.test")
    page = web.get(f"/cases/{ref}")
    assert page.status_code == 200
    assert macro_ids(page.text) == {fits, general, email_only}
    # the reason's own macros come first
    assert page.text.index("Délai de remboursement") < page.text.index("Formule de politesse")
    # search by title or text; the channel chosen in the composer counts
    found = web.get(f"/cases/{ref}/macros", params={"q": "politesse"})
    assert found.status_code == 200 and macro_ids(found.text) == {general}
    on_chat = web.get(f"/cases/{ref}/macros", params={"channel": "chat"})
    assert macro_ids(on_chat.text) == {fits, general, chat_only}
    assert "data-no-macro" in web.get(f"/cases/{ref}/macros", params={"q": "zzz"}).text

    # the provider's engaged team sees the brand's macros; nobody sees another brand's
    web.cookies.clear()
    csrf = login(web, "agent@callpro.test")
    assert macro_ids(web.get(f"/cases/{ref}").text) == {fits, general, email_only}
    inserted = web.post(
        f"/cases/{ref}/macros/{other_brand}/insert",
        data={"text": ""},
        headers={"X-CSRF-Token": csrf},
    )
    assert inserted.status_code == 404 and "Globex refund" not in inserted.text
    for email in ("agent2@callpro.test", "agent@globex.test"):
        web.cookies.clear()
        csrf = login(web, email)
        assert web.get(f"/cases/{ref}/macros").status_code == 404, email
        r = web.post(
            f"/cases/{ref}/macros/{fits}/insert", data={"text": ""}, headers={"X-CSRF-Token": csrf}
        )
        assert r.status_code == 404, email


def test_inserting_a_macro_fills_its_placeholders_after_the_draft(
    db: Database,
    world: World,
    web: TestClient,
    box: SecretBox,  # noqa: F811
) -> None:
    ref = refund_case(db, world, box)
    macro = add_macro(
        db,
        world,
        body="Bonjour {customer_name}, votre commande {order_number} ({case_reference}) "
        "est remboursée. {agent_name} {unknown}",
    )
    inactive = add_macro(db, world, title="Ancienne", active=False)
    csrf = login(web, "agent@acme.test")
    url = f"/cases/{ref}/macros/{macro}/insert"
    assert web.post(url, data={"text": ""}).status_code == 403  # no CSRF token
    r = web.post(url, data={"text": "Merci pour votre patience."}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200
    [text] = re.findall(r'<textarea id="reply-text"[^>]*>(.*?)</textarea>', r.text, re.S)
    assert text == (
        f"Merci pour votre patience.\n\nBonjour Julie Martin, votre commande A-12345 ({ref}) "
        "est remboursée. agent acme {unknown}"
    )
    gone = web.post(
        f"/cases/{ref}/macros/{inactive}/insert", data={"text": ""}, headers={"X-CSRF-Token": csrf}
    )
    assert gone.status_code == 404
    # a value holding braces is text, never a format field
    assert fill_placeholders("{customer_name} {0}", {"customer_name": "{agent_name}"}) == (
        "{agent_name} {0}"
    )


def test_a_contradicting_draft_is_shown_back_and_sent_only_when_confirmed(
    db: Database,
    world: World,
    web: TestClient,
    box: SecretBox,  # noqa: F811
) -> None:
    ref = refund_case(db, world, box)
    csrf = login(web, "agent@acme.test")
    first = web.post(f"/cases/{ref}/reply", data={"text": FIRST, "csrf_token": csrf})
    assert first.status_code == 303, first.text  # nothing to contradict: sent at once
    assert outbound(db) == 1
    with db.reading() as s:
        events = s.scalar(select(func.count()).select_from(Event)) or 0

    warned = web.post(
        f"/cases/{ref}/reply",
        data={
            "text": CONTRADICTING,
            "channel": "email",
            "status_after": "pending",
            "csrf_token": csrf,
        },
    )
    assert warned.status_code == 409
    assert "data-consistency-warning" in warned.text and "data-send-anyway" in warned.text
    warning = warned.text.split("data-consistency-warning", 1)[1].split("</div>", 1)[0]
    day = utcnow().astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m")  # when it was sent
    assert "Délai de remboursement : vous avez écrit 14 jours" in warning
    assert "le client a reçu 5 jours ouvrés (équipe interne)" in warning
    assert f"sur E-mail le {day}, le client" in warning
    # the draft and the chosen status are kept; nothing was written
    assert "le remboursement sera effectué sous 14 jours." in warned.text
    assert '<option value="pending" selected>' in warned.text
    assert re.search(r'<option value="email" selected>E-mail — ', warned.text)
    assert outbound(db) == 1
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == events
        assert s.scalar(select(func.count()).select_from(Inconsistency)) == 0

    sent = web.post(
        f"/cases/{ref}/reply",
        data={"text": CONTRADICTING, "send_anyway": "1", "csrf_token": csrf},
    )
    assert sent.status_code == 303
    assert outbound(db) == 2
    with db.reading() as s:
        [row] = s.scalars(select(Inconsistency)).all()
        assert row.status == "detected" and row.detail["slot"] == "refund_delay"
        row_id = row.id

    # the case page lists it; an agent cannot decide, a supervisor confirms
    page = web.get(f"/cases/{ref}").text
    assert f'data-inconsistency="{row_id}"' in page
    assert f"/inconsistencies/{row_id}/confirm" not in page
    refused = web.post(f"/cases/{ref}/inconsistencies/{row_id}/confirm", data={"csrf_token": csrf})
    assert refused.status_code == 403
    web.cookies.clear()
    csrf = login(web, "supervisor@acme.test")
    assert f"/inconsistencies/{row_id}/confirm" in web.get(f"/cases/{ref}").text
    done = web.post(f"/cases/{ref}/inconsistencies/{row_id}/confirm", data={"csrf_token": csrf})
    assert done.status_code == 303
    with db.reading() as s:
        got = s.get(Inconsistency, row_id)
        assert got is not None and got.status == "confirmed"
        assert got.decided_by is not None
    web.post(f"/cases/{ref}/inconsistencies/{row_id}/dismiss", data={"csrf_token": csrf})
    with db.reading() as s:
        got = s.get(Inconsistency, row_id)
        assert got is not None and got.status == "dismissed"
    # another brand's supervisor reaches nothing
    web.cookies.clear()
    csrf = login(web, "supervisor@globex.test")
    r = web.post(f"/cases/{ref}/inconsistencies/{row_id}/confirm", data={"csrf_token": csrf})
    assert r.status_code == 404


def test_the_warning_in_english(
    db: Database,
    world: World,
    web: TestClient,
    box: SecretBox,  # noqa: F811
) -> None:
    ref = refund_case(db, world, box)
    csrf = login(web, "agent@callpro.test")  # the engaged provider's agent
    web.post("/language", data={"lang": "en", "back": "/inbox", "csrf_token": csrf})
    first = web.post(f"/cases/{ref}/reply", data={"text": FIRST, "csrf_token": csrf})
    assert first.status_code == 303
    r = web.post(
        f"/cases/{ref}/reply",
        data={"text": "Your refund of 39.90 EUR is on its way.", "csrf_token": csrf},
    )
    assert r.status_code == 409
    day = utcnow().astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m")
    assert (
        f"Refund amount: you wrote €39.90; on Email on {day} the customer was told €49.90 "
        "(CallPro / Lille digital)"
    ) in r.text
    assert "Send anyway" in r.text


def test_a_draft_against_a_macro_is_warned_with_its_title(
    db: Database,
    world: World,
    web: TestClient,
    box: SecretBox,  # noqa: F811
) -> None:
    ref = refund_case(db, world, box)
    add_macro(
        db,
        world,
        title="Délai de remboursement",
        body="Le remboursement est effectué sous 5 jours ouvrés.",
        facts={"refund_delay_business_days": 5},
    )
    csrf = login(web, "agent@acme.test")
    r = web.post(
        f"/cases/{ref}/reply",
        data={"text": "Vous serez remboursée sous 30 jours.", "csrf_token": csrf},
    )
    assert r.status_code == 409
    assert "« Délai de remboursement »" in r.text
    assert outbound(db) == 0
    # an internal note is never checked: it goes to colleagues
    note = web.post(
        f"/cases/{ref}/reply",
        data={"text": "Vu : sous 30 jours.", "internal_note": "1", "csrf_token": csrf},
    )
    assert note.status_code == 303


def test_the_macros_admin_screen(db: Database, world: World, web: TestClient) -> None:
    for email in ("agent@acme.test", "supervisor@callpro.test"):
        web.cookies.clear()
        login(web, email)
        assert web.get("/supervisor/config/macros").status_code == 403, email
    web.cookies.clear()
    csrf = login(web, "supervisor@acme.test")
    page = web.get("/supervisor/config/macros")
    assert page.status_code == 200 and 'href="/supervisor/config/macros" aria-current' in page.text
    form = {
        "csrf_token": csrf,
        "title": "Délai de remboursement",
        "body": "Bonjour {customer_name}, le remboursement prend 5 jours ouvrés.",
        "language": "fr",
        "reasons": "refund, return",
        "channels": "email chat",
        "fact_key": ["refund_delay_business_days", "delivery_delay_days", ""],
        "fact_value": ["5", "3-5", ""],
    }
    # refusals next to their field, nothing written
    for change, field in (
        ({"fact_key": ["refund_delay_parsecs"], "fact_value": ["5"]}, "facts.refund_delay_parsecs"),
        ({"fact_key": ["shipping_fee_eur"], "fact_value": ["gratuit"]}, "facts.shipping_fee_eur"),
        ({"fact_key": ["shipping_fee_eur"], "fact_value": [""]}, "facts.shipping_fee_eur"),
        ({"title": "  "}, "title"),
        ({"channels": "email pigeon"}, "channels"),
        ({"language": "de"}, "language"),
    ):
        r = web.post("/supervisor/config/macros", data={**form, **change})
        assert r.status_code == 422, change
        assert 'class="field-error"' in r.text and f'data-field="{field}"' in r.text, change
        assert "prend 5 jours ouvrés" in r.text  # the form is kept
    assert (
        web.post("/supervisor/config/macros", data={**form, "csrf_token": "x"}).status_code == 403
    )
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Macro)) == 0

    assert web.post("/supervisor/config/macros", data=form).status_code == 303
    with db.reading() as s:
        [macro] = s.scalars(select(Macro)).all()
        assert macro.facts == {"refund_delay_business_days": 5, "delivery_delay_days": [3, 5]}
        assert macro.reasons == ["refund", "return"] and macro.channels == ["email", "chat"]
        assert macro.language == "fr" and macro.active
        macro_id = macro.id
    edit = web.get(f"/supervisor/config/macros/{macro_id}")
    assert edit.status_code == 200 and 'value="3-5"' in edit.text
    changed = {
        **form,
        "title": "Remboursement",
        "fact_key": ["shipping_fee_eur"],
        "fact_value": ["4,90"],
    }
    assert web.post(f"/supervisor/config/macros/{macro_id}", data=changed).status_code == 303
    off = web.post(
        f"/supervisor/config/macros/{macro_id}/active", data={"active": "0", "csrf_token": csrf}
    )
    assert off.status_code == 303
    with db.reading() as s:
        got = s.get(Macro, macro_id)
        assert got is not None and got.title == "Remboursement" and not got.active
        assert got.facts == {"shipping_fee_eur": 4.9}
    # another brand's supervisor cannot reach it
    web.cookies.clear()
    csrf = login(web, "supervisor@globex.test")
    assert web.get(f"/supervisor/config/macros/{macro_id}").status_code == 404
    r = web.post(f"/supervisor/config/macros/{macro_id}", data={**changed, "csrf_token": csrf})
    assert r.status_code == 404
    assert csrf_of(web.get("/supervisor/config/macros").text)


def test_fact_values_read_from_the_form() -> None:
    assert parse_fact_value("5") == 5
    assert parse_fact_value("4,90") == 4.9
    assert parse_fact_value("3-5") == [3, 5]
    assert parse_fact_value("[3, 5]") == [3, 5]
    assert parse_fact_value("3 à 5") == [3, 5]
    assert parse_fact_value("gratuit") == "gratuit"


def test_the_customers_other_case_warns_only_those_who_may_see_it(
    db: Database,
    world: World,
    web: TestClient,
    box: SecretBox,  # noqa: F811
) -> None:
    old = refund_case(db, world, box)
    csrf = login(web, "agent@acme.test")
    assert (
        web.post(f"/cases/{old}/reply", data={"text": FIRST, "csrf_token": csrf}).status_code == 303
    )
    with db.transaction() as s:
        case = s.get(Case, int(old.split("-")[1]))
        assert case is not None
        case.status = "closed"
        case.channel = "phone"  # outside the provider's engagement (email + chat)
    [result] = ingest(
        db,
        [
            message(
                at=utcnow() - timedelta(minutes=5),
                subject="Toujours rien",
                text="Bonjour, commande A-12345 : toujours pas de remboursement.",
            )
        ],
    )
    new = result.reference
    assert new is not None and new != old
    draft = "Le remboursement de 29,90 € sera effectué."
    warned = web.post(f"/cases/{new}/reply", data={"text": draft, "csrf_token": csrf})
    assert warned.status_code == 409
    assert f"le client a reçu 49,90 € (équipe interne) — dossier {old}" in warned.text
    # the provider's agent sees the new case, not the old one: told nothing, sent at once
    web.cookies.clear()
    csrf = login(web, "agent@callpro.test")
    sent = web.post(f"/cases/{new}/reply", data={"text": draft, "csrf_token": csrf})
    assert sent.status_code == 303
    assert outbound(db) == 2
