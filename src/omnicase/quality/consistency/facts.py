"""The facts an agent's answer states, in French and English, normalised for comparison.

A fact is a *slot* (what it is about: ``refund_delay``, ``shipping_fee``, ``refund``…) and
a *value* written the same way whatever the wording: amounts in cents with their
currency ("4,90 €" = "4.90 EUR" = "4€90"), delays as a range of days with their kind of
day ("48h" = "2 days"; "5 jours ouvrés" = "5 business days"), dates as ISO dates
(relative ones resolved from when the answer was sent: "demain" on the 3rd is the 4th),
decisions as granted / refused / partial / full. The slot comes from the nearest cue
word of the same clause ("le *remboursement* sera effectué sous 5 jours"); a number with
no cue gets a generic slot that is never compared (too easy to misread).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

Kind = Literal["amount", "delay", "date", "decision", "policy", "order"]
DelayValue = tuple[str, float, float]  # (day kind "cal"/"bus", low, high) in days
Value = tuple[str, int] | DelayValue | str


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact of one answer: ``slot`` = ``value``; ``text`` as written."""

    kind: Kind
    slot: str
    value: Value
    text: str


#: Slots a macro may state (brand policies); decisions and one-off amounts are per case.
POLICY_SLOTS = frozenset(
    {
        "return_window",
        "return_fee",
        "shipping_fee",
        "refund_delay",
        "delivery_delay",
        "dispatch_delay",
        "replacement_delay",
        "voucher_validity",
    }
)

_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "douze": 12, "quatorze": 14, "quinze": 15, "vingt": 20,
    "trente": 30, "quarante-huit": 48, "quarante": 40, "soixante": 60,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty-eight": 48, "sixty": 60,
}  # fmt: skip
_NUM = r"(?:\d+(?:[.,]5)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"

_MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12, "january": 1, "february": 2, "march": 3, "april": 4,
    "may": 5, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10,
    "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip

# (slot stem, cue): the nearest cue of the clause names what a number is about.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (slot, re.compile(cue))
    for slot, cue in (
        (
            "voucher",
            r"bon d'achat|bons d'achat|code promo|code de réduction|geste commercial|avoir\b"
            r"|voucher|gift card|store credit|discount code|promo code|coupon|goodwill",
        ),
        (
            "return_fee",
            r"frais de retour|retours? (?:est |sont |reste |restent )?(?:gratuit|offert)"
            r"|return (?:fee|label|shipping|postage|costs?)|free returns?"
            r"|returns? (?:is |are )?(?:free|at no cost)|étiquette de retour",
        ),
        (
            "shipping_fee",
            r"frais de (?:port|livraison|d'envoi|d'expédition)"
            r"|livraison (?:est )?(?:offerte|gratuite)"
            r"|shipping (?:fee|cost|charge)s?|delivery (?:fee|charge|cost)s?|postage"
            r"|free (?:shipping|delivery)|frais d'envoi",
        ),
        (
            "return_window",
            r"pour (?:nous )?(?:retourner|renvoyer|le retourner|la retourner|les retourner)"
            r"|délai de retour|droit de retour|rétractation|changer d'avis"
            r"|returns? (?:window|period|policy)|to return|send (?:\w+ ){0,2}back|be returned"
            r"|can return|nous renvoyer|renvoyer (?:le|la|les|l'|votre|vos)|être retournés?"
            r"|returns? (?:are|is) accepted|days? (?:for|to make a) returns?|de retour\b"
            r"|retours? (?:sont |est )?acceptés?|trial|période d'essai|\bessai\b|change your mind"
            r"|cooling-off",
        ),
        (
            "refund",
            r"rembours|refund|recrédit|crédité|credited|virement|bank transfer"
            r"|(?:sur|to|on) (?:votre|your) (?:compte|carte|relevé|card|account|statement)",
        ),
        (
            "replacement",
            r"remplac|nouvel (?:article|exemplaire)|échange|replace|exchange|new one",
        ),
        (
            "dispatch",
            r"expédi|\bpart(?:ira|ir)?\b|dispatch|\bship(?:ped|s)?\b|sent out|leaves? our warehouse"
            r"|quitter(?:a)? (?:notre|l')entrepôt|remis au transporteur|handed to the carrier",
        ),
        (
            "delivery",
            r"livr|deliver|colis|parcel|package|répar|repair|back with you|returned to you",
        ),
        ("return_window~", r"\bretours?\b|\breturns?\b|renvoi|sending (?:\w+ ){0,2}back"),
        # verbs any subject takes ("le remboursement arrive"): far weaker than a noun
        ("delivery~", r"reçu|recevoir|recevrez|arriv|receive|\barrive|parvien"),
        (
            "callback",
            r"rappel|recontact|contacter|contactera|revenir vers vous|reviendr|get back to you"
            r"|call (?:\w+ )?back|in touch|call you|vous appeler|vous appellera"
            r"|nous vous appellerons"
            r"|contact you|hear from us|réponse|answer",
        ),
    )
)

_MONEY_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    *(c for c in _CUES if c[0] in ("voucher", "return_fee", "shipping_fee", "refund")),
    (
        "refund",
        re.compile(
            r"(?:sur|to|on) (?:votre|your) (?:compte|carte|relevé|card|account|statement)"
            r"|rendus?|back to you"
        ),
    ),
    (
        "return_fee",
        re.compile(r"\bretours?\b|\breturns?\b|\breturning\b|renvoi|sending (?:\w+ ){0,2}back"),
    ),
    ("shipping_fee", re.compile(r"livraison|\bport\b|shipping|delivery|express|postage")),
)
_RETURN_POSTAGE = re.compile(
    r"^(?:(?!livraison|delivery|shipping|express).)*(?:postage|frais d'envoi)"
)
_RETURNING = re.compile(r"\bretour|\breturn|renvo|send (?:\w+ ){0,2}back")
#: "from delivery", "après réception": when a delay starts, not what it is about.
_ANCHOR = re.compile(
    r"(?:from|after|of|following) (?:the )?(?:delivery|receipt)|à (?:compter|partir) de (?:la )?"
    r"(?:livraison|réception)|après (?:la )?(?:réception|livraison)|(?:de|dès) (?:la )?réception"
)

_AMOUNT_SLOTS = {
    "refund": "refund_amount",
    "voucher": "voucher_amount",
    "return_fee": "return_fee",
    "shipping_fee": "shipping_fee",
}
_DELAY_SLOTS = {
    "refund": "refund_delay",
    "replacement": "delivery_delay",  # a replacement's delay is when it is delivered
    "delivery": "delivery_delay",
    "dispatch": "dispatch_delay",
    "callback": "callback_delay",
    "return_window": "return_window",
    "voucher": "voucher_validity",
    "return_fee": "return_window",
}
_TIME_CUES = tuple(c for c in _CUES if c[0] not in ("shipping_fee",))

_DATE_SLOTS = {
    "refund": "refund_date",
    "replacement": "delivery_date",
    "delivery": "delivery_date",
    "dispatch": "dispatch_date",
    "callback": "callback_date",
    "return_window": "return_deadline",
}

_CUR = r"(?:€|eur\b|euros?\b|\$|usd\b|dollars?\b|£|gbp\b|pounds?\b)"
_AMOUNT = re.compile(
    r"(?P<pre>€|\$|£|eur\s|usd\s|gbp\s)\s?(?P<a>\d{1,5}(?:[.,]\d{1,2})?)\b"
    r"|(?P<b>\d{1,5}(?:[ .]\d{3})?(?:[.,]\d{1,2})?)\s?(?P<post>" + _CUR + r")(?:\s?(?P<c>\d{2})\b)?"
)
_THRESHOLD = re.compile(
    r"(?:dès|à partir de|au-delà de|plus de|from|over|above|more than|minimum de|minimum of"
    r"|under|below|en dessous de|less than)"
    r"\s+(?:\w+\s+){0,2}$"
)
_FREE = re.compile(
    r"(?P<slot>retours? (?:est |sont |reste |restent )?(?:gratuits?|offerts?)|free returns?"
    r"|returns? (?:is |are )?free|retour gratuit|étiquette de retour (?:gratuite|prépayée)"
    r"|prepaid return label|free return label|return label (?:is )?free"
    r"|livraison (?:est )?(?:offerte|gratuite)|frais de port (?:offerts"
    r"|gratuits)|free (?:shipping|delivery)"
    r"|shipping (?:is )?free|delivery (?:is )?free|sans frais de (?:port|livraison))"
)
_DELAY = re.compile(
    r"(?:(?P<lo>" + _NUM + r")\s?(?:à|a|-|–|to|ou|or)\s?)?(?P<n>" + _NUM + r")\s?"
    r"(?P<unit>h\b|heures?|hours?|hrs?\b|jours? ouvrés|jours? ouvrables|jours? calendaires"
    r"|business days?|working days?|jours?|days?|j\b|semaines?|weeks?|mois|months?)"
)
_HOUR_AFTER = re.compile(r"^\s?\d{2}\b|^\s?/\s?\d")  # 14h30, 24h/24
_PAST_BEFORE = re.compile(
    r"(?:il y a|depuis|since|for the (?:past|last)|voici|en moins de|au bout de)\s*$"
)
_CLOCK_BEFORE = re.compile(
    r"(?:\bà|avant|après|vers|\bat|before|after|by|until|from|dès|entre|\bde|jusqu'à|and|et)\s*$"
)
_DATE_ABS = re.compile(
    r"\b(?P<d1>\d{1,2})(?:er|st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>"
    + _MONTH
    + r")\b\.?(?:\s+(?P<y1>\d{4}))?"
    r"|\b(?P<m2>" + _MONTH + r")\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{4}))?"
    r"|\b(?P<d3>\d{1,2})/(?P<m3>\d{1,2})(?:/(?P<y3>\d{2,4}))?\b"
)
_DATE_REL = re.compile(
    r"après-demain|apres-demain|day after tomorrow|aujourd'hui"
    r"|today|demain|tomorrow|ce soir|tonight"
    r"|\b(?P<wd>" + "|".join(_WEEKDAYS) + r")\b"
)
_REL_DAYS = {
    "après-demain": 2,
    "apres-demain": 2,
    "day after tomorrow": 2,
    "aujourd'hui": 0,
    "today": 0,
    "ce soir": 0,
    "tonight": 0,
    "demain": 1,
    "tomorrow": 1,
}
_ORDER = re.compile(r"\b(?:[A-Z]{1,4}-?\s?\d{4,}|\d{7,})\b")

_CLAUSE = re.compile(
    r"(?<=[.!?;])\s+|\n+|\s+[-–]\s+|,\s+(?=(?:puis|ensuite|then|and then|and|et)\b)"
)
_TURN = re.compile(
    r",?\s+(?:mais|but|however|et|and|cependant|toutefois|en revanche|par contre|instead|whereas"
    r"|alors que|à la place|rather)\b|\s\(|\)|\s?:\s"
)
_NEGATION = re.compile(
    r"\b(?:ne|n')\s?(?:\w+\s){0,4}?(?:pas|plus|aucun|aucune|jamais)\b|\bn'\w+\s(?:pas|plus)\b"
    r"|n't\b|impossible|pas possible|refus|unable|cannot|can't|can not|won't|will not|isn't|is not"
    r"|are not|not (?:be )?(?:able|eligible|possible|entitled|covered)|no longer|declin|reject"
    r"|non éligible|pas éligible|not accept|don't|do not|n'est pas|ne sont pas|aren't"
    r"|hors délai|outside (?:the|our) return|past the return|dépassé|expired|exceeded"
    r"|\bno refund|aucun remboursement|pas de remboursement|we're not able|not approve"
)
_CONDITIONAL = re.compile(
    r"^(?:si|s'il|if|should|au cas où|in case|unless|sauf si"
    r"|à condition)\b|\b(?:si|if) (?:vous|you)\b"
)
_DECIDED = re.compile(
    r"effectu|procéd|validé|valider|accept|approuv|accord|émis|lancé|déclench|initi|confirm"
    r"|issued|approved|processed|granted|authori[sz]|arrange|organis|allons|vais|pouvons|serez"
    r"|sera\b|a été|ont été|avons|have been|has been|will be|will (?:refund|replace|send|receive)"
    r"|we(?:'ve| have)? (?:refunded|replaced|sent|issued|offered)|recevrez|receive|credited"
    r"|crédité|de \d|of [€$£]?\d|proposons|offrons|offer|offert|envoyons|sending|send you|lanc"
    r"|\bpart\b|partira|goes out|go out|on its way|en route|vous rembours"
    r"|vous renvoy|bénéficier|qualif|eligible|éligible|can\b|peux|pourrez"
    r"|intégral|partiel|full|partial|total|remboursons|rembourserons|remboursé|refunded|refunding"
    r"|we(?:'ll| will)? refund|gone through|went through|renvoyons|remplacerons|remplacé"
)

_DECISIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("refund", re.compile(r"rembours|refund")),
    (
        "replacement",
        re.compile(
            r"remplac|nouvel (?:article|exemplaire|envoi)|renvo(?:yer|yons|i) (?:un|une|le|la) "
            r"(?:nouv|autre)|échange|replacement|replace|exchange|send you a new|new one"
        ),
    ),
    (
        "return",
        re.compile(
            r"\bretour(?! vers)|\breturn(?! to you)|renvoyer l'article|send it back|reprendre"
            r"|take (?:\w+ ){0,2}back"
        ),
    ),
    ("voucher", _CUES[0][1]),
)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    for a, b in (("\u00a0", " "), ("\u202f", " "), ("’", "'"), ("‘", "'"), ("–", "-")):
        text = text.replace(a, b)
    return text.lower()


def _number(word: str) -> float:
    word = word.strip().lower()
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    return float(word.replace(",", "."))


def _slot(
    clause: str, start: int, end: int, cues: tuple[tuple[str, re.Pattern[str]], ...] = _CUES
) -> str | None:
    """The cue of ``clause`` nearest to ``clause[start:end]`` (a cue after it counts a bit
    further: "remboursé sous 5 jours" names its subject first)."""
    best: tuple[float, int, str] | None = None
    clause = _ANCHOR.sub(lambda m: " " * len(m.group(0)), clause)
    for rank, (slot, cue) in enumerate(cues):
        for m in cue.finditer(clause):
            if m.end() <= start:
                distance = float(start - m.end())
            elif m.start() >= end:
                distance = float(m.start() - end) + 12
            else:
                distance = 0.0
            if slot.endswith("~"):
                distance += 25
            if best is None or (distance, rank) < best[:2]:
                best = (distance, rank, slot)
    return best[2].rstrip("~") if best else None


def _context(around: tuple[str, str], cues: tuple[tuple[str, re.Pattern[str]], ...]) -> str | None:
    """A clause without a cue continues the previous one's subject ("Le remboursement est
    validé. Comptez 5 jours."), else announces the next one's."""
    prev, nxt = around
    return _slot(prev, len(prev), len(prev), cues) or _slot(nxt, 0, 0, cues)


def _clauses(text: str) -> list[str]:
    return [c for c in (p.strip() for p in _CLAUSE.split(text)) if c]


def _amounts(clause: str, around: tuple[str, str]) -> Iterator[Fact]:
    for m in _AMOUNT.finditer(clause):
        if m.group("pre"):
            raw, cur = m.group("a"), m.group("pre").strip()
            cents_extra = None
        else:
            raw, cur = m.group("b"), m.group("post")
            cents_extra = m.group("c")
        raw = raw.replace(" ", "")
        if re.fullmatch(r"\d{1,3}\.\d{3}", raw):
            raw = raw.replace(".", "")
        value = float(raw.replace(",", "."))
        if cents_extra and "," not in raw and "." not in raw:
            value += int(cents_extra) / 100
        currency = {"€": "EUR", "$": "USD", "£": "GBP"}.get(cur, cur[:3].upper())
        currency = {"EUR": "EUR", "DOL": "USD", "POU": "GBP"}.get(currency, currency)
        cue = _slot(clause, m.start(), m.end(), _MONEY_CUES) or _context(around, _MONEY_CUES)
        slot = _AMOUNT_SLOTS.get(cue or "", "amount")
        if (
            slot == "shipping_fee"
            and _RETURN_POSTAGE.search(clause)
            and _RETURNING.search(" ".join((around[0], clause)))
        ):
            slot = "return_fee"  # "we've accepted the return. Postage £0": the return's
        if _THRESHOLD.search(clause[: m.start()]):
            slot += "_threshold"
        kind: Kind = "policy" if slot in ("return_fee", "shipping_fee") else "amount"
        yield Fact(kind, slot, (currency, round(value * 100)), m.group(0))
    for m in _FREE.finditer(clause):
        if _AMOUNT.search(clause) and re.search(r"dès|à partir|from|over|above|plus de", clause):
            continue  # "livraison offerte dès 50 €": free above a threshold, not always
        phrase = m.group("slot")
        slot = (
            "shipping_fee"
            if re.search(r"livraison|port|shipping|delivery", phrase)
            else "return_fee"
        )
        yield Fact("policy", slot, ("EUR", 0), phrase)


def _delays(clause: str, around: tuple[str, str]) -> Iterator[Fact]:
    for m in _DELAY.finditer(clause):
        unit = m.group("unit")
        before, after = clause[: m.start()], clause[m.end() :]
        if _PAST_BEFORE.search(before) or re.match(r"\s?(?:ago|plus tôt|auparavant)\b", after):
            continue
        if re.match(r"\s?/\s?\d|\s?sur\s?\d", after):  # 24h/24, 7j/7, 7 jours sur 7
            continue
        if unit in ("j",) and not m.group("n").isdigit():
            continue
        hi = _number(m.group("n"))
        lo = _number(m.group("lo")) if m.group("lo") else hi
        if unit.startswith(("h", "heure", "hour", "hr")):
            if _HOUR_AFTER.match(after) or (
                _CLOCK_BEFORE.search(before) and not m.group("lo") and hi <= 24
            ):
                continue  # a time of day ("avant 14h", "at 5 hours"), not a delay
            family, lo, hi = "cal", lo / 24, hi / 24
        elif re.search(r"ouvr|business|working", unit):
            family = "bus"
        elif unit.startswith(("semaine", "week")):
            family, lo, hi = "cal", lo * 7, hi * 7
        elif unit.startswith(("mois", "month")):
            family, lo, hi = "cal", lo * 30, hi * 30
        else:
            family = "cal"
        cue = _slot(clause, m.start(), m.end(), _TIME_CUES) or _context(around, _TIME_CUES)
        slot = _DELAY_SLOTS.get(cue or "", "delay")
        kind: Kind = "policy" if slot in ("return_window", "voucher_validity") else "delay"
        yield Fact(kind, slot, (family, lo, hi), m.group(0))


def _dates(clause: str, sent: date | None, around: tuple[str, str]) -> Iterator[Fact]:
    for m in _DATE_ABS.finditer(clause):
        if m.group("d3"):
            if m.group(0) in ("24/7", "7/7"):
                continue  # opening hours
            day, month = int(m.group("d3")), int(m.group("m3"))
            year_raw = m.group("y3")
        elif m.group("m1"):
            day, month, year_raw = int(m.group("d1")), _MONTHS[m.group("m1")], m.group("y1")
        else:
            if m.group("m2") in ("may", "mar") and not re.match(r"\d", m.group("d2")):
                continue
            day, month, year_raw = int(m.group("d2")), _MONTHS[m.group("m2")], m.group("y2")
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        year = int(year_raw) if year_raw else (sent.year if sent else None)
        if year is not None and year < 100:
            year += 2000
        try:
            value = date(year, month, day).isoformat() if year else f"--{month:02d}-{day:02d}"
        except ValueError:
            continue
        yield _date_fact(clause, m, value, around)
    if sent is None:
        return
    for m in _DATE_REL.finditer(clause):
        word = m.group(0)
        if m.group("wd"):
            ahead = (_WEEKDAYS[m.group("wd")] - sent.weekday()) % 7 or 7
            if re.match(r"\s+(?:\d|dernier|last)", clause[m.end() :]) or re.search(
                r"(?:depuis|since|last|dernier)\s+$", clause[: m.start()]
            ):
                continue
            value = (sent + timedelta(days=ahead)).isoformat()
        else:
            value = (sent + timedelta(days=_REL_DAYS[word])).isoformat()
        yield _date_fact(clause, m, value, around)


def _date_fact(clause: str, m: re.Match[str], value: str, around: tuple[str, str]) -> Fact:
    cue = _slot(clause, m.start(), m.end(), _TIME_CUES) or _context(around, _TIME_CUES)
    return Fact("date", _DATE_SLOTS.get(cue or "", "date"), value, m.group(0))


def _decisions(clause: str) -> Iterator[Fact]:
    if clause.rstrip().endswith("?") or _CONDITIONAL.search(clause):
        return
    for part in _TURN.split(clause):
        if not part or not part.strip():
            continue
        for slot, cue in _DECISIONS:
            if not cue.search(part):
                continue
            if slot == "return" and not re.search(
                r"accept|valid|approuv|autoris|accord|approved|authori|étiquette|label|refus"
                r"|hors délai|outside|past the|not possible"
                r"|pas possible|impossible|cannot|ne pouvons|reprendre|take (?:\w+ ){0,2}back"
                r"|aren't|n't",
                part,
            ):
                continue
            if (
                slot == "voucher"
                and re.search(r"code promo|promo code|discount code", part)
                and (not _DECIDED.search(part))
            ):
                continue
            if _NEGATION.search(part):
                value = "refused"
            elif not _DECIDED.search(part):
                continue
            elif slot == "refund" and re.search(
                r"partiel|partial|en partie|une partie|part of|à hauteur", part
            ):
                value = "partial"
            elif slot == "refund" and re.search(
                r"intégral|totalité|\btotal\b|in full|full refund|fully|entire|whole", part
            ):
                value = "full"
            else:
                value = "accepted" if slot == "return" else "granted"
            yield Fact("decision", slot, value, part.strip()[:120])


def _order_numbers(text: str) -> Iterator[Fact]:
    for m in _ORDER.finditer(text):
        yield Fact("order", "order", re.sub(r"[\s-]", "", m.group(0)).upper(), m.group(0))


def extract_facts(text: str, sent_at: datetime | None = None) -> list[Fact]:
    """Every fact ``text`` states, in order; ``sent_at`` resolves "demain", "Monday"."""
    sent = sent_at.date() if sent_at is not None else None
    facts: list[Fact] = list(_order_numbers(text))
    clauses = [
        c for c in _clauses(_norm(text)) if not re.match(r"^(?:>|le .* a écrit|on .* wrote)", c)
    ]  # quoted history is what was said before, not this answer
    for i, clause in enumerate(clauses):
        around = (clauses[i - 1] if i else "", clauses[i + 1] if i + 1 < len(clauses) else "")
        facts.extend(_amounts(clause, around))
        facts.extend(_delays(clause, around))
        facts.extend(_dates(clause, sent, around))
        facts.extend(_decisions(clause))
    return facts


_UNITS = {
    "days": ("cal", 1.0),
    "calendar_days": ("cal", 1.0),
    "business_days": ("bus", 1.0),
    "working_days": ("bus", 1.0),
    "hours": ("cal", 1 / 24),
    "weeks": ("cal", 7.0),
    "months": ("cal", 30.0),
}


def macro_facts(body: str, declared: Mapping[str, Any]) -> list[Fact]:
    """A macro's facts: the policy facts its body states plus the declared ones
    (``{"refund_delay_days": 14, "shipping_fee_eur": 4.9, "delivery_delay_business_days":
    [3, 5]}``: slot, then unit or currency)."""
    facts = [f for f in extract_facts(body) if f.slot in POLICY_SLOTS]
    for key, raw in declared.items():
        fact = declared_fact(key, raw)
        if fact is not None:
            facts.append(fact)
    return facts


def declared_fact(key: str, raw: Any) -> Fact | None:
    """One declared macro fact, or None for a key this module does not know."""
    for suffix, cur in (("_eur", "EUR"), ("_usd", "USD"), ("_gbp", "GBP")):
        if key.endswith(suffix) and isinstance(raw, int | float):
            slot = key[: -len(suffix)]
            return Fact("policy", slot, (cur, round(float(raw) * 100)), f"{raw} {cur}")
    for suffix, (family, factor) in sorted(_UNITS.items(), key=lambda u: -len(u[0])):
        if not key.endswith("_" + suffix):
            continue
        slot = key[: -len(suffix) - 1]
        if isinstance(raw, int | float):
            lo = hi = float(raw)
        elif isinstance(raw, list | tuple) and len(raw) == 2:
            lo, hi = float(raw[0]), float(raw[1])
        else:
            return None
        kind: Kind = "policy" if slot in POLICY_SLOTS else "delay"
        return Fact(kind, slot, (family, lo * factor, hi * factor), f"{raw} {suffix}")
    return None


def order_numbers(facts: list[Fact]) -> set[str]:
    return {str(f.value) for f in facts if f.kind == "order"}
