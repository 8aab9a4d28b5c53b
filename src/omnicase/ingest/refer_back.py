"""A sender nobody knows who says they wrote before: which earlier contact was theirs?

A customer who emails from a new address "as asked on Instagram", opens a chat saying "I
filled in the form last night", or writes from a work address about "the invoice you sent
me yesterday" is, for an agent, the person of that earlier contact: she looks them up by
name and topic. This module does the same, conservatively, with no database: the pipeline
gives it the brand's recent cases whose customer bears a matching name (or no name at all)
and it picks the one earlier contact that fits, or none when two could.

Rules (strongest first), each needing the message to refer back to an earlier contact:

* ``same_full_name``: first name and surname agree ("Bethany Crane" / "beth.crane.home",
  "B. Chevalier" / "Bruno Chevalier"), the case was active within :data:`NAMED_WINDOW`;
* ``same_first_name``: one side gave a first name only ("Camille" in a chat) or is a
  handle (one named after the family too: "the_bakers_nest"), the case is on a channel
  the message names ("le formulaire"), was active within :data:`FIRST_NAME_WINDOW` and
  shares a content word with the message, or within :data:`NAMED_WINDOW` and shares
  :data:`FIRST_NAME_LATE_SHARED_WORDS`; a relative the text names as the one who wrote
  first ("Ma fille Elsa vous a écrit") is looked up by that first name;
* ``named_handle``: the message gives the handle of the earlier contact ("comme demandé
  sur Instagram (mimi.dlc)"), the case was active within :data:`NAMED_WINDOW`;
* ``same_topic_anonymous``: the earlier contact is an anonymous web chat (no name, no
  address), the message names the chat ("your web chat") and shares three content words
  or more with it.

Without a reference to an earlier contact nothing is linked: a shared name alone is not a
person (two Marie Martin are two customers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Final

from omnicase.understand import fold
from omnicase.understand._text import words

NAMED_WINDOW: Final = timedelta(days=14)
FIRST_NAME_WINDOW: Final = timedelta(hours=72)
#: Content words a first-name refer-back shares with a contact older than
#: FIRST_NAME_WINDOW (up to NAMED_WINDOW) to still name it.
FIRST_NAME_LATE_SHARED_WORDS: Final = 3
ANONYMOUS_WINDOW: Final = timedelta(days=8)
#: Content words an anonymous chat and the message must share: templates and common
#: complaints ("ma commande est bloquée") share two easily, a real topic shares more.
ANONYMOUS_SHARED_WORDS: Final = 3

#: Words naming a channel, folded ("e-mail" → "e mail" is matched by ``e.?mail``).
_CHANNEL_WORDS: Final[dict[str, str]] = {
    "email": r"e.?mails?|mails?|courriels?|emailed|e.?mailed|inbox|boite mail|"
    r"messagerie(?! vocale)",
    "chat": r"chat|tchat|live chat|web ?chat|chatbot|messagerie instantanee",
    "webform": r"formulaires?|forms?|contact form",
    "instagram": r"instagram|insta|ig",
    "messenger": r"messenger|facebook|fb",
    "whatsapp": r"whatsapp|whats app|wa",
    # Only the customer's own calls: "nobody called me", "my phone number", "tél : 06…"
    # name the phone without referring to a contact.
    "phone": r"appels?|j ai appele|je vous ai appele|je vous ai telephone|j ai telephone|"
    r"i called|i ve called|i have called|i rang|i ve rang|i phoned|i ve phoned|my call|"
    r"on the phone|over the phone|by phone|au telephone|par telephone|"
    r"voicemail|messagerie vocale|message vocal|vocal",
    "sms": r"sms|textos?|texted|text message",
    "x": r"twitter|tweets?|tweete",
}
_CHANNEL_RE: Final = {
    channel: re.compile(rf"\b(?:{pattern})\b") for channel, pattern in _CHANNEL_WORDS.items()
}

#: Words in display names and handles that are not part of a person's name.
_NOT_A_NAME: Final = frozenset(
    words("home official shop store the mr mrs ms mme mlle m monsieur madame miss dr")
)
_NAME_SPLIT: Final = re.compile(r"[^a-z]+")


#: How an agent opens a message that continues an earlier contact: "Suite à votre échange
#: sur le chat du 5 novembre", "Further to your call this morning", "As discussed on
#: WhatsApp"; the channel must come within a few words.
_AGENT_FOLLOWS: Final = re.compile(
    r"\b(?:suite\s+a|following|further\s+to|as\s+discussed|as\s+promised"
    r"|comme\s+(?:convenu|evoque|discute|promis|indique))\b[^.!?\n]{0,50}"
)


def agent_followed_channels(text: str) -> frozenset[str]:
    """Channels of the earlier contact an agent's message says it follows up (looked for
    in its opening lines, not in the signature's "call us" or "chat with us")."""
    found: set[str] = set()
    for m in _AGENT_FOLLOWS.finditer(fold(text[:400])):
        found |= referenced_channels(m.group(0))
    return frozenset(found)


def referenced_channels(text: str) -> frozenset[str]:
    """Channels a message names ("I emailed", "sur Instagram", "le formulaire")."""
    folded = fold(text)
    return frozenset(ch for ch, pattern in _CHANNEL_RE.items() if pattern.search(folded))


@lru_cache(maxsize=16384)
def name_tokens(name: str | None, email: str | None = None) -> tuple[str, ...]:
    """A person's name as folded tokens, from a display name or handle, else the email's
    local part ("beth.crane.home" → beth, crane; "b.chevalier@…" → b, chevalier).

    Cached: every refer-back look-up folds the names of up to 200 earlier contacts."""
    source = name or (email.partition("@")[0] if email else "")
    if source.count(",") == 1:  # "Tremlett, Vaughan", as address books write it
        last, _, first = source.partition(",")
        source = f"{first} {last}"
    tokens = [t for t in _NAME_SPLIT.split(fold(source)) if t and t not in _NOT_A_NAME]
    return tuple(tokens[:4])


_UPPER = "A-ZÀ-ÖØ-Þ"
_NAME = rf"[{_UPPER}][^\W\d_]+(?:[-'][{_UPPER}]?[^\W\d_]+)?"
#: "this is Freya Lindqvist", "c'est encore Violaine", "ici Sixtine Moreau".
_INTRODUCTION = re.compile(
    rf"\b(?:[Tt]his is|[Ii]t'?s|[Ii]t is|[Cc]'est|[Ii]ci|[Mm]y name is|[Jj]e m'appelle)"
    rf"\s+(?:encore\s+|again\s+|moi\s+)?({_NAME}(?:\s+{_NAME}){{0,2}})"
)
#: Call notes start with the caller: "Mme Anouk Delattre, …", "Mr Derek Moss: …".
_CALLER = re.compile(
    rf"^\W*(?:Mme|Mrs|Ms|Miss|Mr|M\.|Madame|Monsieur|Mlle)\s+({_NAME}(?:\s+{_NAME})?)\b"
)


#: A message that starts with the sender's full name: "Damien Poirier, je vous ai …".
_SIGNED_START = re.compile(rf"^\s*({_NAME}\s+{_NAME})\s*[,:]")
#: Capitalised words that open a message without being a name ("Bonjour Madame, …").
_NOT_NAMES: Final = frozenset(
    words("bonjour bonsoir hello hi hey dear allo oui yes madame monsieur good morning cher")
)


def _signed_start(text: str) -> str | None:
    found = _SIGNED_START.search(text)
    if found is None or _NOT_NAMES & set(fold(found.group(1)).split()):
        return None
    return found.group(1)


#: The last line (or last sentence) of a message, when it is only a name: "…\nLéa Morin".
_SIGNATURE = re.compile(
    rf"(?:^|[\n.!?…]\s*|[^\w\s,;:'’-]\s+)((?:{_NAME}|[{_UPPER}]\.)(?:\s*{_NAME}){{1,2}})\W*$"
)
#: Closing words a signature line may start with but that are no name.
_CLOSINGS: Final = frozenset(
    words(
        "cordialement bien regards kind best merci thanks thank bonne belle journee soiree"
        " sincerely salutations cheers love bisous amities see you soon"
    )
)


def signed_name(text: str) -> str | None:
    """The full name a message ends with (a signature, "… parlé hier. Léa Morin"), or None."""
    tail = text.strip()[-80:]
    found = _SIGNATURE.search(tail)
    if found is None:
        return None
    tokens = set(fold(found.group(1)).split())
    if tokens & (_NOT_NAMES | _CLOSINGS):
        return None
    return found.group(1)


#: A handle written in the text: "(mimi.dlc)", "@thib_rdn"; needs a "." or "_" inside.
_HANDLE = re.compile(r"(?<![\w@.])@?([a-z][a-z0-9]*(?:[._][a-z0-9]+)+)(?![\w@]|\.\w)")
_DOMAIN_ENDS: Final = frozenset(words("fr com uk co net org example io de be eu info html"))


def mentioned_handles(text: str) -> tuple[str, ...]:
    """Social handles the customer gives in the text, folded (not addresses or domains)."""
    out = []
    for found in _HANDLE.finditer(fold(text)):
        handle = found.group(1)
        if handle.rsplit(".", 1)[-1] not in _DOMAIN_ENDS and handle not in out:
            out.append(handle)
    return tuple(out[:3])


#: An X handle written out ("I'm @fergmcd_ on there"), not an email address's domain.
_X_HANDLE = re.compile(r"(?<![\w.@])@([a-z0-9_]{2,15})(?![\w@]|\.[a-z])")
#: The text says the handle is an X one ("on X", "sur Twitter", "my tweet").
_ON_X = re.compile(r"\b(?:(?:on|sur|via|de|from)\s+x|twitter|tweet\w*)\b")


def x_handles_given(text: str) -> tuple[str, ...]:
    """X handles the customer gives in a message on another channel, when the text says
    they are X ones: the sender's account there, an identity of theirs (at most two)."""
    if "@" not in text:
        return ()  # most messages: no fold needed
    folded = fold(text[:2000])
    if _ON_X.search(folded) is None:
        return ()
    return tuple(dict.fromkeys(_X_HANDLE.findall(folded)))[:2]


#: A relative named as the one who contacted us: "Ma fille Elsa vous a écrit sur
#: WhatsApp", "my husband Tom called you", "mon mari (Paul) a appelé".
_RELATIVE = re.compile(
    r"\b(?:[Mm]a|[Mm]on|[Mm]y)\s+(?:fille|fils|mari|femme|compagne|compagnon|conjointe?"
    r"|m[eè]re|p[eè]re|s(?:oe|œ)ur|fr[eè]re|daughter|son|husband|wife|partner|mum|mom"
    rf"|mother|father|dad|sister|brother)[^\S\n]*[,(]?[^\S\n]*({_NAME})"
)


#: Someone named who contacted us for the customer: "Jasper emailed you about my chair".
_CONTACTED_FOR = re.compile(
    rf"(?:^|[.!?,;:]\s*|\n\s*)({_NAME})\s+(?:(?:already|just)\s+)?"
    r"(?:e-?mailed|wrote\s+to|messaged|called|rang|phoned|dm'?e?d)\s+you\b"
    r"|(?:^|[.!?,;:]\s*|\n\s*)(" + _NAME + r")\s+(?:vous\s+a|vous\s+avait)\s+"
    r"(?:d[ée]j[àa]\s+)?(?:[ée]crit|appel[ée]s?|contact[ée]s?|envoy[ée])",
    re.MULTILINE,
)
#: Sentence-initial words that look like a name before "emailed you".
_PRONOUNS: Final = frozenset(
    words(
        "she he they we you i il elle on nous ils elles someone somebody quelqu un"
        " jai je tu who qui"
    )
)


def relative_name(text: str) -> tuple[str, ...]:
    """The first name of a relative the customer says contacted us before ("Ma fille Elsa
    vous a écrit sur WhatsApp", "Jasper emailed you about my chair"), folded, or (): the
    earlier contact may be theirs."""
    head = text[:600]
    for found in _RELATIVE.finditer(head):
        if fold(found.group(1)) not in _NOT_NAMES | _CLOSINGS:
            return name_tokens(found.group(1))[:1]
    for found in _CONTACTED_FOR.finditer(head):
        name = found.group(1) or found.group(2)
        if fold(name) not in _NOT_NAMES | _CLOSINGS | _PRONOUNS:
            return name_tokens(name)[:1]
    return ()


def introduced_name(text: str, channel: str) -> tuple[str, ...]:
    """A name the text gives for the sender near its start ("Hi, this is Freya
    Lindqvist", call notes "Mme Anouk Delattre, …"), as folded tokens, or ()."""
    head = text[:160]
    found = _INTRODUCTION.search(head)
    if found is None and channel == "phone":
        found = _CALLER.search(head)
    return name_tokens(found.group(1)) if found else ()


def caller_name(text: str) -> str | None:
    """The caller's name as the agent wrote it at the start of call notes ("M. Paul Guérin
    : veste …", "Rory Baird, order …"): the customer record of a phone number gets it."""
    found = _CALLER.search(text[:160])
    return found.group(1) if found else _signed_start(text[:160])


def record_name(text: str, channel: str) -> str | None:
    """A full name (first name and surname) for the record of a sender the channel does not
    name: the caller in call notes, or someone who introduces themselves ("Hi, it's Gareth
    Llewellyn", on a voicemail, an SMS, a WhatsApp or a chat)."""
    if channel == "phone" and (called := caller_name(text)) is not None:
        return called  # "M. Carrel : …": a surname alone is still the caller's
    found = _INTRODUCTION.search(text[:160])
    name = found.group(1) if found else signed_name(text)
    return name if name is not None and len(name_tokens(name)) >= 2 else None


def best_name(
    party: tuple[str, ...], text: str, channel: str, handle: bool = False
) -> tuple[str, ...]:
    """The fuller of the channel's display name and the one the text gives, when they do
    not disagree on the first name. A message starting "Damien Poirier, …" counts only
    when the display name already says Damien (a greeting is not a name). ``handle``: the
    display name is a handle ("juju_crr"), a pseudonym: a full name signed at the end of
    the text ("… 🙄 Justine Carré") is the sender's."""
    if handle and (signature := signed_name(text)) and len(name_tokens(signature)) >= 2:
        return name_tokens(signature)
    introduced = introduced_name(text, channel)
    if not introduced and party:
        signed = _signed_start(text)
        introduced = name_tokens(signed) if signed else ()
    if not introduced and (signature := signed_name(text)):
        introduced = name_tokens(signature)  # "…\nAurore Petit" from "A. P."
    if (
        introduced
        and len(introduced[0]) == 1
        and len(party) == 1
        and _first_agrees(introduced[0], party[0])
    ):
        introduced = (party[0], *introduced[1:])  # "Hervé" signing "H. Dufayel"
    initials = bool(party) and all(len(t) == 1 for t in party)
    if (len(introduced) > len(party) or (initials and len(introduced) >= 2)) and (
        (not party and channel in ("phone", "sms", "whatsapp", "chat"))
        or (party and _first_agrees(introduced[0], party[0]))
    ):
        return introduced
    return party


def name_keys(name: str | None) -> tuple[str | None, str | None]:
    """(first name, surname) keys of a customer record, folded, for the indexed look-up;
    a handle's second part is kept as its surname key ("lgf")."""
    tokens = name_tokens(name)
    if not tokens:
        return None, None
    return tokens[0][:64], (tokens[-1][:64] if len(tokens) > 1 else None)


def _initial_of(a: str, b: str) -> bool:
    """One surname is the other's initial ("g" / "giraud")."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) == 1 and len(long_) >= 3 and long_.startswith(short)


def _first_agrees(a: str, b: str) -> bool:
    """ "beth" ~ "bethany", "b" ~ "bruno": one is the other's start (initials included)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_.startswith(short) and (len(short) >= 3 or len(short) == 1)


def _nickname(a: str, b: str) -> bool:
    """ "bekah" ~ "rebekah", "beth" ~ "elizabeth": a short form that ends the other name
    (a start is :func:`_first_agrees`); only ever asked with the same surname."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 3 and long_.endswith(short)


def _skeleton(short: str, long_: str) -> bool:
    """``short`` keeps some letters of ``long_`` in order, from its first ("frr" /
    "ferriere", "brchd" / "brochard"), as handles shorten surnames."""
    if not 2 <= len(short) < len(long_) or short[0] != long_[0]:
        return False
    rest = iter(long_)
    return all(ch in rest for ch in short)


def _short_form(a: Sequence[str], b: Sequence[str]) -> bool:
    """One name is a handle's short form of the other: the first names share their first
    three letters ("loulou" / "louise"; a bare "sal" is too short to be a nickname) and
    one surname is the other's skeleton."""
    if a[0][:3] != b[0][:3] or len(a[0]) < 4 or len(b[0]) < 4:
        return False
    return _skeleton(a[-1], b[-1]) or _skeleton(b[-1], a[-1])


def is_handle(name: str | None) -> bool:
    """A social handle ("maiwenn.lgf", "beth_crane88"), not a name as people write it:
    its second part may be initials or a nickname, so it cannot contradict a surname."""
    if not name or " " in name.strip():
        return False
    return re.search(r"[._\d]", name) is not None


def name_match(sender: Sequence[str], other: Sequence[str], handle: bool = False) -> str | None:
    """``"full"`` (first name and surname), ``"first"`` (one side gave a first name only,
    or is a handle, and the first names are the same), or ``None``. ``handle``: one of
    the two names is a handle."""
    if not sender or not other:
        return None
    if len(sender) >= 2 and len(other) >= 2:
        surnames = {t for t in sender[1:] if len(t) >= 3} & {t for t in other[1:] if len(t) >= 3}
        if surnames and (_first_agrees(sender[0], other[0]) or _nickname(sender[0], other[0])):
            return "full"
        if _initial_of(sender[-1], other[-1]) and _first_agrees(sender[0], other[0]):
            return "first"  # "Tim G." / "Timothée Giraud": as strong as a first name
        if handle and _short_form(sender, other):
            return "first"  # "loulou_frr" / "Louise Ferrière": a nickname and a skeleton
        if not handle:
            return None
    if (
        len(sender[0]) >= 3
        and sender[0] == other[0]
        and (handle or len(sender) == 1 or len(other) == 1)
    ):
        return "first"
    if len(other) == 1 and len(sender) >= 2 and len(other[0]) >= 4 and other[0] == sender[-1]:
        return "first"  # a record named "M. Carrel" in call notes: the surname alone
    if handle and min(len(sender[0]), len(other[0])) >= 4 and _first_agrees(sender[0], other[0]):
        return "first"  # "salo.brchd" / "Salomé Brochard": handles shorten first names
    if handle and (_family_handle(sender, other) or _family_handle(other, sender)):
        return "first"  # "the_bakers_nest" / "Sophie Baker": a handle named after the family
    return None


def _family_handle(person: Sequence[str], handle: Sequence[str]) -> bool:
    """A handle word is the person's surname or its plural ("bakers" for Baker)."""
    if len(person) < 2 or len(person[-1]) < 4:
        return False
    return any(t in (person[-1], person[-1] + "s") for t in handle)


@dataclass(frozen=True, slots=True)
class EarlierContact:
    """A recent case of the brand, as far as this decision needs it."""

    case_id: int
    customer_id: int
    customer_name: str | None
    channels: frozenset[str]
    keywords: frozenset[str]
    last_message_at: datetime


@dataclass(frozen=True, slots=True)
class Match:
    contact: EarlierContact
    rule: str
    score: float


def find_earlier_contact(
    sender: Sequence[str],
    refers_to: frozenset[str],
    keywords: frozenset[str],
    at: datetime,
    contacts: Iterable[EarlierContact],
    sender_handle: bool = False,
    known_sender: bool = False,
    handles: tuple[str, ...] = (),
) -> Match | None:
    """The one earlier contact this message refers back to, or None (none, or several
    customers fit equally: guessing between two people is worse than a new record).

    ``known_sender``: the sender already has a record (a chat visitor back, a WhatsApp
    number that wrote "allo ?"): joining it to another one takes a full name or the
    handle of the other record. ``handles``: handles the message gives (see
    :func:`mentioned_handles`)."""
    best: dict[str, dict[int, EarlierContact]] = {}
    for contact in contacts:
        age = at - contact.last_message_at
        if age < timedelta(0):
            continue
        rule = _rule(sender, sender_handle, refers_to, keywords, age, contact, handles)
        if known_sender and rule not in ("same_full_name", "named_handle"):
            continue  # merging two known records takes a full name
        if rule is not None:
            best.setdefault(rule, {}).setdefault(contact.customer_id, contact)
    for rule, score in (
        ("named_handle", 0.9),
        ("same_full_name", 0.9),
        ("same_first_name", 0.75),
        ("same_topic_anonymous", 0.7),
    ):
        found = best.get(rule, {})
        if len(found) == 1:
            return Match(next(iter(found.values())), rule, score)
        if found:
            return None  # two people fit: do not guess
    return None


def _rule(
    sender: Sequence[str],
    sender_handle: bool,
    refers_to: frozenset[str],
    keywords: frozenset[str],
    age: timedelta,
    contact: EarlierContact,
    handles: tuple[str, ...] = (),
) -> str | None:
    if (
        handles
        and contact.customer_name
        and fold(contact.customer_name).lstrip("@") in handles
        and age <= NAMED_WINDOW
    ):
        return "named_handle"
    other = name_tokens(contact.customer_name)
    match = name_match(sender, other, handle=sender_handle or is_handle(contact.customer_name))
    on_named_channel = bool(refers_to & contact.channels)
    if match == "full" and age <= NAMED_WINDOW:
        return "same_full_name"
    shared = len(keywords & contact.keywords)
    if (
        match == "first"
        and on_named_channel
        # many people share a first name, fewer a topic; over a week later, one detailed
        # ("on m'a promis au téléphone le 12 un remboursement pour un sac renvoyé")
        and (
            (age <= FIRST_NAME_WINDOW and shared >= 1)
            or (age <= NAMED_WINDOW and shared >= FIRST_NAME_LATE_SHARED_WORDS)
        )
    ):
        return "same_first_name"
    if (
        not other
        and "chat" in refers_to & contact.channels
        and age <= ANONYMOUS_WINDOW
        and len(keywords & contact.keywords) >= ANONYMOUS_SHARED_WORDS
    ):
        return "same_topic_anonymous"
    return None
