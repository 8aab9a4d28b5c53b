"""The cross-channel decision in isolation (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from omnicase.ingest.threading import (
    CaseState,
    MessageFeatures,
    ReopenWindow,
    choose_case,
    score_case,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
WINDOW = ReopenWindow(7, "UTC")


def case(cid: int = 1, **kw: object) -> CaseState:
    base: dict[str, object] = dict(
        id=cid,
        customer_id=1,
        status="open",
        channel="email",
        reason="delivery",
        reason_confidence=0.9,
        language="fr",
        priority=0,
        orders=set(),
        keywords=set(),
        conversations=set(),
        message_count=1,
        first_inbound_at=T0,
        first_response_at=None,
        last_inbound_at=T0,
        last_message_at=T0,
        resolved_at=None,
        created_at=T0,
    )
    base.update(kw)
    return CaseState(**base)  # type: ignore[arg-type]


def msg(**kw: object) -> MessageFeatures:
    base: dict[str, object] = dict(
        at=T0 + timedelta(hours=2),
        channel="sms",
        direction="inbound",
        orders=frozenset(),
        reason="other",
        reason_confidence=0.0,
        keywords=frozenset(),
        follow_up=False,
        conversation=None,
        contentless=False,
    )
    base.update(kw)
    return MessageFeatures(**base)  # type: ignore[arg-type]


def test_shared_order_number_attaches() -> None:
    d = choose_case([case(orders={"A-10001"})], msg(orders=frozenset({"A-10001"})), WINDOW)
    assert d.case is not None and d.rule == "order_number"


def test_different_order_number_never_attaches_even_if_chasing() -> None:
    d = choose_case(
        [case(orders={"A-10001"})], msg(orders=frozenset({"A-10002"}), follow_up=True), WINDOW
    )
    assert d.case is None


def test_confidently_different_reason_is_a_new_request() -> None:
    score, _, detail = score_case(
        case(reason="delivery"), msg(reason="promotion", reason_confidence=0.9)
    )
    assert score < 0 and detail["different_reason"] == ["delivery", "promotion"]


def test_chase_goes_to_the_most_recent_open_case() -> None:
    older = case(1, last_message_at=T0)
    newer = case(2, last_message_at=T0 + timedelta(hours=1))
    d = choose_case([older, newer], msg(follow_up=True), WINDOW)
    assert d.case is newer and d.rule == "follow_up"


def test_resolved_case_outside_the_window_is_not_a_candidate() -> None:
    old = case(status="resolved", resolved_at=T0 - timedelta(days=8), orders={"A-1"})
    d = choose_case([old], msg(orders=frozenset({"A-1"})), WINDOW)
    assert d.case is None


def test_merged_case_is_not_a_candidate() -> None:
    d = choose_case(
        [case(merged_into_id=9, orders={"A-1"})], msg(orders=frozenset({"A-1"})), WINDOW
    )
    assert d.case is None


def test_missed_call_joins_the_open_case() -> None:
    d = choose_case([case()], msg(channel="phone", contentless=True), WINDOW)
    assert d.case is not None and d.rule == "recent_open_case"


def test_a_follow_up_continues_a_request_resolved_beyond_the_window() -> None:
    resolved = case(
        status="resolved",
        resolved_at=T0,
        orders={"A-24218"},
        keywords={"colis", "retour", "doudoune"},
        reason="return",
    )
    later = T0 + timedelta(days=14)
    reply_window = ReopenWindow(30, "UTC")
    chase = msg(at=later, orders=frozenset({"A-24218"}), follow_up=True, reason="refund")
    assert choose_case([resolved], chase, WINDOW, reply_window).case is resolved
    # without a chase, or past the reply window, or about another order: a new request
    plain = msg(at=later, orders=frozenset({"A-24218"}))
    assert choose_case([resolved], plain, WINDOW, reply_window).case is None
    too_late = msg(at=T0 + timedelta(days=40), orders=frozenset({"A-24218"}), follow_up=True)
    assert choose_case([resolved], too_late, WINDOW, reply_window).case is None
    other = msg(at=later, orders=frozenset({"A-99999"}), follow_up=True)
    assert choose_case([resolved], other, WINDOW, reply_window).case is None


def test_words_about_one_case_beat_being_next_in_the_conversation() -> None:
    lamp = case(1, keywords={"lamp", "switch"}, channel="messenger", last_channel="messenger")
    duvet = case(
        2,
        keywords={"duvet", "processing"},
        channel="messenger",
        last_channel="messenger",
        last_message_at=T0 + timedelta(hours=2),
    )
    chase = msg(
        at=T0 + timedelta(hours=2, minutes=1),
        channel="messenger",
        keywords=frozenset({"lamp"}),
        follow_up=True,
    )
    assert choose_case([lamp, duvet], chase, WINDOW).case is lamp
    # the same chase with no words of either case goes on with the latest one
    bare = msg(at=T0 + timedelta(hours=2, minutes=1), channel="messenger", follow_up=True)
    assert choose_case([lamp, duvet], bare, WINDOW).case is duvet


def test_a_report_back_on_what_was_sent_reopens_the_case_it_is_about() -> None:
    done = case(
        status="resolved",
        resolved_at=T0 + timedelta(hours=1),
        first_response_at=T0 + timedelta(hours=1),
        keywords={"kettle", "leak", "replacement"},
    )
    later = T0 + timedelta(days=5)
    report = msg(at=later, channel="email", keywords=frozenset({"kettle", "morning"}))
    assert choose_case([done], report, WINDOW).case is None  # no continuity: a new request
    back = msg(
        at=later, channel="email", keywords=frozenset({"kettle", "morning"}), reports_back=True
    )
    assert choose_case([done], back, WINDOW).case is done
    # the report back is about another case's words: no reason to reopen this one
    elsewhere = msg(at=later, channel="email", keywords=frozenset({"pull"}), reports_back=True)
    assert choose_case([done], elsewhere, WINDOW).case is None


def test_reports_back_needs_the_sent_thing_and_how_it_went() -> None:
    from omnicase.ingest.prepare import reports_back

    assert reports_back("Just to let you know the new one came this morning, no leak")
    assert reports_back("le colis que vous m'avez renvoyé n'est jamais arrivé non plus")
    assert not reports_back("I'd like a replacement please")
    assert not reports_back("The lamp arrived without a plug. Want a replacement.")
    assert reports_back("le colis de remplacement n'est jamais arrivé")
    assert not reports_back("Le colis est arrivé ouvert")
    assert reports_back("J'ai reçu la jupe de l'échange ce matin mais c'est encore un 38 !")
    assert reports_back("The exchanged one is the wrong size again")
    assert not reports_back("Je souhaite faire un échange, encore merci")


def test_a_step_done_as_the_agent_asked_continues_the_answered_request() -> None:
    """Three days after the agent asked for the return: "j'ai déposé la robe au relais,
    vous l'avez ?" on another channel, the reasons read differently (delivery, return)."""
    asked = case(
        reason="return",
        first_response_at=T0 + timedelta(hours=5),
        last_message_at=T0 + timedelta(hours=5),
        keywords={"robe", "taille", "echange", "relais"},
    )
    words: dict[str, object] = dict(
        at=T0 + timedelta(days=3, hours=9),
        channel="whatsapp",
        reason="delivery",
        reason_confidence=0.9,
        keywords=frozenset({"robe", "relais", "deposee"}),
    )
    assert choose_case([asked], msg(**words), WINDOW).case is None  # alone: too little
    done = msg(**words, did_step=True)
    assert choose_case([asked], done, WINDOW).case is asked
    # a request nobody answered yet asked for no step
    unanswered = case(reason="return", keywords={"robe", "taille"}, first_response_at=None)
    assert choose_case([unanswered], done, WINDOW).case is None


def test_did_step_reads_the_step_done_or_what_the_agent_arranged() -> None:
    from omnicase.ingest.prepare import did_step

    assert did_step("Bonsoir ! J'ai déposé la robe au relais mardi, c'est bon vous l'avez ?")
    assert did_step("Hi again - nobody came yesterday, I waited in all day with the rug")
    assert did_step("I've posted it back this morning")
    assert did_step("le livreur n'est jamais passé")
    assert not did_step("Bonjour, je voudrais retourner ma robe")
    assert not did_step("Can I drop it at a post office?")
    assert did_step("courier never turned up on friday, stayed in all day for nothing")
    assert not did_step("Will the courier come on Friday?")


def test_how_the_arranged_collection_went_reopens_the_resolved_request() -> None:
    """The agent booked a collection and resolved; five days later "courier never turned
    up on friday, kettle still sat here": the same request, whatever reason it reads."""
    booked = case(
        status="resolved",
        resolved_at=T0,
        reason="refund",
        keywords={"kettl", "couri", "collect", "friday"},
        first_response_at=T0,
    )
    later = T0 + timedelta(days=5)
    report = msg(
        at=later,
        reason="delivery",
        reason_confidence=0.5,
        keywords=frozenset({"couri", "kettl", "box", "stay"}),
        did_step=True,
    )
    assert choose_case([booked], report, WINDOW).case is booked
    same_words = msg(
        at=later,
        reason="delivery",
        reason_confidence=0.5,
        keywords=frozenset({"couri", "kettl", "box", "stay"}),
    )
    assert choose_case([booked], same_words, WINDOW).case is None


def test_the_end_of_an_order_number_names_that_request() -> None:
    from omnicase.ingest.prepare import order_tails

    late = case(1, orders={"A-42507"}, last_message_at=T0)
    exchange = case(2, orders={"A-42519"}, reason="return", last_message_at=T0 + timedelta(hours=1))
    thanks = msg(acknowledgement=True, order_tails=order_tails("colis reçu enfin !! la 507.", []))
    assert choose_case([late, exchange], thanks, WINDOW).case is late
    assert choose_case([late, exchange], msg(acknowledgement=True), WINDOW).case is exchange
    # amounts, sizes, dates and years are no order numbers
    assert order_tails("paid 120 € for 120cm, on 12/11/2026, 45,90", []) == frozenset()


def test_a_thank_you_closes_the_open_request_over_a_resolved_one() -> None:
    resolved = case(
        1,
        status="resolved",
        resolved_at=T0 + timedelta(hours=3),
        last_message_at=T0 + timedelta(hours=3),
    )
    still_open = case(2, reason="promotion", last_message_at=T0 + timedelta(hours=2))
    thanks = msg(at=T0 + timedelta(hours=5), acknowledgement=True)
    assert choose_case([resolved, still_open], thanks, WINDOW).case is still_open
    assert choose_case([resolved], thanks, WINDOW).case is resolved  # 129, 158


def test_call_notes_naming_an_open_cases_order_go_to_that_case_not_the_empty_one() -> None:
    """A missed call opened an empty case; the next call's notes name the order of the
    request already open: the notes belong to that request."""
    order_case = case(1, orders={"A-46812"}, last_message_at=T0 - timedelta(days=8))
    empty = case(2, channel="phone", reason="other", reason_confidence=0.0)
    notes = msg(channel="phone", orders=frozenset({"A-46812"}), follow_up=True)
    assert choose_case([order_case, empty], notes, WINDOW).case is order_case
    # with no order elsewhere, the notes still complete the empty case
    plain = msg(channel="phone", keywords=frozenset({"colis", "rembours"}))
    d = choose_case([empty], plain, WINDOW)
    assert d.case is empty and d.rule == "completes_empty_case"


def test_a_reminder_of_what_was_promised_is_a_follow_up() -> None:
    from omnicase.understand import OrderMatcher, analyse

    orders = OrderMatcher([r"A-\d{5}"])
    for text in (
        "Toujours pas reçu le nouvel envoi, on m'avait dit que vous renvoyiez le colis",
        "Still nothing here, I was told it would be resent on Monday",
        "You promised a refund within 5 days",
        "bonjour, j'ai envoyé le formulaire hier soir pour la ceinture",
    ):
        assert analyse(text, orders).follow_up, text
    assert not analyse("Je souhaite renvoyer ce pull, il est trop grand", orders).follow_up


def test_a_text_right_after_our_call_attempt_answers_that_call() -> None:
    """We called (no answer); seven minutes later the customer texts "can you call back
    in 10 min?": the reply to our call, on the call's case."""
    called = case(
        1,
        channel="instagram",
        first_response_at=T0,
        last_direction="outbound",
        last_channel="phone",
        last_message_at=T0 + timedelta(hours=1),
    )
    text = msg(at=T0 + timedelta(hours=1, minutes=7), keywords=frozenset({"metro", "rappel"}))
    d = choose_case([called], text, WINDOW)
    assert d.case is called and d.detail.get("replies_to_agent") is True
    # a WhatsApp is another app, not the number we called
    other_app = msg(
        at=T0 + timedelta(hours=1, minutes=7),
        channel="whatsapp",
        keywords=frozenset({"metro", "rappel"}),
    )
    assert "replies_to_agent" not in choose_case([called], other_app, WINDOW).detail


def test_an_old_order_given_as_an_answer_does_not_reopen_its_case() -> None:
    """Asked to verify an account change, the customer gives "last order was GX501590",
    the order of a request resolved two days ago: the answer stays on the open request."""
    old = case(1, status="resolved", resolved_at=T0, orders={"GX501590"}, channel="messenger")
    asking = case(
        2,
        channel="messenger",
        reason="account",
        keywords={"email", "chang", "account", "old"},
        conversations={"messenger:t1"},
        first_response_at=T0 + timedelta(days=2),
        last_direction="outbound",
        last_channel="messenger",
        last_message_at=T0 + timedelta(days=2),
        created_at=T0 + timedelta(days=2),
    )
    answer = msg(
        at=T0 + timedelta(days=2, minutes=25),
        channel="messenger",
        orders=frozenset({"GX501590"}),
        keywords=frozenset({"email", "old", "postcod"}),
        conversation="messenger:t1",
    )
    assert choose_case([old, asking], answer, WINDOW).case is asking
    # with nothing asked on another case, the order reopens its request
    alone = msg(at=T0 + timedelta(days=2), orders=frozenset({"GX501590"}), follow_up=True)
    assert choose_case([old], alone, WINDOW).case is old


def test_a_report_on_the_exchange_reopens_it_past_the_reopen_window() -> None:
    """Ten days after the resolve, a new email thread: "la jupe de l'échange… encore un
    38": the exchange did not work, the same request (inside the 30-day reply window)."""
    resolved = case(status="resolved", resolved_at=T0, orders={"A-51105"}, reason="return")
    later = T0 + timedelta(days=10)
    report = msg(at=later, channel="email", orders=frozenset({"A-51105"}), reports_back=True)
    reply_window = ReopenWindow(30, "UTC")
    assert choose_case([resolved], report, WINDOW, reply_window).case is resolved
    plain = msg(at=later, channel="email", orders=frozenset({"A-51105"}))
    assert choose_case([resolved], plain, WINDOW, reply_window).case is None


def test_an_agent_message_following_up_a_chat_goes_to_the_chat_request() -> None:
    """ "Suite à votre échange sur le chat du 5 novembre : le solde de votre carte cadeau…"
    goes to the request that came by chat, not to the one the customer wrote on last."""
    from omnicase.ingest.refer_back import agent_followed_channels

    assert agent_followed_channels("Bonjour, suite à votre échange sur le chat du 5/11") == {"chat"}
    assert agent_followed_channels("As discussed on the phone this morning, here is") == {"phone"}
    # the signature's "call us" or "chat with us" is no follow-up
    assert not agent_followed_channels("Your refund is done. Call us or chat with us 24/7.")
    chat = case(1, channel="chat", reason="promotion", last_message_at=T0)
    mail = case(
        2,
        channel="email",
        channels={"email", "sms"},
        last_inbound_at=T0 + timedelta(days=4),
        last_message_at=T0 + timedelta(days=4),
    )
    answer = msg(
        at=T0 + timedelta(days=5),
        channel="email",
        direction="outbound",
        agent_refers_to=frozenset({"chat"}),
    )
    assert choose_case([chat, mail], answer, WINDOW).case is chat
    plain = msg(at=T0 + timedelta(days=5), channel="email", direction="outbound")
    assert choose_case([chat, mail], plain, WINDOW).case is mail


def test_a_thank_you_about_one_request_does_not_fill_an_empty_case() -> None:
    """A missed call opened an empty case; "la ceinture est arrivée, merci" is about the
    belt's open request, whose words it shares."""
    belt = case(1, keywords={"ceintur", "rob"}, last_message_at=T0)
    refund = case(2, keywords={"rembours", "bottin"}, reason="refund", last_message_at=T0)
    empty = case(3, channel="phone", reason="other", reason_confidence=0.0, last_message_at=T0)
    thanks = msg(keywords=frozenset({"ceintur", "arriv", "matin"}), acknowledgement=True)
    assert choose_case([belt, refund, empty], thanks, WINDOW).case is belt


def test_a_thank_you_s_reason_is_no_evidence_for_a_resolved_case() -> None:
    """Two orders on one WhatsApp: the late parcel (resolved) and the boots' return (open,
    answered). "Les bottines sont parties à la poste ce matin 👍" reads as "delivery",
    the parcel's reason, but is the return's step done."""
    parcel = case(
        1,
        status="resolved",
        resolved_at=T0,
        reason="delivery",
        keywords={"colis", "suivi", "matin"},
        channel="whatsapp",
    )
    boots = case(
        2,
        reason="return",
        keywords={"bottin", "retourn", "etiquet"},
        channel="whatsapp",
        first_response_at=T0,
    )
    posted = msg(
        at=T0 + timedelta(days=1),
        channel="whatsapp",
        reason="delivery",
        reason_confidence=0.5,
        keywords=frozenset({"bottin", "matin", "part", "post"}),
        acknowledgement=True,
        did_step=True,
    )
    assert choose_case([parcel, boots], posted, WINDOW).case is boots
