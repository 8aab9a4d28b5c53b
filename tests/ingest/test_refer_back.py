"""A sender nobody knows who refers back to an earlier contact (pure rules, then the
pipeline on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from omnicase.ingest.pipeline import ingest_one
from omnicase.ingest.refer_back import (
    EarlierContact,
    find_earlier_contact,
    name_match,
    name_tokens,
    referenced_channels,
)
from omnicase.model import Case, Message
from omnicase.store.db import Database
from tests.factories import T0, make_world, message

AT = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def contact(
    case_id: int,
    customer_id: int,
    name: str | None,
    channel: str = "email",
    hours_ago: float = 20,
    keywords: frozenset[str] = frozenset(),
) -> EarlierContact:
    return EarlierContact(
        case_id, customer_id, name, frozenset({channel}), keywords, AT - timedelta(hours=hours_ago)
    )


def test_name_tokens_from_names_handles_and_addresses() -> None:
    assert name_tokens("Bethany Crane") == ("bethany", "crane")
    assert name_tokens("beth.crane.home") == ("beth", "crane")
    assert name_tokens("M. Élise Lefèvre") == ("elise", "lefevre")
    assert name_tokens(None, "b.chevalier@example.com") == ("b", "chevalier")
    assert name_tokens(None) == ()


def test_name_match_needs_first_name_and_surname_to_agree() -> None:
    assert name_match(("bethany", "crane"), ("beth", "crane")) == "full"
    assert name_match(("b", "chevalier"), ("bruno", "chevalier")) == "full"
    assert name_match(("marie", "martin"), ("paul", "martin")) is None  # a household
    assert name_match(("camille",), ("camille", "girard")) == "first"
    assert name_match(("camille",), ("claire", "girard")) is None
    assert name_match(("be", "crane"), ("bethany", "crane")) is None  # 2 letters: no
    # a nickname that ends the first name, with the same surname ("bekah.lowe.home")
    assert name_match(("rebekah", "lowe"), ("bekah", "lowe"), handle=True) == "full"
    assert name_match(("elizabeth", "moss"), ("beth", "moss")) == "full"
    assert name_match(("rebekah", "lowe"), ("bekah", "stone")) is None
    # a handle named after the family: as strong as a first name (channel, topic, 72 h)
    assert name_match(("sophie", "baker"), name_tokens("the_bakers_nest"), handle=True) == "first"
    assert name_match(name_tokens("the_bakers_nest"), ("sophie", "baker"), handle=True) == "first"
    assert name_match(("sophie", "baker"), ("paul", "bakers")) is None  # two full names


def test_referenced_channels() -> None:
    assert referenced_channels("Comme demandé sur Instagram, voici") == {"instagram"}
    assert referenced_channels("I spoke to someone on your web chat") == {"chat"}
    assert referenced_channels("j'ai rempli le formulaire hier soir") == {"webform"}
    assert referenced_channels("je vous ai envoyé un mail hier") == {"email"}
    assert referenced_channels("Bonjour, ma commande") == frozenset()


def test_one_full_name_match_is_the_earlier_contact() -> None:
    found = find_earlier_contact(
        ("aurore", "blanchard"),
        frozenset({"email"}),
        frozenset(),
        AT,
        [contact(1, 10, "Aurore Blanchard"), contact(2, 11, "Paul Blanchard")],
    )
    assert found is not None and found.contact.customer_id == 10
    assert found.rule == "same_full_name"


def test_two_people_with_the_same_name_are_not_guessed_between() -> None:
    found = find_earlier_contact(
        ("marie", "martin"),
        frozenset({"email"}),
        frozenset(),
        AT,
        [contact(1, 10, "Marie Martin"), contact(2, 11, "Marie Martin")],
    )
    assert found is None


def test_first_name_only_needs_the_named_channel_a_recent_contact_and_the_topic() -> None:
    named_form = frozenset({"webform"})
    topic = frozenset({"veste", "taille"})
    recent_form = contact(1, 10, "Camille Girard", "webform", hours_ago=15, keywords=topic)
    assert find_earlier_contact(("camille",), named_form, topic, AT, [recent_form])
    # another topic, the same name on another channel, or too long ago: nothing
    assert (
        find_earlier_contact(("camille",), named_form, frozenset({"robe"}), AT, [recent_form])
        is None
    )
    other_channel = contact(1, 10, "Camille Girard", "email", hours_ago=15, keywords=topic)
    assert find_earlier_contact(("camille",), named_form, topic, AT, [other_channel]) is None
    old = contact(1, 10, "Camille Girard", "webform", hours_ago=24 * 5, keywords=topic)
    assert find_earlier_contact(("camille",), named_form, topic, AT, [old]) is None
    # over three days later, a detailed message (three shared words) still names it,
    # up to the two weeks of a full name
    detailed = frozenset({"veste", "taille", "rembours"})
    old_detailed = contact(1, 10, "Camille Girard", "webform", hours_ago=24 * 8, keywords=detailed)
    assert find_earlier_contact(("camille",), named_form, detailed, AT, [old_detailed])
    too_old = contact(1, 10, "Camille Girard", "webform", hours_ago=24 * 15, keywords=detailed)
    assert find_earlier_contact(("camille",), named_form, detailed, AT, [too_old]) is None


def test_a_known_sender_joins_another_record_only_on_a_full_name() -> None:
    topic = frozenset({"pantalon", "taille"})
    mail = contact(1, 10, "Damien Poirier", "email", hours_ago=18, keywords=topic)
    email = frozenset({"email"})
    assert find_earlier_contact(("damien",), email, topic, AT, [mail], known_sender=True) is None
    found = find_earlier_contact(("damien", "poirier"), email, topic, AT, [mail], known_sender=True)
    assert found is not None and found.rule == "same_full_name"


def test_handles_and_names_introduced_in_the_text() -> None:
    from omnicase.ingest.refer_back import best_name, is_handle

    assert is_handle("maiwenn.lgf") and not is_handle("Maïwenn Le Goff")
    assert name_match(("maiwenn", "le", "goff"), ("maiwenn", "lgf"), handle=True) == "first"
    assert name_match(("maiwenn", "le", "goff"), ("maiwenn", "lgf")) is None
    assert best_name(("freya",), "Hi, this is Freya Lindqvist, you asked", "whatsapp") == (
        "freya",
        "lindqvist",
    )
    assert best_name((), "Mme Anouk Delattre, a appelé pour", "phone") == ("anouk", "delattre")
    assert best_name(("damien",), "Damien Poirier, je vous ai écrit", "whatsapp") == (
        "damien",
        "poirier",
    )
    # a greeting is not a name, another first name is not the sender's
    assert best_name((), "Bonjour Madame, je vous ai écrit", "email") == ()
    assert best_name(("paul",), "Hi, this is Freya Lindqvist", "whatsapp") == ("paul",)


def test_anonymous_chat_needs_the_channel_and_the_same_topic() -> None:
    words = frozenset({"topper", "smell", "memory", "foam"})
    chat = contact(1, 10, None, channel="chat", hours_ago=24 * 4, keywords=words)
    refer_chat = frozenset({"chat"})
    found = find_earlier_contact(("chris", "baxter"), refer_chat, words, AT, [chat])
    assert found is not None and found.rule == "same_topic_anonymous"
    other_topic = frozenset({"rug", "collection"})
    assert find_earlier_contact(("chris", "baxter"), refer_chat, other_topic, AT, [chat]) is None


# ---- through the pipeline ------------------------------------------------------------------


def test_messenger_dm_about_yesterdays_email_joins_that_customer_and_case(db: Database) -> None:
    make_world(db)
    mail = ingest_one(
        db,
        message(
            email="aurore.blanchard@example.fr",
            name="Aurore Blanchard",
            text="Bonjour, j'ai reçu un chemisier blanc au lieu de la blouse fleurie en 38.",
        ),
    )
    dm = ingest_one(
        db,
        message(
            channel="messenger",
            messenger="psid-77",
            name="Aurore Blanchard",
            conversation_id="t-77",
            minutes=60 * 30,
            text="Bonsoir, je vous ai envoyé un mail hier pour une erreur d'article "
            "(un chemisier au lieu de la blouse fleurie), des nouvelles ?",
        ),
    )
    assert dm.customer_id == mail.customer_id
    assert dm.case_id == mail.case_id
    with db.reading() as s:
        m = s.get(Message, dm.message_id)
        assert m is not None
        evidence = m.link_detail["customer"][0]
        assert evidence["rule"] == "same_full_name"
        assert evidence["earlier_case"] == mail.case_id


def test_same_name_without_a_reference_back_is_another_customer(db: Database) -> None:
    make_world(db)
    first = ingest_one(
        db, message(email="marie.martin@example.fr", name="Marie Martin", text="Ma robe ?")
    )
    other = ingest_one(
        db,
        message(
            channel="messenger",
            messenger="psid-78",
            name="Marie Martin",
            minutes=120,
            text="Bonjour, avez-vous la veste en 40 ?",
        ),
    )
    assert other.customer_id != first.customer_id


def test_explicit_reply_reopens_a_resolved_case_for_30_days_then_a_follow_up(
    db: Database,
) -> None:
    make_world(db)
    first = ingest_one(db, message(external_id="<r1@x>", text="Échange de taille pour le jean"))
    with db.transaction() as s:
        case = s.get(Case, first.case_id)
        assert case is not None
        case.status, case.resolved_at = "resolved", T0
    late = ingest_one(
        db,
        message(
            external_id="<r2@x>",
            in_reply_to="<r1@x>",
            at=T0 + timedelta(days=9),
            text="Le 36 ne va pas non plus, je préfère être remboursée",
        ),
    )
    assert late.case_id == first.case_id and late.rule == "reply_header"
    with db.transaction() as s:
        case = s.get(Case, first.case_id)
        assert case is not None
        case.status, case.resolved_at = "resolved", T0 + timedelta(days=9)
    too_late = ingest_one(
        db,
        message(
            external_id="<r3@x>",
            in_reply_to="<r2@x>",
            at=T0 + timedelta(days=45),
            text="Le remboursement n'est jamais arrivé",
        ),
    )
    assert too_late.case_id != first.case_id
    with db.reading() as s:
        m = s.scalar(select(Message).where(Message.id == too_late.message_id))
        assert m is not None and m.link_rule == "follow_up_of_closed"
        assert m.link_detail["previous_case"] == first.case_id


def test_allo_on_a_new_number_then_the_explanation_joins_the_emailed_request(
    db: Database,
) -> None:
    """A WhatsApp number nobody knows writes "allo ?", then says who it is and what for:
    the number joins the customer who emailed, and the "allo ?" case is absorbed into
    the emailed request (a merge an agent can undo), not left as a second case."""
    from omnicase.model import CaseLink, Event

    make_world(db)
    mail = ingest_one(
        db,
        message(
            email="damien.poirier@example.fr",
            name="Damien Poirier",
            text="Bonsoir, j'ai commandé un pantalon chino en 42 et j'ai reçu un 38.",
        ),
    )
    wa = {"channel": "whatsapp", "whatsapp": "+33639987455", "name": "Damien"}
    allo = ingest_one(db, message(minutes=60 * 15, text="allo ?", **wa))
    assert allo.case_id != mail.case_id
    explained = ingest_one(
        db,
        message(
            minutes=60 * 15 + 20,
            text="Damien Poirier, je vous ai envoyé un mail hier soir pour le pantalon "
            "en 38 au lieu de 42, c'est urgent",
            **wa,
        ),
    )
    assert explained.customer_id == mail.customer_id
    assert explained.case_id == mail.case_id
    with db.reading() as s:
        absorbed = s.get(Case, allo.case_id)
        assert absorbed is not None and absorbed.merged_into_id == mail.case_id
        moved = s.get(Message, allo.message_id)
        assert moved is not None and moved.case_id == mail.case_id
        link = s.scalar(select(CaseLink).where(CaseLink.source_case_id == allo.case_id))
        assert link is not None and link.detail["rule"] == "absorbed_contentless"
        merged = s.scalar(select(Event).where(Event.kind == "case.merged"))
        assert merged is not None and merged.actor == "system"


def test_a_contentful_case_on_the_same_channel_is_never_absorbed(db: Database) -> None:
    make_world(db)
    wa = {"channel": "whatsapp", "whatsapp": "+33639987456"}
    first = ingest_one(db, message(text="Mon code promo BLACK20 ne marche pas", **wa))
    other = ingest_one(
        db,
        message(minutes=30, text="Autre chose : ma commande A-10001 est arrivée abîmée", **wa),
    )
    assert other.case_id != first.case_id
    with db.reading() as s:
        kept = s.get(Case, first.case_id)
        assert kept is not None and kept.merged_into_id is None


def test_handles_shorten_first_names_and_surnames() -> None:
    assert name_match(("salo", "brchd"), ("salome", "brochard"), handle=True) == "first"
    assert name_match(("tim", "g"), ("timothee", "giraud")) == "first"
    # a short prefix, or another first name, is nobody
    assert name_match(("sal", "brchd"), ("salome", "brochard"), handle=True) is None
    assert name_match(("tim", "g"), ("thomas", "giraud")) is None


def test_a_voicemail_names_the_number_and_a_later_email_finds_it(db: Database) -> None:
    """A missed call makes a nameless record; the voicemail ("Hi, it's Gareth Llewellyn")
    names it; the email that says "I left a voicemail yesterday" then finds that caller."""
    make_world(db)
    phone = {"channel": "phone", "phone": "+447700900739", "brand": "globex"}
    missed = ingest_one(db, message(text="", meta={"outcome": "missed"}, **phone))
    ingest_one(
        db,
        message(
            minutes=2,
            text="Hi, it's Gareth Llewellyn. The Alder garden bench came without its bolt "
            "pack, order GX239401, can someone call me back?",
            meta={"outcome": "voicemail"},
            **phone,
        ),
    )
    mail = ingest_one(
        db,
        message(
            brand="globex",
            email="gareth.llewellyn@example.co.uk",
            name="Gareth Llewellyn",
            minutes=60 * 25,
            text="Morning, I left a voicemail yesterday but haven't had a call back. The "
            "bench came without the bolt pack.",
        ),
    )
    assert mail.customer_id == missed.customer_id
    assert mail.case_id == missed.case_id


def test_signatures_and_handles_given_in_the_text() -> None:
    from omnicase.ingest.refer_back import best_name, mentioned_handles, signed_name

    assert signed_name("c'est pour la veste dont je vous ai parlé hier. Léa Morin") == "Léa Morin"
    assert signed_name("Photo ci-jointe.\nAurore Petit") == "Aurore Petit"
    assert signed_name("Merci beaucoup\nBien Cordialement") is None  # a closing, no name
    assert signed_name("Thanks Tom") is None
    # initials as the display name give way to the signature that spells them out
    assert best_name(("a", "p"), "photo du pull\nAurore Petit", "email") == ("aurore", "petit")
    assert best_name(("paul",), "photo du pull\nAurore Petit", "email") == ("paul",)
    # a first name as the display name, its initial and the surname as the signature
    signed = "le suivi indique toujours le tabac, le transfert est fait ? H. Dufayel"
    assert signed_name(signed) == "H. Dufayel"
    assert best_name(("herve",), signed, "whatsapp") == ("herve", "dufayel")
    assert best_name(("paul",), signed, "whatsapp") == ("paul",)
    text = "comme demandé sur Instagram (mimi.dlc), mail e.delacroix@example.fr, www.acme.fr"
    assert mentioned_handles(text) == ("mimi.dlc",)


def test_a_handle_given_in_the_text_names_the_earlier_contact() -> None:
    dm = contact(1, 10, "mimi.dlc", "instagram", hours_ago=30)
    other = contact(2, 11, "lou.dlc", "instagram", hours_ago=30)
    insta = frozenset({"instagram"})
    sender = ("emilie", "delacroix")
    found = find_earlier_contact(sender, insta, frozenset(), AT, [dm, other], handles=("mimi.dlc",))
    assert found is not None and found.rule == "named_handle" and found.contact.case_id == 1
    assert find_earlier_contact(sender, insta, frozenset(), AT, [dm, other]) is None


def test_email_signed_with_the_name_of_a_messenger_contact_joins_it(db: Database) -> None:
    make_world(db)
    dm = ingest_one(
        db,
        message(
            channel="messenger",
            messenger="psid-4440",
            name="Aurore Petit",
            conversation_id="t-4440",
            text="Bonsoir, le pull de ma commande est arrivé avec un trou sur la manche",
        ),
    )
    mail = ingest_one(
        db,
        message(
            email="apetit.pro@example.fr",
            name="A. P.",
            minutes=60 * 16,
            text="Bonjour,\nphoto du pull troué ci-jointe, comme demandé sur Messenger.\n"
            "Aurore Petit",
        ),
    )
    assert mail.customer_id == dm.customer_id
    assert mail.case_id == dm.case_id


def test_a_handle_may_be_a_nickname_and_a_surname_skeleton() -> None:
    assert name_match(("louise", "ferriere"), ("loulou", "frr"), handle=True) == "first"
    assert name_match(("louise", "ferriere"), ("loulou", "frr")) is None  # not a handle
    assert name_match(("louis", "martin"), ("loulou", "frr"), handle=True) is None
    insta = contact(1, 10, "loulou_frr", "instagram", hours_ago=45, keywords=frozenset({"colis"}))
    refer = frozenset({"instagram"})
    words = frozenset({"colis", "livre"})
    found = find_earlier_contact(("louise", "ferriere"), refer, words, AT, [insta])
    assert found is not None and found.rule == "same_first_name"
    # the same names without the reference to Instagram are not linked
    assert find_earlier_contact(("louise", "ferriere"), frozenset(), words, AT, [insta]) is None


def test_x_handles_given_in_another_channel_and_names_signed_after_a_handle() -> None:
    from omnicase.ingest.refer_back import best_name, x_handles_given

    assert x_handles_given("Your team on X asked me to email (I'm @fergmcd_ on there).") == (
        "fergmcd_",
    )
    # an address is no handle, and a handle needs the text to say it is an X one
    assert x_handles_given("Please write to jo@example.com, I'm on X") == ()
    assert x_handles_given("merci @tomdlr") == ()
    # a handle display name is a pseudonym: the full name signed after an emoji is hers
    text = "La jupe de remplacement est arrivée… et c'est ENCORE une 40 🙄 Justine Carré"
    assert best_name(name_tokens("juju_crr"), text, "instagram", handle=True) == (
        "justine",
        "carre",
    )
    assert best_name(name_tokens("juju_crr"), text, "instagram") == ("juju", "crr")


def test_an_email_giving_the_x_handle_joins_the_mention(db: Database) -> None:
    make_world(db)
    mention = ingest_one(
        db,
        message(
            channel="x",
            x="@fergmcd_",
            name="Fergus McD",
            text="@AcmeMode sent a floor lamp back 3 weeks ago and still no refund",
        ),
    )
    mail = ingest_one(
        db,
        message(
            email="f.mcdonald@example.co.uk",
            name="F. McDonald",
            minutes=300,
            text="Hi, your team on X asked me to email (I'm @fergmcd_ on there). "
            "Still no refund for the lamp I sent back.",
        ),
    )
    assert mail.customer_id == mention.customer_id
    assert mail.case_id == mention.case_id
    with db.reading() as s:
        m = s.get(Message, mail.message_id)
        assert m is not None
        assert m.link_detail["customer"][0]["rule"] == "revealed_x"


def test_a_relatives_contact_named_in_the_text_is_the_earlier_contact(db: Database) -> None:
    """The daughter wrote on WhatsApp about the jumper her mother bought; the mother's
    email names her ("Ma fille Elsa vous a écrit sur WhatsApp"): the same request."""
    from omnicase.ingest.refer_back import relative_name

    assert relative_name("Bonsoir, ma fille Elsa vous a écrit sur WhatsApp samedi") == ("elsa",)
    assert relative_name("my husband, Tom, called you on Monday") == ("tom",)
    assert relative_name("mon mari a appelé hier") == ()
    # a subject ending "… pour ma fille" is followed by the greeting, not by her name
    assert relative_name("échange pull pour ma fille\nBonsoir,\nMa fille Elsa vous a écrit") == (
        "elsa",
    )
    make_world(db)
    daughter = ingest_one(
        db,
        message(
            channel="whatsapp",
            whatsapp="+33639985261",
            name="Elsa",
            text="Bonjour ! Ma mère m'a offert un pull col roulé vert, il est trop petit, "
            "je peux l'échanger contre un L ?",
        ),
    )
    mother = ingest_one(
        db,
        message(
            email="m.gallois@example.fr",
            name="Martine Gallois",
            minutes=60 * 30,
            text="Bonsoir, ma fille Elsa vous a écrit sur WhatsApp pour le pull col roulé "
            "vert que je lui ai offert : voici le numéro de commande.",
        ),
    )
    assert mother.case_id == daughter.case_id
    # without the relative's name, a stranger's email about a jumper is another request
    stranger = ingest_one(
        db,
        message(
            email="c.dupuis@example.fr",
            name="Claire Dupuis",
            minutes=60 * 31,
            text="Bonsoir, je vous ai écrit sur WhatsApp pour un pull col roulé vert trop petit",
        ),
    )
    assert stranger.case_id != daughter.case_id


def test_a_known_number_naming_who_emailed_joins_that_request(db: Database) -> None:
    """Her partner emailed about her armchair; her WhatsApp number first sent a photo
    alone (so it is known), then "Jasper emailed you about my chair": his request."""
    from omnicase.ingest.refer_back import relative_name

    assert relative_name("Jasper emailed you about my chair yesterday, pics x Willow") == (
        "jasper",
    )
    assert relative_name("Bonjour, Paul vous a écrit hier pour la lampe") == ("paul",)
    assert relative_name("She emailed you yesterday. I emailed you too") == ()
    make_world(db)
    partner = ingest_one(
        db,
        message(
            email="jasper.kell@example.com",
            name="Jasper Kell",
            text="Hi, writing for my partner: the velvet armchair she ordered arrived with "
            "a split seam on the left arm.",
        ),
    )
    first = ingest_one(
        db,
        message(channel="whatsapp", whatsapp="+447700900121", name="Willow", minutes=60 * 16),
    )
    assert first.case_id != partner.case_id
    named = ingest_one(
        db,
        message(
            channel="whatsapp",
            whatsapp="+447700900121",
            name="Willow",
            minutes=60 * 16 + 1,
            text="Jasper emailed you about my armchair yesterday, here are the pics of the seam",
        ),
    )
    assert named.case_id == partner.case_id
    # the same words from a number whose sender names nobody stay apart
    other = ingest_one(
        db,
        message(
            channel="whatsapp",
            whatsapp="+447700900122",
            name="Rowan",
            minutes=60 * 16 + 2,
            text="I emailed you about my armchair yesterday, here are the pics of the seam",
        ),
    )
    assert other.case_id != partner.case_id


def test_an_email_finds_the_instagram_handle_named_after_the_family(db: Database) -> None:
    make_world(db)
    dm = ingest_one(
        db,
        message(
            channel="instagram",
            instagram="igsid-459",
            name="the_bakers_nest",
            conversation_id="ig-t-459",
            text="Hi! Our dining table was supposed to arrive last Friday, nothing yet",
        ),
    )
    mail = ingest_one(
        db,
        message(
            email="sophie.baker@example.co.uk",
            name="Sophie Baker",
            minutes=60 * 16,
            text="Hi, I messaged you on Instagram about our dining table. Sophie Baker",
        ),
    )
    assert mail.customer_id == dm.customer_id and mail.case_id == dm.case_id
