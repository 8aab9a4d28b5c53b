"""Automatic pre-checks of an agent's answer (pure): spelling (French and English
dictionaries shipped inside ``pyspellchecker``, read from the package, never downloaded),
missing greeting, missing sign-off, slower than the objective.

They highlight; they never score. The reviewer decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from spellchecker import SpellChecker

URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"\+?\d[\d .-]{6,}\d")
# order numbers and references: anything with a digit, A-12345, GX123456, AC-000123
CODE = re.compile(r"\b[\w-]*\d[\w-]*\b")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SENTENCE_START = re.compile(r"(?:^|[.!?:\n]\s*|^\s*[-•*]\s*)$")

GREETINGS = {
    "fr": (r"bonjour", r"bonsoir", r"salut", r"madame", r"monsieur", r"chère?", r"hello"),
    "en": (r"hello", r"hi", r"hey", r"dear", r"good (?:morning|afternoon|evening)", r"greetings"),
}
SIGN_OFFS = {
    "fr": (
        r"cordialement",
        r"bien (?:à|a) vous",
        r"(?:belle|bonne) (?:journée|soirée|fin de journée|semaine)",
        r"(?:à|a) bientôt",
        r"(?:sincères |meilleures )?salutations",
        r"l['’]équipe",
        r"le service client",
        r"(?:je reste|nous restons) (?:à votre disposition|disponible)",
        r"merci (?:de votre|pour votre) (?:confiance|patience|compréhension)",
    ),
    "en": (
        r"(?:kind |best |warm )?regards",
        r"best wishes",
        r"sincerely",
        r"cheers",
        r"have a (?:nice|great|good|lovely) (?:day|evening|weekend)",
        r"the [\w ]{0,30}team",
        r"customer (?:service|care)",
        r"thanks? (?:you )?(?:again|for your (?:patience|understanding))",
        r"(?:all the )?best",
    ),
}
#: Channels whose answers are expected to end with a sign-off (chat lines and texts are not).
SIGN_OFF_CHANNELS = frozenset({"email", "webform"})


@lru_cache(maxsize=4)
def dictionary(language: str) -> SpellChecker:
    """The shipped word list (``distance=1`` keeps suggestions fast)."""
    return SpellChecker(language=language, distance=1)


def _language(value: str | None) -> str:
    return "fr" if (value or "").lower().startswith("fr") else "en"


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _candidates(text: str, ignore: set[str]) -> Iterable[tuple[str, int]]:
    """Words worth looking up: not in a URL, email, phone or code, not a name (a
    capitalised word inside a sentence), not an acronym, not on the ignore list."""
    clean = text
    for pattern in (URL, EMAIL, PHONE, CODE):
        clean = _blank(clean, pattern)
    for m in WORD.finditer(clean):
        word = m.group(0)
        if len(word) < 3 or word.lower() in ignore:
            continue
        if word.isupper():
            continue  # SAV, DHL, UPS
        if word[0].isupper() and not SENTENCE_START.search(clean[: m.start()]):
            continue  # a name inside a sentence: Colissimo, Julie, Lyon
        yield word, m.start()


def _known(word: str, primary: SpellChecker, secondary: SpellChecker) -> bool:
    lower = word.lower().replace("’", "'")
    if primary.known([lower]) or secondary.known([lower]):
        return True
    parts = [p for p in re.split(r"['-]", lower) if p]
    if len(parts) > 1:  # l'adresse, peut-être, rendez-vous, qu'il
        return all(len(p) < 3 or primary.known([p]) or secondary.known([p]) for p in parts)
    return False


def spelling(
    text: str, language: str | None, ignore: Iterable[str] = (), limit: int = 20
) -> list[dict[str, Any]]:
    """Words neither dictionary knows, with the likeliest correction; ``ignore`` are the
    brand's and the customer's own words (product names, the customer's name)."""
    lang = _language(language)
    primary = dictionary(lang)
    secondary = dictionary("en" if lang == "fr" else "fr")
    ignored = {w.lower() for w in ignore}
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for word, at in _candidates(text, ignored):
        key = word.lower()
        if key in seen or _known(word, primary, secondary):
            continue
        seen.add(key)
        suggestion = primary.correction(key)
        found.append(
            {"word": word, "at": at, "suggestion": suggestion if suggestion != key else None}
        )
        if len(found) >= limit:
            break
    return found


def _opening(text: str) -> str:
    return text.strip()[:80].lower()


def _closing(text: str) -> str:
    return text.strip()[-200:].lower()


def has_greeting(text: str, language: str | None) -> bool:
    head = _opening(text)
    patterns = GREETINGS["fr"] + GREETINGS["en"]
    return any(re.match(rf"\W*{p}\b", head) for p in patterns)


def has_sign_off(text: str, language: str | None) -> bool:
    tail = _closing(text)
    patterns = SIGN_OFFS["fr"] + SIGN_OFFS["en"]
    return any(re.search(rf"\b{p}\b", tail) for p in patterns)


def slow_answer(
    answered_at: datetime,
    asked_at: datetime | None,
    due_at: datetime | None,
    objective_s: int | None,
) -> dict[str, Any]:
    """Late against the due time the SLA computed (business hours), or else against the
    channel's objective in calendar seconds."""
    delay = (answered_at - asked_at).total_seconds() if asked_at is not None else None
    if due_at is not None:
        late = answered_at > due_at
        return {"late": late, "delay_s": delay, "due_at": due_at.isoformat(), "basis": "sla"}
    if delay is not None and objective_s is not None:
        return {"late": delay > objective_s, "delay_s": delay, "objective_s": objective_s,
                "basis": "channel_objective"}  # fmt: skip
    return {"late": False, "delay_s": delay, "basis": "none"}


def auto_checks(
    text: str,
    language: str | None,
    channel: str,
    *,
    answered_at: datetime,
    asked_at: datetime | None = None,
    due_at: datetime | None = None,
    objective_s: int | None = None,
    ignore: Iterable[str] = (),
) -> dict[str, Any]:
    """Every pre-check of one answer, as stored on the review (``auto_checks``)."""
    mistakes = spelling(text, language, ignore)
    greeting = has_greeting(text, language)
    sign_off = has_sign_off(text, language)
    expects_sign_off = channel in SIGN_OFF_CHANNELS
    slow = slow_answer(answered_at, asked_at, due_at, objective_s)
    flags = []
    if mistakes:
        flags.append("spelling")
    if not greeting:
        flags.append("missing_greeting")
    if expects_sign_off and not sign_off:
        flags.append("missing_sign_off")
    if slow["late"]:
        flags.append("slow")
    return {
        "language": _language(language),
        "spelling": mistakes,
        "greeting": greeting,
        "sign_off": sign_off if expects_sign_off else None,
        "slow": slow,
        "flags": flags,
    }
