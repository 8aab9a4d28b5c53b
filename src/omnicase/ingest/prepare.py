"""Everything about a message that needs no database: identities normalised, text analysed,
threading features computed. Runs before the transaction opens, so the lock is held only
for the decisions that need the store."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from omnicase.ingest.identities import (
    normalise_email,
    normalise_phone,
    party_identities,
    spoken_emails,
)
from omnicase.ingest.quotes import strip_quoted
from omnicase.ingest.refer_back import (
    agent_followed_channels,
    best_name,
    introduced_name,
    is_handle,
    mentioned_handles,
    name_tokens,
    record_name,
    referenced_channels,
    relative_name,
    signed_name,
    x_handles_given,
)
from omnicase.ingest.schema import InboundMessage
from omnicase.ingest.threading import CONFIDENT_REASON, MessageFeatures, ReopenWindow
from omnicase.model import Organisation
from omnicase.services.reason_models import reasoners
from omnicase.understand import Analysis, OrderMatcher, analyse, compile_order_patterns, fold
from omnicase.understand.analysis import MAX_CHARS
from omnicase.understand.features import text_tokens
from omnicase.understand.reason_model import default_model, registered
from omnicase.understand.taxonomy import DEFAULT_TAXONOMY, Reasoner, Taxonomy, Verdict

ORGS = cast(Table, Organisation.__table__)

#: Channels whose sender often has no name, or only a first name (a phone number, a chat
#: visitor, a WhatsApp profile "Gwen").
NAMELESS_CHANNELS = frozenset({"phone", "sms", "whatsapp", "chat"})

#: Default days after resolution during which a reply on the case's own thread reopens it
#: (brand setting ``reply_window_days``); past it, or once closed, a follow-up case opens.
REPLY_WINDOW_DAYS = 30

#: Which classifier's reason the threading rules weigh: "model" or "lexicon" (whose
#: weights and ``CONFIDENT_REASON`` the rules were tuned with on the dev journeys).
THREADING_REASON = "lexicon"
_DEFAULT_REPLY_WINDOW = ReopenWindow(REPLY_WINDOW_DAYS)


@dataclass(frozen=True, slots=True)
class BrandContext:
    id: int
    slug: str
    region: str
    case_prefix: str
    orders: OrderMatcher
    window: ReopenWindow
    reference_re: re.Pattern[str]
    #: The brand's own mail domains (settings ``email_domain`` / ``email_domains``).
    own_domains: frozenset[str] = frozenset()
    #: How long an explicit reply (mail headers, case reference) still reopens a resolved
    #: case: longer than ``window``, since the customer named the case themselves.
    reply_window: ReopenWindow = _DEFAULT_REPLY_WINDOW
    #: The digest of the brand's reason model (``reason_model.registered``; ``None``: the
    #: packaged one) and the brand's reasons. A digest, not the model: a BrandContext
    #: travels with every message prepared in a worker process.
    reason_model: str | None = None
    taxonomy: Taxonomy = DEFAULT_TAXONOMY

    def reasoner(self) -> Reasoner | None:
        if self.reason_model is None:
            return None
        return Reasoner(registered(self.reason_model), self.taxonomy, self.reason_model)


@lru_cache(maxsize=256)
def _reference_re(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(prefix)}-(\d{{6,}})\b", re.IGNORECASE)


def load_brands(
    conn: Connection, slugs: Iterable[str] | None, default_window: int
) -> dict[str, BrandContext]:
    """The brands named (all brands with ``None``), ready for the pipeline."""
    org_c = ORGS.c
    query = select(
        org_c.id, org_c.slug, org_c.region, org_c.timezone, org_c.case_prefix, org_c.settings
    ).where(org_c.kind == "brand")
    if slugs is not None:
        query = query.where(org_c.slug.in_(sorted(set(slugs))))
    rows = conn.execute(query).all()
    models = reasoners(conn, {org.id: org.settings for org in rows})
    out = {}
    for org in rows:
        settings = org.settings or {}
        prefix = org.case_prefix or org.slug[:2].upper()
        out[org.slug] = BrandContext(
            id=org.id,
            slug=org.slug,
            region=org.region,
            case_prefix=prefix,
            orders=compile_order_patterns(tuple(settings.get("order_patterns", ()))),
            window=ReopenWindow(
                int(settings.get("thread_window_days", default_window)), org.timezone
            ),
            reference_re=_reference_re(prefix),
            reply_window=ReopenWindow(
                int(settings.get("reply_window_days", REPLY_WINDOW_DAYS)), org.timezone
            ),
            own_domains=frozenset(
                d.lower()
                for d in (settings.get("email_domain"), *settings.get("email_domains", ()))
                if d
            ),
            reason_model=models[org.id].model.digest if org.id in models else None,
            taxonomy=models[org.id].taxonomy if org.id in models else DEFAULT_TAXONOMY,
        )
    return out


@dataclass(slots=True)
class Prepared:
    """A validated message with everything computed that needs no database."""

    index: int
    msg: InboundMessage
    brand: BrandContext
    identities: list[tuple[str, str]]
    revealed: list[tuple[str, str]]
    analysis: Analysis
    features: MessageFeatures
    references: list[str]
    #: Identities that could not be normalised and were left out (field, reason).
    ignored: list[dict[str, str]]
    #: The sender's name as folded tokens (for a sender nobody knows who refers back).
    sender_name: tuple[str, ...] = ()
    #: That name is a social handle ("maiwenn.lgf"), not a name as people write it.
    sender_handle: bool = False
    #: The message refers to an earlier contact (a follow-up, or a self-introduction).
    refers_back: bool = False
    #: The reason model was not sure: the case waits for an agent to set its reason.
    triage: bool = False
    #: The reason (and confidence) the case takes from this message: the model's.
    case_reason: str = ""
    case_confidence: float = 0.0
    #: The customer's name as the channel gives it.
    display_name: str | None = None
    #: A full name the text gives for a sender the channel names poorly (call notes,
    #: "Hi, it's Gareth Llewellyn"): names a record that has none.
    introduced: str | None = None
    #: Social handles the text gives ("comme demandé sur Instagram (mimi.dlc)").
    handles: tuple[str, ...] = ()
    #: A relative who contacted us first ("Ma fille Elsa vous a écrit sur WhatsApp").
    relative: tuple[str, ...] = ()


#: Short thank-yous and receipts, FR/EN, accents folded ("reçu" → "recu").
_ACK = re.compile(
    r"\b(?:merci|thanks?|thank\s+you|thx|cheers|ok|okay|d'?accord|parfait|super|great|"
    r"perfect|brilliant|c\s*est\s+top|recu|received|arrived|arrive|c\s*bon|all\s+good|sorted|nickel)\b|👍|🙏",
    re.IGNORECASE,
)


#: The customer announces another request ("rien à voir", "autre question", "and also").
_NEW_TOPIC = re.compile(
    r"\b(?:rien\s+a\s+voir|sans\s+rapport|autre\s+(?:chose|question|sujet|demande|probleme)"
    r"|une\s+autre\s+question|par\s+ailleurs|d'?autre\s+part|nouvelle\s+demande"
    r"|unrelated|something\s+else|another\s+(?:question|thing|issue|matter|problem)"
    r"|(?:separate|different)\s+(?:issue|question|matter|problem|thing)|on\s+another\s+note"
    r"|one\s+more\s+thing|by\s+the\s+way|btw|au\s+fait|autre\s+truc|oh\s+and|oh\s+et"
    r"|while\s+i\W*(?:have|ve\s+got|got)\s+you|while\s+you\W*(?:re|are)\s+(?:there|at\s+it)"
    r"|pendant\s+que\s+(?:je\s+vous\s+(?:tiens|ai)|j\s*y\s+suis))\b"
    r"|(?:^|[.!?\n]\s*)(?:et\s+)?aussi\b|(?:^|[.!?\n]\s*)(?:and\s+)?also\b",
    re.IGNORECASE,
)


#: "Re-bonjour", "c'est encore moi", "hi again": the same person back, nothing more.
_AGAIN = re.compile(
    r"\b(?:re\s*-?\s*bonjour|rebonjour|re\s*-?\s*bonsoir|c\s*est\s+encore\s+moi|encore\s+moi"
    r"|it\s*s\s+me\s+again|me\s+again|hello\s+again|hi\s+again|hey\s+again)\b",
    re.IGNORECASE,
)


def _greeting_only(body: str, brand: BrandContext) -> bool:
    """The follow-up signal comes only from a greeting: without it, no chase is left."""
    folded = fold(body)
    if _AGAIN.search(folded) is None:
        return False
    return not analyse(_AGAIN.sub(" ", folded), brand.orders).follow_up


#: What the agent did or sent ("the new one", "le colis que vous m'avez renvoyé") ...
_SENT_THING = re.compile(
    r"\b(?:new\s+one|(?:the|my|your)\s+replacement|the\s+one\s+you\s+(?:re)?sent|resent"
    r"|re\s*-?\s*sent|(?:le|la|les)\s+nouv(?:eau|elle|eaux|elles)\b"
    r"|(?:le|du|mon|votre)\s+(?:\w+\s+de\s+)?remplacement"
    r"|que\s+vous\s+m\W*(?:avez|aviez)\s+(?:r?envoye|expedie)|colis\s+renvoye"
    r"|de\s+l\W?echange|the\s+exchange|exchanged\s+(?:one|item|\w+))\b"
)
#: ... and how it went ("came this morning", "n'est jamais arrivé", "does the same").
_HOW_IT_WENT = re.compile(
    r"\b(?:arrived|came|turned\s+up|got\s+it|received|delivered|fine|never|still|same"
    r"|arrive[es]*|recu[es]*|jamais|toujours\s+pas|fonctionne|marche|pareil|meme\s+(?:chose|souci"
    r"|probleme)|encore|again)\b"
)


#: A short number standing alone ("la 507"), not an amount, a size or a time.
_SHORT_NUMBER = re.compile(
    r"(?<![\d,.:/€£#+-])\b(\d{3,5})\b(?![\d%€£-]|[,.:/]\d|\s?(?:€|£|e\b|eur|h\b))"
)


_YEAR = re.compile(r"(?:19|20)\d\d")


def order_tails(text: str, orders: Iterable[str]) -> frozenset[str]:
    """Numbers of 3 to 5 digits the text gives outside its full order numbers: the end of
    an order number a customer shortens ("la 507" for A-42507)."""
    full = "".join(orders)
    found = _SHORT_NUMBER.findall(text[:2000])
    return frozenset(n for n in found if n not in full and not _YEAR.fullmatch(n))


#: The step the agent asked for, done ("j'ai déposé le colis", "I've posted it back"), or
#: what the agent arranged, reported on ("personne n'est venu", "the courier never came").
_DID_STEP = re.compile(
    r"\b(?:j\W?ai\s+(?:bien\s+)?(?:depose|renvoye|reexpedie|poste|imprime|rapporte)"
    r"|(?:sont|est)\s+partie?s?\s+(?:a\s+la\s+poste|au\s+relais|ce\s+matin)"
    r"|c\W?est\s+depose|(?:colis|robe|article|retour)\s+depose"
    r"|personne\s+n\W?est\s+(?:venu|passe)|(?:livreur|transporteur|coursier)\s+n\W?est"
    r"\s+(?:jamais\s+|pas\s+)?(?:venu|passe)"
    r"|i(?:\W?ve|\s+have)?\s+(?:dropped|posted|sent)\s+(?:it|them|the\s+\w+)\s+(?:off|back)"
    r"|dropped\s+(?:it|them|the\s+\w+)\s+off|(?:nobody|no\s+one)\s+(?:came|turned\s+up"
    r"|showed\s+up)|(?:courier|driver)\s+(?:never\s+(?:came|turned\s+up|showed(?:\s+up)?)"
    r"|didn\W?t\s+(?:come|turn\s+up|show))|(?:waited|stayed)\s+(?:in|home|at\s+home)\s+all\s+day)\b"
)


def did_step(text: str) -> bool:
    """The customer says they did what the agent asked, or how what the agent arranged
    went ("nobody came yesterday"): evidence for the request the agent answered."""
    return _DID_STEP.search(fold(text[:600])) is not None


def reports_back(text: str) -> bool:
    """The customer tells how what the agent did turned out: "the new one came this
    morning", "le colis que vous m'avez renvoyé n'est jamais arrivé"."""
    folded = fold(text[:600])
    return _SENT_THING.search(folded) is not None and _HOW_IT_WENT.search(folded) is not None


def is_acknowledgement(text: str) -> bool:
    """A few words that thank or confirm receipt, with no question: "Colis reçu merci"."""
    if not text or len(text) > 160 or "?" in text:
        return False
    folded = fold(text)
    return len(folded.split()) <= 12 and _ACK.search(folded) is not None


def announces_new_topic(text: str) -> bool:
    """Looked for at the start of the message only, where people say it."""
    return _NEW_TOPIC.search(fold(text[:600])) is not None


def _message_text(msg: InboundMessage) -> str:
    """Subject and what the sender wrote this time (the quoted history is not evidence)."""
    body = msg.text
    if not body and msg.html:
        body = re.sub(r"<[^>]+>", " ", msg.html)
    parts = [p for p in (msg.subject, strip_quoted(body) if body else None) if p]
    return "\n".join(parts)


def reason_verdicts(
    msgs: Sequence[InboundMessage], brands: dict[str, BrandContext]
) -> list[Verdict | None]:
    """The reason of every message, one vectorised model call per brand model (about
    twice as fast per message as one call each); ``None`` where analyse must decide."""
    out: list[Verdict | None] = [None] * len(msgs)
    groups: dict[str, list[int]] = {}
    for i, msg in enumerate(msgs):
        if msg.brand in brands:
            groups.setdefault(msg.brand, []).append(i)
    for slug, positions in groups.items():
        reasoner = brands[slug].reasoner()
        if reasoner is None:
            model = default_model()
            if model is None:
                continue
            reasoner = Reasoner(model, brands[slug].taxonomy)
        tokens = [text_tokens(_message_text(msgs[i])[:MAX_CHARS]) for i in positions]
        for i, verdict in zip(positions, reasoner.decide_many(tokens), strict=True):
            out[i] = verdict
    return out


def prepare(
    index: int, msg: InboundMessage, brand: BrandContext, verdict: Verdict | None = None
) -> Prepared:
    """Normalise identities and analyse the text; raises IdentityError on a bad identity.
    ``verdict``: the message's reason from ``reason_verdicts`` (a batch)."""
    party = msg.customer_party
    assert party is not None  # the schema guarantees it
    side = "from" if msg.direction == "inbound" else "to"
    identities, ignored = party_identities(party.identities(), brand.region, side)
    body = _message_text(msg)
    analysis = analyse(body, brand.orders, brand.reasoner(), verdict=verdict)
    orders = set(analysis.entities.order_numbers)
    meta_order = msg.meta.get("order_number")
    if isinstance(meta_order, str) and meta_order.strip():
        found = analyse(meta_order, brand.orders).entities.order_numbers
        whole = brand.orders.normalise(meta_order)
        orders.update(found or ((whole,) if whole else (meta_order.strip().upper(),)))
    # The case's reason is the model's; threading weighs the lexicon's (see THREADING_REASON).
    case_reason, case_confidence = analysis.reason, analysis.reason_confidence
    reason, confidence = (
        analysis.lexicon_reason if THREADING_REASON == "lexicon" else (case_reason, case_confidence)
    )
    triage = analysis.triage
    meta_reason = msg.meta.get("reason")
    if isinstance(meta_reason, str) and meta_reason:
        reason, confidence, triage = meta_reason, 1.0, False
        case_reason, case_confidence = meta_reason, 1.0
    known = set(identities)
    revealed: list[tuple[str, str]] = []
    # Only what the customer writes reveals who they are: an agent's text names the
    # brand's addresses, a colleague's, or a number to call back.
    written = analysis.entities if msg.direction.value == "inbound" else None
    # an address spelled out in call notes counts as written ("… arobase example point fr")
    for email in (*written.emails, *spoken_emails(body)) if written else ():
        try:
            pair = ("email", normalise_email(email))
        except ValueError:
            continue
        if pair[1].rpartition("@")[2] in brand.own_domains:
            continue  # our own address (a signature, a forwarded answer) is nobody's identity
        if pair not in known:
            revealed.append(pair)
            known.add(pair)
    if written is not None and msg.channel.value != "x":
        for x_handle in x_handles_given(body):
            pair = ("x", x_handle)
            if brand.slug in x_handle or pair in known:
                continue  # "@GlobexHome": the brand's own account
            revealed.append(pair)
            known.add(pair)
    for phone in written.phones if written else ():
        try:
            pair = ("phone", normalise_phone(phone, brand.region))
        except ValueError:
            continue
        if pair not in known:
            revealed.append(pair)
            known.add(pair)
    refs = [r for r in (msg.thread.in_reply_to, *msg.thread.references) if r]
    # A missed call, "ok merci", "?": nothing that could start a request of its own.
    contentless = (
        not orders
        and not analysis.follow_up
        and len(analysis.keywords) <= 3
        and (confidence < CONFIDENT_REASON or reason == "other")
    )
    conversation = msg.thread.conversation_id
    inbound = msg.direction.value == "inbound"
    introduced = inbound and (
        introduced_name(body, msg.channel.value) != ()
        # a signed WhatsApp or SMS ("… dont je vous ai parlé hier. Léa Morin")
        or (msg.channel.value in NAMELESS_CHANNELS and signed_name(body) is not None)
    )
    # A follow-up, or a sender who introduces themselves on a new channel ("c'est
    # Gwenaëlle Le Bihan, pour la lampe"), refers back to an earlier contact.
    inbound_follow_up = inbound and (analysis.follow_up or introduced)
    refers_to = referenced_channels(body) if inbound_follow_up else frozenset()
    features = MessageFeatures(
        at=msg.received_at,
        channel=msg.channel.value,
        direction=msg.direction.value,
        orders=frozenset(orders),
        reason=reason,
        reason_confidence=confidence,
        keywords=analysis.keywords,
        follow_up=analysis.follow_up,
        conversation=f"{msg.channel.value}:{conversation}" if conversation else None,
        contentless=contentless,
        acknowledgement=msg.direction.value == "inbound"
        and not orders
        and is_acknowledgement(strip_quoted(msg.text or "")),
        new_topic=msg.direction.value == "inbound" and announces_new_topic(body),
        refers_to=refers_to,
        greeting_only=analysis.follow_up and _greeting_only(body, brand),
        reports_back=inbound and reports_back(body),
        did_step=inbound and did_step(body),
        order_tails=order_tails(body, orders) if inbound and not orders else frozenset(),
        agent_refers_to=frozenset() if inbound else agent_followed_channels(body),
    )
    display_tokens = name_tokens(party.name, party.email)
    handle = inbound_follow_up and is_handle(party.name)
    sender_name = (
        best_name(display_tokens, body, msg.channel.value, handle=handle)
        if inbound_follow_up
        else ()
    )
    return Prepared(
        index,
        msg,
        brand,
        identities,
        revealed,
        analysis,
        features,
        refs,
        ignored,
        sender_name=sender_name,
        # still the handle (not a name signed in the text): matched leniently
        sender_handle=handle and sender_name == display_tokens,
        refers_back=inbound_follow_up,
        display_name=party.name,
        introduced=record_name(msg.text or "", msg.channel.value)
        if inbound and msg.channel.value in NAMELESS_CHANNELS
        else None,
        handles=mentioned_handles(body) if inbound_follow_up else (),
        relative=relative_name(body) if inbound_follow_up else (),
        triage=triage and inbound,
        case_reason=case_reason,
        case_confidence=case_confidence,
    )


def entities_json(a: Analysis) -> dict[str, Any]:
    e = a.entities
    out: dict[str, Any] = {}
    if e.order_numbers:
        out["order_numbers"] = list(e.order_numbers)
    if e.tracking_numbers:
        out["tracking_numbers"] = list(e.tracking_numbers)
    if e.emails:
        out["emails"] = list(e.emails)
    if e.phones:
        out["phones"] = list(e.phones)
    if e.amounts:
        out["amounts"] = [{"value": str(x.value), "currency": x.currency} for x in e.amounts]
    if e.delays:
        out["delays"] = list(e.delays)
    if a.signals:
        out["signals"] = list(a.signals)
    if (a.reason_confidence and a.reason != "other") or a.triage:
        # the model's reading of this message (``messages.reason`` is what threading
        # weighs: the lexicon's, see THREADING_REASON)
        out["reason"] = {"reason": a.reason, "confidence": a.reason_confidence}
        if a.triage:
            out["reason"]["triage"] = True
    return out
