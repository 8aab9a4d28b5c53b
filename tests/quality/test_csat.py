"""Satisfaction surveys end to end on SQLite and PostgreSQL: one per case, quiet days,
channels switched off, the email survey through a real SMTP server and its link, chat
answers by message that keep the case resolved, results per team/agent/channel."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email.message import Message as MimeMessage

from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, Event, Message
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.chat.conftest import KEY, ORIGIN
from tests.channels.conftest import SmtpServer, create_account, email_account, run_channels
from tests.factories import World, message
from tests.quality.helpers import BASE_URL, answer, csat_settings, new_case, set_status, surveys


def _text(mime: MimeMessage) -> str:
    for part in mime.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def test_email_survey_goes_out_by_smtp_and_its_link_records_the_rating(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    csat_settings(db)
    ref = new_case(db)
    answer(client, world, ref)
    set_status(client, world, ref, "resolved")
    [survey] = surveys(db)
    assert survey.status == "pending"
    run_channels(db)  # csat.send decides and queues, channels.send delivers
    [survey] = surveys(db)
    assert survey.status == "sent" and survey.channel == "email"
    assert survey.agent_id == world.ids["acme:agent"]
    mails = [email.message_from_bytes(m.content) for m in smtp.recorder.messages]
    assert len(mails) == 2  # the agent's answer, then the survey
    mime = mails[1]
    assert mime["To"] and "julie.martin@example.fr" in mime["To"]
    body = _text(mime)
    links = re.findall(rf"{re.escape(BASE_URL)}/csat/([\w-]+)\?rating=(\d)", body)
    assert [r for _, r in links] == ["1", "2", "3", "4", "5"]
    token = links[3][0]
    assert token == survey.token
    page = client.get(f"/csat/{token}", params={"rating": 4})
    assert page.status_code == 200
    assert 'value="4" checked' in page.text and "<script" not in page.text
    assert surveys(db)[0].status == "sent"  # opening the link records nothing
    done = client.post(f"/csat/{token}", data={"rating": "4", "comment": "Rapide, merci"})
    assert done.status_code == 200 and "Merci pour votre avis" in done.text
    [survey] = surveys(db)
    assert (survey.status, survey.rating, survey.comment) == ("answered", 4, "Rapide, merci")
    bad = client.post(f"/csat/{token}", data={"rating": "9"})
    assert bad.status_code == 422
    assert client.get("/csat/not-a-token").status_code == 404
    with db.reading() as s:
        case = s.scalar(select(Case).where(Case.id == survey.case_id))
        assert case is not None and case.status == "resolved"
        # the survey is a message of the case, marked as such (not an agent's answer)
        out = s.get(Message, survey.message_id)
        assert out is not None and out.meta["kind"] == "csat" and out.delivery_status == "sent"


def test_one_survey_per_case_even_when_resolved_twice(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    csat_settings(db)
    ref = new_case(db)
    answer(client, world, ref)
    set_status(client, world, ref, "resolved")
    run_channels(db)
    set_status(client, world, ref, "open")
    set_status(client, world, ref, "resolved")
    run_channels(db)
    assert [s.status for s in surveys(db)] == ["sent"]
    assert len(smtp.recorder.messages) == 2


def test_quiet_days_and_channels_switched_off(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    csat_settings(db, quiet_days=30)
    first = new_case(db)
    second = new_case(db, text="Autre chose : mon compte est bloqué, commande A-99999")
    assert first != second
    for ref in (first, second):
        set_status(client, world, ref, "resolved")
        run_channels(db)
    one, two = surveys(db)
    assert one.status == "sent"
    assert two.status == "suppressed" and "30 days" in (two.reason or "")
    # switched off on email: suppressed with the reason, nothing sent
    csat_settings(db, channels_off=["email"])
    third = new_case(
        db, text="Bonjour, ma carte cadeau ne marche pas", email="paul.durand@example.fr"
    )
    set_status(client, world, third, "resolved")
    run_channels(db)
    assert surveys(db)[2].status == "suppressed"
    assert "switched off on email" in (surveys(db)[2].reason or "")
    assert len(smtp.recorder.messages) == 1


def test_a_closed_whatsapp_window_suppresses_the_survey(
    db: Database, world: World, client: TestClient
) -> None:
    csat_settings(db)
    [r] = ingest(
        db,
        [
            message(
                channel="whatsapp",
                at=utcnow() - timedelta(days=3),
                text="Bonjour ma commande A-12345 ?",
                whatsapp="33612345678",
            )
        ],
    )
    assert r.reference is not None
    set_status(client, world, r.reference, "resolved")
    run_channels(db)
    [survey] = surveys(db)
    assert survey.status == "suppressed" and "24" in (survey.reason or "")


def test_a_chat_answer_is_recorded_and_does_not_reopen_the_case(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    create_account(
        db, world, box, channel="chat", name="Site chat", address=KEY,
        settings={"allowed_origins": ORIGIN, "away_minutes": 5, "title": "Acme help"},
    )  # fmt: skip
    csat_settings(db)
    ref = new_case(db, channel="chat", text="Bonjour, où en est ma commande A-12345", chat="v-77")
    answer(client, world, ref, text="Bonjour ! Elle arrive demain.")
    set_status(client, world, ref, "resolved")
    run_channels(db)
    [survey] = surveys(db)
    assert survey.status == "sent" and survey.channel == "chat"
    with db.reading() as s:
        prompt = s.get(Message, survey.message_id)
        assert prompt is not None and "1" in (prompt.text or "") and "5" in (prompt.text or "")
    [r] = ingest(
        db,
        [
            message(
                channel="chat",
                at=utcnow(),
                text="5 super merci",
                chat="v-77",
                conversation_id="v-77",
            )
        ],
    )
    [survey] = surveys(db)
    assert (survey.status, survey.rating, survey.comment) == ("answered", 5, "super merci")
    assert survey.answer_message_id == r.message_id
    with db.reading() as s:
        case = s.get(Case, survey.case_id)
        assert case is not None and case.status == "resolved" and case.resolved_at is not None
        assert case.assignee_id is None or case.status == "resolved"
        kinds = list(s.scalars(select(Event.kind).where(Event.case_id == case.id)))
    assert "csat.answered" in kinds
    # a later real question is an ordinary message: it reopens the case
    ingest(
        db,
        [
            message(
                channel="chat",
                at=utcnow(),
                text="Finalement le colis n'est pas là, vous pouvez vérifier ?",
                chat="v-77",
                conversation_id="v-77",
            )
        ],
    )
    with db.reading() as s:
        case = s.get(Case, survey.case_id)
        assert case is not None and case.status == "open"


def test_an_sms_rating_that_opens_a_new_case_goes_back_to_the_surveyed_one(
    db: Database, world: World, client: TestClient
) -> None:
    """Without a thread (SMS), "4/5" may be threaded to a new case: it is folded into
    the surveyed case, which stays resolved, and the new case is never routed."""
    csat_settings(db)
    [r] = ingest(
        db,
        [message(channel="sms", at=utcnow() - timedelta(hours=1), text="Mon colis A-12345 ?",
                 phone="+33612345678")],
    )  # fmt: skip
    assert r.reference is not None
    from omnicase.model import Survey

    with db.transaction() as s:  # a survey sent on SMS (the SMS wire is the SMS tests')
        case = s.get(Case, r.case_id)
        assert case is not None
        case.status, case.resolved_at = "resolved", utcnow()
        s.add(
            Survey(
                brand_id=case.brand_id,
                case_id=case.id,
                customer_id=case.customer_id,
                channel="sms",
                token="t-sms-1",
                status="sent",
                meta={"case_status": "resolved", "resolved_at": utcnow().isoformat()},
                sent_at=utcnow(),
            )
        )
    [answer_row] = ingest(
        db, [message(channel="sms", at=utcnow(), text="4/5", phone="+33612345678")]
    )
    [survey] = surveys(db)
    assert survey.status == "answered" and survey.rating == 4
    with db.reading() as s:
        m = s.get(Message, answer_row.message_id)
        assert m is not None and m.case_id == r.case_id
        case = s.get(Case, r.case_id)
        assert case is not None and case.status == "resolved"
        if answer_row.case_id != r.case_id:
            other = s.get(Case, answer_row.case_id)
            assert other is not None and other.merged_into_id == r.case_id
            assert other.status == "closed" and other.message_count == 0


def test_results_per_team_agent_and_channel_and_who_sees_them(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    csat_settings(db)
    refs = [
        new_case(db, text=f"Commande A-1000{i} abîmée", email=f"c{i}@example.fr") for i in range(3)
    ]
    answer(client, world, refs[0])
    answer(client, world, refs[1], who="callpro:agent")
    answer(client, world, refs[2], who="callpro:agent")
    for ref in refs:
        set_status(client, world, ref, "resolved")
    run_channels(db)
    tokens = [s.token for s in surveys(db)]
    for token, rating in zip(tokens[:2], ("5", "2"), strict=True):
        assert client.post(f"/csat/{token}", data={"rating": rating}).status_code == 200
    start = (utcnow() - timedelta(days=1)).isoformat()
    end = (utcnow() + timedelta(days=1)).isoformat()
    q = {"start": start, "end": end, "by": "agent"}
    brand = client.get("/api/v1/csat", params=q, headers=auth(world.tokens["acme:supervisor"]))
    assert brand.status_code == 200, brand.text
    out = brand.json()
    assert out["total"] == {
        **out["total"],
        "sent": 3,
        "answered": 2,
        "rating_sum": 7,
        "satisfied": 1,
        "csat": 0.5,
    }
    by_agent = {r["key"]: r for r in out["rows"]}
    assert by_agent[world.ids["acme:agent"]]["rating_sum"] == 5
    assert by_agent[world.ids["callpro:agent"]]["sent"] == 2
    provider = client.get(
        "/api/v1/csat",
        params={**q, "brand": "acme", "by": "team"},
        headers=auth(world.tokens["callpro:supervisor"]),
    )
    assert provider.status_code == 200, provider.text
    assert [r["key"] for r in provider.json()["rows"]] == [world.ids["team"]]
    assert provider.json()["total"]["sent"] == 2
    other = client.get(
        "/api/v1/csat", params={**q, "brand": "acme"}, headers=auth(world.tokens["globex:admin"])
    )
    assert other.status_code == 404
    by_channel = client.get(
        "/api/v1/csat", params={**q, "by": "channel"}, headers=auth(world.tokens["acme:viewer"])
    ).json()
    assert [r["key"] for r in by_channel["rows"]] == ["email"]


def test_an_email_reply_to_the_survey_is_the_answer_quote_and_all(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> None:
    email_account(db, world, box, smtp)
    csat_settings(db)
    ref = new_case(db)
    answer(client, world, ref)
    set_status(client, world, ref, "resolved")
    run_channels(db)
    [survey] = surveys(db)
    with db.reading() as s:
        sent = s.get(Message, survey.message_id)
        assert sent is not None
        survey_id = sent.external_id
    quoted = (
        "4 - rapide merci\n\n"
        "Le mar. 2 déc. 2026 à 10:00, Acme Mode <service@acme.example> a écrit :\n"
        "> Bonjour,\n> Votre demande est résolue. Êtes-vous satisfait de notre réponse ?\n"
        "> Cliquez sur une note de 1 (pas du tout) à 5 (très satisfait) :\n" + "> …\n" * 20
    )
    [r] = ingest(
        db,
        [
            message(
                at=utcnow(),
                subject="Re: Votre avis sur notre réponse",
                text=quoted,
                in_reply_to=survey_id,
                email="julie.martin@example.fr",
            )
        ],
    )
    assert r.case_id == survey.case_id
    [survey] = surveys(db)
    assert (survey.status, survey.rating, survey.comment) == ("answered", 4, "rapide merci")
    with db.reading() as s:
        case = s.get(Case, survey.case_id)
        assert case is not None and case.status == "resolved"
