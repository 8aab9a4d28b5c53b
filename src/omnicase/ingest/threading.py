"""Which open or recent case of this customer is this message about? (cross-channel step)

Pure functions over :class:`CaseState`, so the decision can be tested and explained without
a database. Explicit links (mail headers, case references, chat sessions) are looked up by
the pipeline before this runs; this decides the rest:

* a shared order/reference number links, a *different* one separates;
* the same confident contact reason, shared content words, a chase ("des nouvelles ?") or
  the same permanent DM conversation add evidence;
* a confidently different reason is a different request.

The weights were tuned on ``tests/data/journeys/dev`` only; ``heldout`` is never used to
tune them (see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

OPEN = frozenset({"new", "open", "pending"})

#: Reasons that say nothing about the request (cannot separate two requests).
VAGUE_REASONS = frozenset({"other", "", "triage"})

ATTACH_THRESHOLD = 0.5
CONFIDENT_REASON = 0.35
#: Messages this close to the case's last one, on the same channel, continue it.
BURST = timedelta(minutes=15)
#: A case active this recently is what a vague contact most likely means.
RECENT = timedelta(hours=72)
#: An answered case silent this long is probably finished, even if nobody resolved it.
STALE = timedelta(days=7)

#: The next step of a finished request (a return is refunded, a double charge too): coming
#: back about it within the window continues the request.
NEXT_STEPS = frozenset({("return", "refund"), ("payment", "refund"), ("delivery", "return")})

#: Reasons that one request moves through (a return becomes a refund, an order a delivery).
RELATED_REASONS = frozenset(
    frozenset(pair)
    for pair in (
        ("return", "refund"),
        ("order", "delivery"),
        ("payment", "refund"),
        ("availability", "order"),
        ("product", "return"),
        ("order", "payment"),
        ("product", "exchange"),
    )
)


@dataclass(slots=True)
class CaseState:
    """What threading needs to know of a case; also carries the batch's pending updates."""

    id: int
    customer_id: int
    status: str
    channel: str
    reason: str | None
    reason_confidence: float
    language: str | None
    priority: int
    orders: set[str]
    keywords: set[str]
    conversations: set[str]
    message_count: int
    first_inbound_at: datetime | None
    first_response_at: datetime | None
    last_inbound_at: datetime | None
    last_message_at: datetime | None
    resolved_at: datetime | None
    created_at: datetime
    merged_into_id: int | None = None
    last_channel: str | None = None
    #: Direction of the case's latest message ("outbound": we spoke last).
    last_direction: str | None = None
    #: Every reason seen on the case's messages (one request moves through several).
    reasons: set[str] = field(default_factory=set)
    #: Every channel the case's messages came through.
    channels: set[str] = field(default_factory=set)
    #: The customer said what the request is about (a reason or an order on an inbound
    #: message); a case of "allo ?" and missed calls has not.
    substantive: bool = False
    dirty: bool = False
    new_orders: set[str] = field(default_factory=set)
    #: Urgency signals of the case's customer messages (why its priority was raised).
    signals: list[str] = field(default_factory=list)

    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass(frozen=True, slots=True)
class MessageFeatures:
    at: datetime
    channel: str
    direction: str
    orders: frozenset[str]
    reason: str
    reason_confidence: float
    keywords: frozenset[str]
    follow_up: bool
    conversation: str | None
    #: Little or no content: a missed call, "?", an attachment alone.
    contentless: bool
    #: A short thank-you / "received" / "ok": closes a request, never starts one.
    acknowledgement: bool = False
    #: "rien à voir", "autre question", "and also": the customer says it is another request.
    new_topic: bool = False
    #: Channels a follow-up names ("I emailed yesterday", "sur Instagram").
    refers_to: frozenset[str] = frozenset()
    #: The only sign of a follow-up is a greeting ("re-bonjour, c'est encore moi"): the
    #: same person is back, not necessarily the same request.
    greeting_only: bool = False
    #: The customer tells how what the agent did turned out ("the new one came this
    #: morning", "le colis renvoyé n'est jamais arrivé"): the request that did it.
    reports_back: bool = False
    #: The customer did the step the agent asked or reports on what the agent arranged
    #: ("j'ai déposé la robe au relais", "nobody came yesterday"): the answered request.
    did_step: bool = False
    #: Short numbers the text gives that may end an order number ("la 507" for A-42507).
    order_tails: frozenset[str] = frozenset()
    #: Channels an agent's message says it follows up ("Suite à votre échange sur le chat
    #: du 5 novembre"): the request that came through them.
    agent_refers_to: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Decision:
    case: CaseState | None
    rule: str
    score: float
    detail: dict[str, object]


@dataclass(frozen=True, slots=True)
class ReopenWindow:
    """How long a resolved case can still be reopened: N calendar days in the brand's
    timezone, up to the end of the last day ("within 7 days" as people mean it)."""

    days: int = 7
    timezone: str = "UTC"

    @property
    def span(self) -> timedelta:
        """An upper bound of the window's length (for database look-ups)."""
        return timedelta(days=self.days + 1)

    def allows(self, resolved_at: datetime, at: datetime) -> bool:
        tz = _zone(self.timezone)
        last_day = resolved_at.astimezone(tz).date() + timedelta(days=self.days)
        end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
        return at < end


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_candidate(case: CaseState, at: datetime, window: ReopenWindow) -> bool:
    """Open cases, and resolved ones still inside the reopen window, can take a message."""
    if case.merged_into_id is not None:
        return False
    if case.is_open():
        return True
    if case.status == "resolved" and case.resolved_at is not None:
        return window.allows(case.resolved_at, at)
    return False


def keyword_overlap(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Share of the smaller side's words found in the other (short messages still count)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for w in small if w in large) / len(small)


def score_case(
    case: CaseState,
    msg: MessageFeatures,
    sole: bool = False,
    answered: bool = False,
    replying: bool = False,
    elsewhere: bool = False,
    named: bool = False,
    names_order: bool = False,
    order_elsewhere: bool = False,
    answers_elsewhere: bool = False,
) -> tuple[float, str, dict[str, object]]:
    """Evidence that ``msg`` is about the same request as ``case``; negative = different.

    ``sole``: the case is the customer's only candidate (a chase with no detail most
    likely means it, but this alone never attaches). ``answered``: an outbound message
    and this is the case the customer last wrote on (on this channel if any).
    ``replying``: an inbound message soon after our latest message on this channel, which
    was on this case (the customer answers what the agent just asked). ``elsewhere``:
    the message's words belong to another candidate and none to this one ("any news on
    the lamp though?" right after a message about the duvet): being next in the
    conversation is then no evidence. ``named``: the reverse, this is the one candidate
    the words belong to ("about the table top I mean"). ``names_order``: the message
    gives the end of this case's order number and of no other candidate's ("la 507").
    ``order_elsewhere``: the message names the order of another candidate.
    ``answers_elsewhere``: the message answers what the agent just asked on another, open
    case ("last order was GX501590" to verify an account change).
    """
    detail: dict[str, object] = {}
    if not case.is_open() and new_matter(case, msg):
        return -1.0, "new_matter", {"previous_case": case.id}
    if msg.orders and case.orders:
        shared = msg.orders & case.orders
        if shared:
            detail["orders"] = sorted(shared)
            if answers_elsewhere and not case.is_open():
                # an old order given as an answer to another request does not reopen it
                detail["answers_elsewhere"] = True
                return 0.45, "order_number", detail
            return 1.0, "order_number", detail
        detail["different_orders"] = sorted(msg.orders | case.orders)
        return -1.0, "different_order", detail

    score = 0.0
    rule = "similar_request"
    msg_reason_known = msg.reason not in VAGUE_REASONS and msg.reason_confidence >= CONFIDENT_REASON
    case_reason_known = case.reason not in (None, *VAGUE_REASONS) and (
        case.reason_confidence >= CONFIDENT_REASON
    )
    # "des nouvelles ?? toujours rien sur mon compte": a short chase names no new topic,
    # whatever reason the classifier reads into it.
    vague_chase = msg.follow_up and (not msg_reason_known or len(msg.keywords) <= 3)
    seen_reasons = case.reasons | ({case.reason} if case.reason else set())
    # (a thank-you's few words read as a reason are no evidence either way)
    if msg_reason_known and case_reason_known and not msg.acknowledgement:
        if msg.reason in seen_reasons:
            score += 0.45
            detail["same_reason"] = msg.reason
        elif frozenset((msg.reason, case.reason)) in RELATED_REASONS:
            score += 0.3
            detail["related_reason"] = [case.reason, msg.reason]
        elif msg.direction == "inbound" and not vague_chase:
            # (an agent's answer is worded differently: its reason is no evidence). A
            # customer who refers back to an earlier contact ("I emailed yesterday about
            # …") says it is the same matter, whatever words the classifier reads now.
            detail["different_reason"] = [case.reason, msg.reason]
            # answering what the agent just asked ("GX399105, my email is …") is no change
            # of subject, whatever words it has
            # (nor is reporting the step it asked for done: "j'ai déposé la robe")
            answered_step = msg.did_step and case.first_response_at is not None
            score -= 0.2 if _same_matter(case, msg) or replying or answered_step else 0.6
    if msg.new_topic:
        score -= 0.5
        detail["new_topic"] = True
    elif (
        msg.direction == "inbound"  # an agent answering two requests in a row is no burst
        and not elsewhere
        and case.last_message_at is not None
        and case.last_channel == msg.channel
        and timedelta(0) <= msg.at - case.last_message_at <= BURST
    ):
        score += 0.6
        detail["burst"] = True
        rule = "same_conversation_burst"
    recent = case.last_message_at is not None and msg.at - case.last_message_at <= RECENT
    if (
        not vague_chase
        and len(msg.keywords & case.keywords) < 2  # still about the same thing
        and case.is_open()
        and case.first_response_at is not None
        and case.last_message_at is not None
        and msg.at - case.last_message_at > STALE
    ):
        # Answered, then silent for over a week: most likely done but never resolved.
        score -= 0.3
        detail["stale"] = True
    if replying and not msg.new_topic:
        score += 0.3
        detail["replies_to_agent"] = True
    if (
        msg.did_step
        and not msg.new_topic
        and not elsewhere
        and case.is_open()
        and case.first_response_at is not None
    ):
        score += 0.3
        detail["did_step"] = True
    if sole:
        score += 0.35 if recent else 0.2
        detail["sole_candidate"] = True
    if (
        case.is_open()
        and not case.orders
        and not case.keywords
        and not _chases_elsewhere(case, msg)  # "Jasper emailed you…": the emailed case
        # the call notes after a missed call name the order of a case already open, or
        # the words belong to one ("la ceinture est arrivée")
        and not order_elsewhere
        and not elsewhere
        and (case.reason or "other") in VAGUE_REASONS
        and case.last_message_at is not None
        and msg.at - case.last_message_at <= timedelta(hours=24)
    ):
        # The case only holds a missed call or an empty message: this one says what it is.
        score += 0.6
        detail["completes_empty_case"] = True
        rule = "completes_empty_case"
    overlap = keyword_overlap(msg.keywords, case.keywords)
    if overlap:
        # One shared word is weak evidence ("store", "colis"); two or more count fully.
        n_shared = len(msg.keywords & case.keywords)
        score += 0.45 * overlap * min(1.0, n_shared / 2)
        detail["keyword_overlap"] = round(overlap, 2)
    if msg.conversation and msg.conversation in case.conversations:
        score += 0.2
        detail["same_conversation"] = True
    if not case.is_open():
        # Reopening a finished request takes a sign of continuity, not just a similar topic.
        n_common = len(msg.keywords & case.keywords)
        # a report back on what the agent did (or arranged: "courier never turned up on
        # friday") counts for the case it shares words with
        reports_back = (msg.reports_back and n_common >= 1) or (msg.did_step and n_common >= 2)
        if (
            (msg.follow_up or reports_back)
            and not msg.new_topic
            and not _chases_elsewhere(case, msg)
        ):
            score += 0.35
            detail["reports_back" if reports_back else "follow_up"] = True
            rule = "follow_up"
        elif not (msg.acknowledgement or n_common >= 2 or (case.reason, msg.reason) in NEXT_STEPS):
            score -= 0.3
            detail["no_continuity"] = True
    if msg.follow_up and case.is_open() and not msg.new_topic:
        if _chases_elsewhere(case, msg):
            # "I contacted you on WhatsApp about …" and this case never was on WhatsApp:
            # the customer chases a contact this case does not hold.
            score += 0.2
            detail["follow_up_elsewhere"] = sorted(msg.refers_to)
        else:
            score += 0.55
            detail["follow_up"] = True
            rule = "follow_up"
    if names_order:
        score += 0.6
        detail["names_order"] = True
    if msg.acknowledgement:
        # a thank-you closes the open request rather than one already resolved, when
        # nothing else tells them apart
        score += 0.55 if case.is_open() else 0.45
        detail["acknowledgement"] = True
        rule = "acknowledgement"
    elif msg.contentless and case.is_open() and (recent or named) and not elsewhere:
        score += 0.55
        detail["contentless"] = True
        rule = "recent_open_case"
    if answered:
        score += 0.55
        detail["answer"] = True
        rule = "answer_to_open_case"
    return score, rule, detail


def new_matter(case: CaseState, msg: MessageFeatures) -> bool:
    """A finished (resolved) request and a message about something else, even on its
    thread or its order: a question before buying, then a problem with the order ("I went
    ahead and ordered it … the mechanism jams"); an exchange, then a double charge on the
    same order. A real chase, a thank-you or the request's next step continues it."""
    if msg.direction != "inbound" or msg.acknowledgement or msg.reports_back:
        return False
    if msg.follow_up and not msg.greeting_only:
        return False
    if msg.orders and not case.orders:
        return True  # it was about no order (a question); this one is about an order
    if not (msg.orders & case.orders):
        return False
    known = msg.reason not in VAGUE_REASONS and msg.reason_confidence >= CONFIDENT_REASON
    seen = case.reasons | ({case.reason} if case.reason else set())
    seen -= VAGUE_REASONS
    if not known or not seen or msg.reason in seen:
        return False
    related = any(frozenset((r, msg.reason)) in RELATED_REASONS for r in seen)
    next_step = any((r, msg.reason) in NEXT_STEPS for r in seen)
    return not related and not next_step


def _chases_elsewhere(case: CaseState, msg: MessageFeatures) -> bool:
    """The follow-up names channels this case was never on: it chases another contact."""
    return bool(msg.refers_to) and not msg.refers_to & (case.channels | {case.channel})


def _same_matter(case: CaseState, msg: MessageFeatures) -> bool:
    """The words say it is this case's matter, whatever reason the classifier reads: a
    follow-up that names a channel the case came through ("I emailed yesterday about …")
    or shares two content words with it, or a message most of whose content words the
    case already has ("colis déposé pour l'échange de la jupe")."""
    if msg.new_topic:
        return False
    shared = len(msg.keywords & case.keywords)
    if shared >= 2 and keyword_overlap(msg.keywords, case.keywords) >= 0.5:
        return True
    if not msg.follow_up:
        return False
    return bool(msg.refers_to & (case.channels | {case.channel})) or shared >= 2


def _continues(case: CaseState, msg: MessageFeatures, window: ReopenWindow | None) -> bool:
    """A follow-up about a request resolved longer ago than the reopen window but within
    ``window`` (the reply window): "I called last week to return the jacket, still no
    label" continues it when it shares its order, two content words, or is its next step."""
    if window is None or msg.new_topic or msg.direction != "inbound":
        return False
    if not (msg.follow_up or msg.reports_back):  # "la jupe de l'échange: encore un 38 !"
        return False
    if case.merged_into_id is not None or case.status != "resolved" or case.resolved_at is None:
        return False
    if not window.allows(case.resolved_at, msg.at):
        return False
    if msg.orders and case.orders:
        return bool(msg.orders & case.orders)
    if len(msg.keywords & case.keywords) >= 2 or (case.reason, msg.reason) in NEXT_STEPS:
        return True
    # "the refund still hasn't come through?": what the agent's answer promised
    return msg.reason_confidence >= CONFIDENT_REASON and msg.reason in case.reasons - VAGUE_REASONS


def choose_case(
    candidates: list[CaseState],
    msg: MessageFeatures,
    window: ReopenWindow,
    follow_up_window: ReopenWindow | None = None,
) -> Decision:
    """Best candidate above the threshold, or no case (the pipeline opens a new one).

    ``follow_up_window``: how long after its resolution a follow-up that clearly continues
    a request may still reopen it (see :func:`_continues`)."""
    best: tuple[float, CaseState, str, dict[str, object]] | None = None
    eligible = [
        c
        for c in candidates
        if is_candidate(c, msg.at, window) or _continues(c, msg, follow_up_window)
    ]
    answered = _last_written(eligible, msg) if msg.direction == "outbound" else None
    replied = _last_spoken(eligible, msg) if msg.direction == "inbound" else None
    tail_of = _only_one_order_ends_with(eligible, msg)
    about = tail_of or _only_one_shares_words(eligible, msg) or _only_one_came_by(eligible, msg)
    order_cases = [c for c in eligible if msg.orders & c.orders]
    if about is not None and answered is not None and about.is_open():
        answered = about  # "For the lamp, could you send a video?": the lamp's case
    for case in eligible:
        score, rule, detail = score_case(
            case,
            msg,
            sole=len(eligible) == 1,
            answered=case is answered,
            replying=case is replied and about in (None, case),
            elsewhere=about is not None and about is not case,
            named=about is case,
            names_order=tail_of is case,
            order_elsewhere=any(c is not case for c in order_cases),
            answers_elsewhere=replied is not None and replied is not case and replied.is_open(),
        )
        # Among equals, the most recently active case wins.
        recency = (case.last_message_at or case.created_at).timestamp() * 1e-12
        key = score + recency
        if best is None or key > best[0]:
            best = (key, case, rule, detail)
    if best is None:
        return Decision(None, "new_request", 1.0, {"candidates": 0})
    candidates = eligible
    key, case, rule, detail = best
    score = round(key - (case.last_message_at or case.created_at).timestamp() * 1e-12, 3)
    if score >= ATTACH_THRESHOLD:
        return Decision(case, rule, min(score, 1.0), detail)
    return Decision(
        None,
        "new_request",
        1.0,
        {"candidates": len(candidates), "best_case": case.id, "best_score": score, **detail},
    )


#: Keyword stems that name a channel ("got your email"): how the customer writes, not
#: which request it is about.
CHANNEL_WORDS = frozenset(
    [
        "appel",
        "call",
        "chat",
        "courriel",
        "email",
        "facebook",
        "form",
        "formulair",
        "instagram",
        "mail",
        "messeng",
        "phon",
        "sms",
        "telephon",
        "text",
        "texto",
        "tweet",
        "twitt",
        "whatsapp",
    ]
)


def _only_one_order_ends_with(cases: list[CaseState], msg: MessageFeatures) -> CaseState | None:
    """The one candidate whose order number ends with a number the message gives ("colis
    reçu, la 507"), when the message names no full order and no other candidate fits."""
    if msg.orders or not msg.order_tails or len(cases) < 2:
        return None
    fits = [c for c in cases if any(o.endswith(t) for o in c.orders for t in msg.order_tails)]
    return fits[0] if len(fits) == 1 else None


def _only_one_shares_words(cases: list[CaseState], msg: MessageFeatures) -> CaseState | None:
    """The one candidate the message shares content words with, when there are several
    candidates and the others share none (channel names do not count)."""
    words = msg.keywords - CHANNEL_WORDS
    if len(cases) < 2 or not words:
        return None
    sharing = [c for c in cases if words & c.keywords]
    return sharing[0] if len(sharing) == 1 else None


def _only_one_came_by(cases: list[CaseState], msg: MessageFeatures) -> CaseState | None:
    """The one open candidate that came through the channel an agent's message says it
    follows up ("Suite à votre échange sur le chat")."""
    if not msg.agent_refers_to or len(cases) < 2:
        return None
    fits = [c for c in cases if c.is_open() and msg.agent_refers_to & (c.channels | {c.channel})]
    return fits[0] if len(fits) == 1 else None


def _last_written(cases: list[CaseState], msg: MessageFeatures) -> CaseState | None:
    """The open case an agent's answer most likely replies to: the one the customer wrote
    on last, preferring cases on the answer's channel."""
    open_cases = [c for c in cases if c.is_open()]
    same_channel = [c for c in open_cases if c.last_channel == msg.channel]
    pool = same_channel or open_cases
    if not pool:
        return None
    return max(pool, key=lambda c: c.last_inbound_at or c.created_at)


#: Channels that reach the customer on one number: a text right after our call attempt
#: ("dsl j'étais dans le métro, vous pouvez rappeler ?") answers that call.
PHONE_LINE = frozenset({"phone", "sms"})


def _same_line(ours: str | None, theirs: str) -> bool:
    return ours == theirs or (ours in PHONE_LINE and theirs in PHONE_LINE)


def _last_spoken(cases: list[CaseState], msg: MessageFeatures) -> CaseState | None:
    """The case of our latest message on the customer's channel (a call and a text reach
    the same number), if it is recent (2 h);
    for a thank-you ("got your email 👍"), our latest message on any channel that day."""
    ours = [
        c
        for c in cases
        if c.last_direction == "outbound"
        and _same_line(c.last_channel, msg.channel)
        and c.last_message_at is not None
        and timedelta(0) <= msg.at - c.last_message_at <= timedelta(hours=2)
    ]
    if not ours and msg.acknowledgement:
        ours = [
            c
            for c in cases
            if c.last_direction == "outbound"
            and c.last_message_at is not None
            and timedelta(0) <= msg.at - c.last_message_at <= timedelta(hours=24)
        ]
    return max(ours, key=lambda c: c.last_message_at or c.created_at) if ours else None
