"""The ingestion pipeline end to end on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select

from omnicase.ingest.pipeline import IngestStatus, ingest, ingest_one
from omnicase.model import Case, Customer, Event, Identity, Message
from omnicase.store.db import Database
from tests.factories import make_world, message


def count(db: Database, model: type) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_new_message_creates_customer_case_and_events(db: Database) -> None:
    make_world(db)
    r = ingest_one(
        db,
        message(
            email="Julie.Martin@Example.FR",
            subject="Commande A-10492",
            text="Bonjour, ma commande A-10492 n'est pas arrivée.",
        ),
    )
    assert r.status is IngestStatus.created
    assert r.reference == f"AC-{r.case_id:06d}"
    with db.reading() as s:
        case = s.get(Case, r.case_id)
        assert case is not None
        assert case.status == "new" and case.channel == "email"
        assert case.order_numbers == ["A-10492"]
        assert case.message_count == 1 and case.first_inbound_at is not None
        ident = s.scalars(select(Identity)).one()
        assert (ident.kind, ident.value) == ("email", "julie.martin@example.fr")
        kinds = sorted(e.kind for e in s.scalars(select(Event).where(Event.case_id == r.case_id)))
        assert kinds == ["case.created", "message.received"]
        m = s.get(Message, r.message_id)
        assert m is not None and m.link_rule == "new_request"


def test_same_external_id_twice_is_a_duplicate_and_stores_nothing(db: Database) -> None:
    make_world(db)
    first = ingest_one(db, message(external_id="<dup@x>"))
    before = (count(db, Message), count(db, Event), count(db, Case))
    again = ingest_one(db, message(external_id="<dup@x>", text="changed text"))
    assert again.status is IngestStatus.duplicate
    assert (again.message_id, again.case_id) == (first.message_id, first.case_id)
    assert (count(db, Message), count(db, Event), count(db, Case)) == before


def test_duplicate_inside_one_batch(db: Database) -> None:
    make_world(db)
    a, b = ingest(db, [message(external_id="<same@x>"), message(external_id="<same@x>")])
    assert a.status is IngestStatus.created and b.status is IngestStatus.duplicate
    assert count(db, Message) == 1


def test_unknown_brand_is_invalid_and_does_not_stop_the_others(db: Database) -> None:
    make_world(db)
    results = ingest(db, [message(brand="nope"), message()])
    assert results[0].status is IngestStatus.invalid
    assert results[0].errors == [{"field": "brand", "reason": "no brand named 'nope'"}]
    assert results[1].status is IngestStatus.created


def test_bad_phone_names_the_field(db: Database) -> None:
    make_world(db)
    r = ingest_one(db, message(channel="sms", phone="not a number"))
    assert r.status is IngestStatus.invalid
    assert r.errors[0]["field"] == "from.phone"
    assert count(db, Message) == 0


def test_phone_formats_are_one_customer_and_whatsapp_is_the_same_number(db: Database) -> None:
    make_world(db)
    a = ingest_one(db, message(channel="sms", phone="06 12 34 56 78", text="Ma commande A-11111?"))
    b = ingest_one(
        db,
        message(
            channel="phone",
            phone="+33 6 12 34 56 78",
            minutes=5,
            text="Appel: commande A-11111 pas reçue",
            meta={"call_id": "c1", "outcome": "answered"},
        ),
    )
    c = ingest_one(
        db,
        message(
            channel="whatsapp",
            whatsapp="+33612345678",
            minutes=9,
            text="toujours rien pour A-11111",
        ),
    )
    assert a.customer_id == b.customer_id == c.customer_id
    assert a.case_id == b.case_id == c.case_id


def test_email_revealed_in_a_dm_links_the_customer_across_channels(db: Database) -> None:
    make_world(db)
    mail = ingest_one(
        db, message(email="julie.martin@example.fr", text="Ma commande A-10492 n'est pas arrivée")
    )
    dm = ingest_one(
        db,
        message(
            channel="messenger",
            messenger="psid-1",
            minutes=60,
            conversation_id="t1",
            text="Bonjour, j'ai écrit par mail (julie.martin@example.fr) "
            "pour mon colis, des nouvelles ?",
        ),
    )
    assert dm.customer_id == mail.customer_id
    assert dm.case_id == mail.case_id
    with db.reading() as s:
        idents = {i.kind: i for i in s.scalars(select(Identity))}
        assert set(idents) == {"email", "messenger"}
        assert idents["messenger"].source_message_id == dm.message_id
        assert idents["email"].source_message_id == mail.message_id
        m = s.get(Message, dm.message_id)
        assert m is not None and m.link_detail["customer"][0]["rule"] == "revealed_email"


def test_an_address_spelled_out_in_call_notes_links_the_caller(db: Database) -> None:
    make_world(db)
    mail = ingest_one(
        db,
        message(email="fiona.keane@example.co.uk", text="My order A-20417 has not arrived."),
    )
    call = ingest_one(
        db,
        message(
            channel="phone",
            phone="+447700900123",
            minutes=90,
            text="Caller chasing a parcel, emailed earlier. Gave her address as "
            "f-i-o-n-a point k-e-a-n-e arobase example point co point uk.",
        ),
    )
    assert call.customer_id == mail.customer_id
    assert call.case_id == mail.case_id
    with db.reading() as s:
        m = s.get(Message, call.message_id)
        assert m is not None and m.link_detail["customer"][0]["rule"] == "revealed_email"


def test_order_number_known_on_another_identity_links_the_customer(db: Database) -> None:
    make_world(db)
    mail = ingest_one(db, message(email="a@example.fr", text="Commande A-20001 incomplète"))
    call = ingest_one(
        db,
        message(
            channel="phone",
            phone="0700000001",
            minutes=30,
            text="Client appelle pour la commande A-20001",
        ),
    )
    assert call.customer_id == mail.customer_id and call.case_id == mail.case_id


def test_two_requests_same_day_stay_two_cases(db: Database) -> None:
    make_world(db)
    a = ingest_one(db, message(text="Ma commande A-10001 n'est pas livrée, colis bloqué"))
    b = ingest_one(
        db,
        message(
            minutes=20,
            subject="Code promo",
            text="Bonjour, mon code promo NOEL20 ne fonctionne pas",
        ),
    )
    assert a.customer_id == b.customer_id
    assert a.case_id != b.case_id


def test_different_order_numbers_are_different_cases(db: Database) -> None:
    make_world(db)
    a = ingest_one(db, message(text="Colis de la commande A-10001 pas reçu"))
    b = ingest_one(db, message(minutes=10, text="Colis de la commande A-10002 pas reçu"))
    assert a.case_id != b.case_id


def test_reply_header_threads_and_reopens_a_resolved_case(db: Database) -> None:
    make_world(db)
    first = ingest_one(db, message(external_id="<q1@x>", text="Question sur ma taille"))
    with db.transaction() as s:
        case = s.get(Case, first.case_id)
        assert case is not None
        case.status, case.resolved_at = "resolved", case.created_at
    reply = ingest_one(
        db,
        message(
            external_id="<q2@x>",
            in_reply_to="<q1@x>",
            minutes=60,
            text="Merci, mais la taille ne va toujours pas",
        ),
    )
    assert reply.case_id == first.case_id and reply.rule == "reply_header"
    with db.reading() as s:
        case = s.get(Case, first.case_id)
        assert case is not None and case.status == "open" and case.resolved_at is None
        assert s.scalar(select(Event.kind).where(Event.kind == "case.reopened")) is not None


def test_case_reference_in_subject_threads(db: Database) -> None:
    make_world(db)
    first = ingest_one(db, message(text="Problème de paiement carte refusée"))
    again = ingest_one(
        db,
        message(
            channel="webform", minutes=90, subject=f"Re: [{first.reference}]", text="Voir ci-dessus"
        ),
    )
    assert again.case_id == first.case_id and again.rule == "case_reference"


def test_same_address_at_two_brands_is_two_customers(db: Database) -> None:
    make_world(db)
    a = ingest_one(db, message(brand="acme", email="x@example.com", text="Commande A-10001"))
    b = ingest_one(db, message(brand="globex", email="x@example.com", text="Order GX123456"))
    assert a.customer_id != b.customer_id and a.case_id != b.case_id
    assert count(db, Customer) == 2


def test_outbound_answer_sets_first_response(db: Database) -> None:
    make_world(db)
    q = ingest_one(
        db,
        message(
            channel="instagram",
            instagram="ig-1",
            conversation_id="c",
            text="Où en est ma commande A-30003 ?",
        ),
    )
    a = ingest_one(
        db,
        message(
            channel="instagram",
            instagram="ig-1",
            conversation_id="c",
            direction="outbound",
            minutes=15,
            text="Bonjour, votre commande A-30003 part demain.",
        ),
    )
    assert a.case_id == q.case_id
    with db.reading() as s:
        case = s.get(Case, q.case_id)
        assert case is not None
        assert case.first_response_at is not None and case.status == "open"
        assert (case.first_response_at - case.first_inbound_at).total_seconds() == 15 * 60


def test_replaying_batches_is_idempotent(db: Database) -> None:
    """Batches split at any size land each message exactly once, and a replay adds none."""
    make_world(db)
    ok = [message(email=f"p{i}@example.fr", text=f"Commande A-4000{i}") for i in range(3)]
    results = ingest(db, ok, batch_size=2)
    assert all(r.status is IngestStatus.created for r in results)
    assert count(db, Message) == 3
    again = ingest(db, ok, batch_size=2)
    assert all(r.status is IngestStatus.duplicate for r in again)
    assert count(db, Message) == 3


def test_unparseable_second_identity_is_ignored_with_a_warning(db: Database) -> None:
    """A number that is no number anywhere must not lose the contact."""
    make_world(db)
    r = ingest_one(
        db,
        message(
            channel="webform",
            email="isla@example.co.uk",
            phone="1234 5678 9012 34567",  # 17 digits: possible in no country
            text="Where is my order A-55555?",
        ),
    )
    assert r.status is IngestStatus.created
    with db.reading() as s:
        m = s.get(Message, r.message_id)
        assert m is not None
        assert m.link_detail["ignored_identities"] == [
            {"field": "from.phone", "reason": "not a possible phone number"}
        ]
        assert {i.kind for i in s.scalars(select(Identity))} == {"email"}


def test_drama_numbers_written_nationally_to_a_foreign_brand_are_read(db: Database) -> None:
    """Ofcom's drama range (07700 900xxx) is possible but unassigned: a UK customer of the
    demo writing it to a French brand is still one phone identity, not a lost signal."""
    make_world(db)
    r = ingest_one(db, message(channel="sms", phone="07700 900123", text="Colis A-55556 ?"))
    assert r.status is IngestStatus.created
    with db.reading() as s:
        assert {(i.kind, i.value) for i in s.scalars(select(Identity))} == {
            ("phone", "+447700900123")
        }


def test_whatsapp_wa_id_without_plus_is_the_same_number(db: Database) -> None:
    make_world(db)
    a = ingest_one(db, message(channel="whatsapp", whatsapp="33612345678", text="Colis A-77777 ?"))
    b = ingest_one(
        db,
        message(
            channel="sms", phone="06 12 34 56 78", minutes=3, text="C'est pour le colis A-77777"
        ),
    )
    assert a.customer_id == b.customer_id and a.case_id == b.case_id


def test_uk_mobile_without_country_code_at_a_french_brand_is_read_as_uk(db: Database) -> None:
    make_world(db)
    a = ingest_one(db, message(channel="sms", phone="07474 425617", text="Order A-12121 late"))
    b = ingest_one(
        db,
        message(channel="whatsapp", whatsapp="447474425617", minutes=4, text="A-12121 ??"),
    )
    assert a.status is IngestStatus.created and a.customer_id == b.customer_id
    with db.reading() as s:
        values = {i.value for i in s.scalars(select(Identity))}
    assert values == {"+447474425617"}


def test_reply_on_a_resolved_thread_about_something_else_is_a_new_case(db: Database) -> None:
    make_world(db)
    first = ingest_one(db, message(external_id="<t1@x>", text="Question sur ma taille de robe"))
    with db.transaction() as s:
        case = s.get(Case, first.case_id)
        assert case is not None
        case.status, case.resolved_at = "resolved", case.created_at
    other = ingest_one(
        db,
        message(
            external_id="<t2@x>",
            in_reply_to="<t1@x>",
            minutes=90,
            text="Rien à voir avec la robe : j'ai été débité deux fois hier.",
        ),
    )
    assert other.case_id != first.case_id
    with db.reading() as s:
        m = s.get(Message, other.message_id)
        assert m is not None and m.link_detail["previous_case"] == first.case_id


def test_a_second_request_in_the_same_chat_session_opens_its_own_case(db: Database) -> None:
    make_world(db)
    chat = {"channel": "chat", "chat": "v-1", "conversation_id": "s-1"}
    first = ingest_one(db, message(text="Bonjour, ma commande A-10001 n'est pas arrivée", **chat))
    detail = ingest_one(
        db, message(minutes=2, text="Et aussi le numéro de suivi ne marche pas", **chat)
    )
    other = ingest_one(
        db,
        message(
            minutes=4,
            text="Merci. Autre chose : j'ai été débitée deux fois pour la commande A-10077",
            **chat,
        ),
    )
    after = ingest_one(db, message(minutes=5, text="c'était le 3 novembre", **chat))
    assert detail.case_id == first.case_id  # "et aussi" alone adds to the same request
    assert other.case_id != first.case_id
    assert after.case_id == other.case_id  # the session now continues the second request
