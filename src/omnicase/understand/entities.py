"""Entities customers write in messages: order and tracking numbers, emails, phones,
amounts and delays.

Order numbers follow each brand's own pattern, so the brand gives a regex (``A-\\d{5}``) and
this module derives a lenient version of it, because customers write "a10492", "A 10492"
or "cde A-10492" for "A-10492"; every hit is rewritten to the canonical form and checked
against the brand's regex. Extractors run in an order that lets the more specific entity
win (a tracking number is not an order number; an order number is not a phone).

Speed: every regex runs on ``Prepared.view`` (lowercase ASCII aligned with the raw text)
and starts with a literal or is anchored on a literal found with ``str.find`` ("@", "€",
a currency word, an order word), because a regex that must be tried at every character
costs tens of microseconds per message in CPython. Spans found on the view slice the raw
text, so phones and delays come back as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Final, Literal

from omnicase.understand._text import Prepared, count_digits, prepare, words


@dataclass(frozen=True, slots=True)
class Amount:
    """A sum of money quoted by the customer."""

    value: Decimal
    currency: str
    """ISO 4217: EUR, GBP or USD."""


@dataclass(frozen=True, slots=True)
class Entities:
    """Everything extracted from one message, each tuple in order of appearance, deduplicated."""

    order_numbers: tuple[str, ...] = ()
    """Normalised to the brand pattern's canonical form ("A-10492")."""
    tracking_numbers: tuple[str, ...] = ()
    """Uppercased."""
    emails: tuple[str, ...] = ()
    """Lowercased."""
    phones: tuple[str, ...] = ()
    """As written; the pipeline normalises them to E.164 with the brand's region."""
    amounts: tuple[Amount, ...] = ()
    delays: tuple[str, ...] = ()
    """As written (whitespace collapsed): "sous 48h", "depuis 3 semaines", "for 2 weeks"."""


EMPTY_ENTITIES: Final = Entities()

_Span = tuple[int, int]

#: Digits become 0xFF bytes in ``view.encode().translate(_MARK_DIGITS)``, so "is there a
#: run of n digits" is one substring search: the gate in front of several extractors.
_MARK_DIGITS: Final = bytes.maketrans(b"0123456789", b"\xff" * 10)
#: Every tracking number has a run of >= 9 digits.
_NINE_MARKED: Final = b"\xff" * 9

# --------------------------------------------------------------------------- order numbers

_CaseMode = Literal["upper", "lower", "keep"]


@dataclass(frozen=True, slots=True)
class _Atom:
    kind: Literal["lit", "sep", "cls"]
    text: str
    """Literal characters (lit, sep) or the regex of a character class (cls)."""
    quant: str = ""


@dataclass(frozen=True, slots=True)
class _OrderRule:
    pattern: str
    strict: re.Pattern[str]
    loose: re.Pattern[str]
    """Runs on ``Prepared.view`` (lowercase ASCII), so literals are lowercase."""
    canon: tuple[tuple[str, int, _CaseMode], ...] | None
    """Pieces of the canonical form: (literal text, 0, "keep") or ("", group, case mode);
    ``None`` when the pattern was too complex to decompose."""
    digit_run: int = 0
    """Digits the pattern needs in one run (``\\d{5}`` -> 5): a cheap gate before the regex."""
    single_letter: bool = False
    """The pattern starts with a one-letter literal ("A-\\d{5}"): a lowercase "a" followed
    by a space is then the French or English word ("il y a 10492"), not the prefix."""

    def canonical(self, match: re.Match[str], text: str) -> str | None:
        """Canonical order number for a loose match on the view of ``text``."""
        start = match.start()
        if self.single_letter and text[start + 1 : start + 2].isspace() and text[start].islower():
            return None
        if self.canon is None:
            written = text[start : match.end()]
            candidates: tuple[str, ...] = (written, written.upper(), written.lower())
        else:
            parts: list[str] = []
            for literal, group, mode in self.canon:
                if not group:
                    parts.append(literal)
                    continue
                value = text[match.start(group) : match.end(group)]
                if mode == "upper":
                    value = value.upper()
                elif mode == "lower":
                    value = value.lower()
                parts.append(value)
            candidates = ("".join(parts),)
        for candidate in candidates:
            if self.strict.fullmatch(candidate):
                return candidate
        return None


def _parse_pattern(pattern: str) -> list[_Atom] | None:
    """Split a simple brand regex into literals, separators and classes.

    Returns ``None`` for anything beyond that (groups, alternation), which then falls back
    to the brand regex used as is, case-insensitively.
    """
    atoms: list[_Atom] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return None
            nxt = pattern[i + 1]
            i += 2
            if nxt in "dDwWsS":
                atoms.append(_Atom("cls", "\\" + nxt))
            elif nxt in "bBAZ":
                continue
            elif nxt.isalnum():
                return None  # \n, \t, back-references...: not a simple pattern
            else:
                atoms.append(_Atom("sep", nxt))
        elif c == "[":
            end = i + 1
            if end < n and pattern[end] == "^":
                end += 1
            if end < n and pattern[end] == "]":
                end += 1
            while end < n and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
            if end >= n:
                return None
            atoms.append(_Atom("cls", pattern[i : end + 1]))
            i = end + 1
        elif c in "^$":
            i += 1
        elif c == ".":
            atoms.append(_Atom("cls", r"[^\W_]"))
            i += 1
        elif c in "{*+?":
            if not atoms:
                return None
            if c == "{":
                end = pattern.find("}", i)
                if end < 0:
                    return None
                quant = pattern[i : end + 1]
                i = end + 1
            else:
                quant = c
                i += 1
            if i < n and pattern[i] in "?+":  # lazy/possessive: irrelevant here
                i += 1
            last = atoms.pop()
            if last.quant:
                return None
            if last.kind == "lit" and len(last.text) > 1:
                atoms.append(_Atom("lit", last.text[:-1]))
                last = _Atom("lit", last.text[-1])
            if last.kind == "lit":
                atoms.append(_Atom("cls", re.escape(last.text), quant))
            else:
                atoms.append(_Atom(last.kind, last.text, quant))
        elif c in "()|":
            return None
        else:
            kind: Literal["lit", "sep"] = "lit" if c.isalnum() else "sep"
            if kind == "lit" and atoms and atoms[-1].kind == "lit" and not atoms[-1].quant:
                atoms[-1] = _Atom("lit", atoms[-1].text + c)
            else:
                atoms.append(_Atom(kind, c))
            i += 1
    return atoms


def _case_mode(class_regex: str) -> _CaseMode:
    """Whether a class only admits upper- or lowercase letters (then normalise to it)."""
    probe = re.compile(class_regex)
    upper = bool(probe.fullmatch("A") or probe.fullmatch("Z"))
    lower = bool(probe.fullmatch("a") or probe.fullmatch("z"))
    if upper and not lower:
        return "upper"
    if lower and not upper:
        return "lower"
    return "keep"


_LOOSE_SEP: Final = r"[-\s./_]?"
_LOOSE_JOIN: Final = r"[-\s]?"
_NOT_BEFORE: Final = r"(?<![a-z0-9])"
_NOT_AFTER: Final = r"(?![a-z0-9])"


def _compile_rule(pattern: str) -> _OrderRule:
    try:
        strict = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid order-number pattern {pattern!r}: {exc}") from exc
    atoms = _parse_pattern(pattern)
    if not atoms:
        loose = re.compile(f"{_NOT_BEFORE}(?:{pattern}){_NOT_AFTER}", re.IGNORECASE)
        return _OrderRule(pattern, strict, loose, None)
    pieces: list[str] = []
    canon: list[tuple[str, int, _CaseMode]] = []
    group = 0
    previous: str | None = None
    for atom in atoms:
        if atom.kind == "sep":
            pieces.append(_LOOSE_SEP)
            canon.append((atom.text, 0, "keep"))
        else:
            if previous in ("lit", "cls"):
                pieces.append(_LOOSE_JOIN)  # "GX 123456" for GX\d{6}
            if atom.kind == "lit":
                pieces.append(re.escape(atom.text.lower()))
                canon.append((atom.text, 0, "keep"))
            else:
                group += 1
                pieces.append(f"((?i:{atom.text}){atom.quant})")
                canon.append(("", group, _case_mode(atom.text)))
        previous = atom.kind
    if atoms[0].kind == "lit":
        # Literal first so the regex engine can skip ahead with a fast search; the word
        # boundary is checked right after that first character.
        first = re.escape(atoms[0].text[0].lower())
        head = pieces[0]
        pieces[0] = head[: len(first)] + f"(?<![a-z0-9]{first})" + head[len(first) :]
        source = "".join(pieces)
    else:
        source = _NOT_BEFORE + "".join(pieces)
    loose = re.compile(source + _NOT_AFTER)
    single_letter = atoms[0].kind == "lit" and len(atoms[0].text) == 1 and atoms[0].text.isalpha()
    return _OrderRule(
        pattern, strict, loose, tuple(canon), _digit_run(atoms), single_letter=single_letter
    )


def _digit_run(atoms: list[_Atom]) -> int:
    """Longest run of digits every match must contain (0 when unsure)."""
    best = 0
    for atom in atoms:
        if atom.kind == "cls" and atom.text in (r"\d", "[0-9]"):
            quant = re.fullmatch(r"\{(\d+)(?:,\d*)?\}|\+", atom.quant)
            if quant is not None:
                best = max(best, int(quant.group(1)) if quant.group(1) else 1)
            elif not atom.quant:
                best = max(best, 1)
    return best


class OrderMatcher:
    """A brand's order-number patterns, compiled into lenient matchers (see module doc)."""

    __slots__ = ("_rules", "patterns")

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns: tuple[str, ...] = tuple(patterns)
        self._rules: tuple[_OrderRule, ...] = tuple(_compile_rule(p) for p in self.patterns)

    def __repr__(self) -> str:
        return f"OrderMatcher({list(self.patterns)!r})"

    def find(
        self, text: str, view: str | None = None, marked: bytes | None = None
    ) -> list[tuple[int, int, str]]:
        """(start, end, canonical order number) for every hit of any pattern in ``text``.

        ``view`` is ``prepare(text).view`` and ``marked`` its bytes with digits as 0xFF, when
        the caller already has them.
        """
        if view is None:
            view = prepare(text).view
        if marked is None:
            marked = view.encode("ascii").translate(_MARK_DIGITS)
        hits: list[tuple[int, int, str]] = []
        for rule in self._rules:
            if rule.digit_run and b"\xff" * rule.digit_run not in marked:
                continue
            for match in rule.loose.finditer(view):
                canonical = rule.canonical(match, text)
                if canonical is not None:
                    hits.append((match.start(), match.end(), canonical))
        if len(self._rules) > 1:
            hits.sort()
        return hits

    def normalise(self, candidate: str) -> str | None:
        """Canonical form of a whole string typed by a customer (a form field), or ``None``.

        A form's order field holds an order number by definition, so bare digits get the
        pattern's literal prefix ("25803" → "A-25803" for ``A-\\d{5}``)."""
        candidate = candidate.strip()
        for start, end, canonical in self.find(candidate):
            if start == 0 and end == len(candidate):
                return canonical
        if candidate.isdigit():
            for rule in self._rules:
                prefix = _literal_prefix(rule)
                if prefix and rule.strict.fullmatch(prefix + candidate):
                    return prefix + candidate
        return None


def _literal_prefix(rule: _OrderRule) -> str:
    """The literal text a pattern starts with ("A-" for ``A-\\d{5}``, "GX" for
    ``GX\\d{6}``), or "" when it starts with a class."""
    prefix = ""
    for literal, group, _mode in rule.canon or ():
        if group:
            break
        prefix += literal
    return prefix


@lru_cache(maxsize=256)
def _compile_cached(patterns: tuple[str, ...]) -> OrderMatcher:
    return OrderMatcher(patterns)


def compile_order_patterns(patterns: Sequence[str]) -> OrderMatcher:
    """Compile a brand's order-number regexes (cached: cheap to call on every message).

    Raises ``ValueError`` for a pattern that is not a valid regex.
    """
    return _compile_cached(tuple(patterns))


#: Without brand patterns: an alphanumeric token with >= 4 digits after an order word.
#: ("n?" is "n°" in the view.)
_GENERIC_ORDER: Final = re.compile(
    r"(?:(?P<word>commandes?|cdes?|cmds?|orders?|achats?|references?|refs?)(?![a-z0-9])\.?"
    r"(?:\s*(?:de\s+commande|n\?|(?:no|num|nr)(?![a-z])\.?|numero|number|#|:)){0,2}"
    r"|n\?|#)"
    r"\s*[:.]?\s*(?P<id>(?=[a-z-]*[0-9])[a-z0-9][a-z0-9-]{2,24})(?![a-z0-9-])"
)
_ORDER_WORDS: Final = frozenset(
    words(
        "commande commandes cde cdes cmd cmds order orders achat achats reference references"
        " ref refs"
    )
)
_FR_MOBILE_LIKE: Final = re.compile(r"0[1-9][0-9]{8}")


def _generic_orders(text: str, view: str, unique: dict[str, None]) -> list[tuple[int, int, str]]:
    """Order-word-introduced ids, matched only where an order word, "n°" or "#" stands."""
    starts: list[int] = [
        span[0] for word in _ORDER_WORDS.intersection(unique) for span in _find_all(view, word)
    ]
    for marker in ("n?", "#"):
        at = view.find(marker)
        while at >= 0:
            starts.append(at)
            at = view.find(marker, at + 1)
    found: list[tuple[int, int, str]] = []
    for start in sorted(starts):
        match = _GENERIC_ORDER.match(view, start)
        if match is None:
            continue
        if view.startswith("n?", start) and (
            text[start + 1] not in "°º" or (start and view[start - 1].isalnum())
        ):
            continue  # a real question mark, not "n°"
        word_end = match.end("word")
        if word_end > 0 and text[word_end - 1] in "éÉ":
            continue  # "j'ai commandé 12345 articles": a verb, not "commande 12345"
        token = match.group("id").rstrip("-")
        if sum(c.isdigit() for c in token) < 4:
            continue
        if match.group("word") is None and _FR_MOBILE_LIKE.fullmatch(token):
            continue  # "n° 0612345678" is a phone number, not an order
        id_start = match.start("id")
        found.append(
            (id_start, id_start + len(token), text[id_start : id_start + len(token)].upper())
        )
    return found


# ------------------------------------------------------------------------ tracking numbers

_TRACKING_TOKEN: Final = re.compile(
    r"1z[0-9a-z]{16}"  # UPS
    r"|[a-z]{2}[0-9]{9}[a-z]{2}"  # S10: Chronopost, La Poste, Royal Mail...
    r"|[0-9a-z][a-z][0-9]{11}(?:fr)?"  # Colissimo: 6A12345678901
)
_TEN_DIGITS: Final = re.compile(r"[0-9]{10}")
_DHL_WORDS: Final = ("dhl", "suivi", "tracking", "waybill")
_PHONE_WORDS: Final = re.compile(r"tel|phone|appel|call|joindre|portable|mobile|whatsapp")

# ---------------------------------------------------------------------------------- emails

_EMAIL_LOCAL: Final = re.compile(r"[a-z0-9._%+-]+\Z")
_EMAIL_DOMAIN: Final = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![a-z0-9-])")

# ---------------------------------------------------------------------------------- phones

_INTL_TAIL: Final = r"""(?:
      33[\s.-]?(?:\(0\)[\s.-]?)?[1-9](?:[\s.-]?[0-9]{2}){4}
    | 44[\s.-]?(?:\(0\)[\s.-]?)?
      (?:[0-9]{4}[\s-]?[0-9]{6}|[0-9]{3}[\s-]?[0-9]{3}[\s-]?[0-9]{4}|[0-9]{2}[\s-]?[0-9]{4}[\s-]?[0-9]{4})
    | [1-9][0-9]{0,2}(?:[\s.-]?[0-9]{1,4}){2,5}
)"""
_PHONE: Final = re.compile(
    rf"""
    (?:
        \+(?<![a-z0-9+.,/-]\+)\s?{_INTL_TAIL}
      | 0(?<![a-z0-9+.,/-]0)
        (?: 0{_INTL_TAIL}
          | [1-9](?:[\s.-]?[0-9]{{2}}){{4}}
          | [0-9]{{4}}[\s-]?[0-9]{{6}}
          | [0-9]{{3}}[\s-]?[0-9]{{3}}[\s-]?[0-9]{{4}}
          | [0-9]{{2}}[\s-]?[0-9]{{4}}[\s-]?[0-9]{{4}}
        )
    )
    (?![a-z0-9]|[.,][0-9])
    """,
    re.VERBOSE,
)

# --------------------------------------------------------------------------------- amounts

_NUMBER: Final = r"[0-9]{1,3}(?:[ .,][0-9]{3})+(?:[.,][0-9]{1,2})?|[0-9]+(?:[.,][0-9]{1,2})?"
_NUMBER_BEFORE: Final = re.compile(rf"(?<![0-9.,])({_NUMBER}) ?\Z")
_NUMBER_AFTER: Final = re.compile(rf" ?({_NUMBER})(?![0-9])")
_CENTS: Final = re.compile(r"[0-9]{2}(?![0-9])")
_CURRENCY_WORD: Final = re.compile(r"euros?|eur|gbp|usd|dollars?|pounds?|livres? +sterling|balles")
_CURRENCY_OF_WORD: Final = {
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "balles": "EUR",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "livre sterling": "GBP",
    "livres sterling": "GBP",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
}
_CURRENCY_TOKENS: Final = frozenset(
    words("eur euro euros gbp usd dollar dollars pound pounds sterling balles")
)
_SYMBOLS: Final = (("€", "EUR"), ("£", "GBP"), ("$", "USD"))


def _parse_number(raw: str, cents: str | None) -> Decimal | None:
    """Read "1 299,90", "1,299.90", "49.9" or "12" (decimal comma or point)."""
    s = raw.replace(" ", "")
    if "," in s and "." in s:
        cut = max(s.rfind(","), s.rfind("."))
        s = s[:cut].replace(",", "").replace(".", "") + "." + s[cut + 1 :]
    elif "," in s or "." in s:
        sep = "," if "," in s else "."
        head, _, tail = s.rpartition(sep)
        # One separator followed by 1-2 digits is a decimal one; otherwise thousands.
        s = head + "." + tail if len(tail) <= 2 and s.count(sep) == 1 else s.replace(sep, "")
    if cents is not None:
        s = f"{s}.{cents}"
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _currency_anchors(text: str, view: str, unique: dict[str, None]) -> list[tuple[int, int, str]]:
    """(start, end, ISO code) of every currency symbol or word, in text order."""
    anchors: list[tuple[int, int, str]] = []
    for symbol, code in _SYMBOLS:
        at = text.find(symbol)
        while at >= 0:
            anchors.append((at, at + 1, code))
            at = text.find(symbol, at + 1)
    if not _CURRENCY_TOKENS.isdisjoint(unique):
        for match in _CURRENCY_WORD.finditer(view):
            start, end = match.span()
            if (start and view[start - 1].isalnum()) or (end < len(view) and view[end].isalnum()):
                continue
            anchors.append((start, end, _CURRENCY_OF_WORD[" ".join(match.group().split())]))
    if len(anchors) > 1:
        anchors.sort()
    return anchors


def _amounts(
    text: str, view: str, unique: dict[str, None], taken: list[_Span]
) -> list[tuple[int, Amount]]:
    found: list[tuple[int, Amount]] = []
    used: list[_Span] = []
    size = len(view)
    for start, end, code in _currency_anchors(text, view, unique):
        digit_before = start > 0 and view[start - 1].isdigit()
        digit_after = end < size and view[end].isdigit()
        number: re.Match[str] | None = None
        cents: str | None = None
        if digit_after and not digit_before:  # "€49.90", "£35", "EUR35"
            number = _NUMBER_AFTER.match(view, end)
        else:
            number = _NUMBER_BEFORE.search(view, max(0, start - 24), start)
            if number is not None and digit_after and text[start] == "€":
                cents_match = _CENTS.match(view, end)  # "49€90"
                cents = cents_match.group() if cents_match else None
            elif number is None:
                number = _NUMBER_AFTER.match(view, end)  # "€ 49,90", "EUR 35"
        if number is None:
            continue
        span = number.span(1)
        if _overlaps(span[0], span[1], taken) or _overlaps(span[0], span[1], used):
            continue
        value = _parse_number(number.group(1), cents)
        if value is not None:
            used.append(span)
            found.append((span[0], Amount(value, code)))
    return found


# ---------------------------------------------------------------------------------- delays
# Matched on ``Prepared.spaced``: plain lowercase words and spaces, so "d’ici 2 jours" reads
# "d ici 2 jours" and "ça fait" reads "ca fait". A delay ends with its unit ("depuis 3
# semaines"), so from every unit token one regex is matched *backwards* (a reversed
# pattern on the reversed string): a single ``match`` call per unit instead of an
# alternation tried at every word, which costs ~30 µs per message.


def _alt(phrases: str, reverse: bool = False) -> str:
    """Regex alternation of ``|``-separated phrases, words joined by runs of spaces.

    With ``reverse`` each phrase is spelt backwards (word order and letters), for matching
    on a reversed string; "#" stands for a number.
    """
    options: list[str] = []
    for phrase in phrases.split("|"):
        words = phrase.split()
        if reverse:
            words = [w[::-1] for w in reversed(words)]
        options.append(" +".join("[0-9]+" if w == "#" else re.escape(w) for w in words))
    # Longest first, so that "jours ouvres" is preferred to "jours" and "heures" to "h".
    options.sort(key=len, reverse=True)
    return "(?:" + "|".join(options) + ")"


_UNITS: Final = (
    "heure|heures|hr|hrs|h|minute|minutes|min|mins|mn|jour|jours|jr|jrs|j|jour ouvre"
    "|jours ouvres|jours ouvrables|semaine|semaines|sem|mois|an|ans|annee|annees|hour|hours"
    "|day|days|business day|business days|working day|working days|week|weeks|wk|wks|month"
    "|months|year|years"
)
_NUMBERS: Final = (
    "#|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente"
    "|quarante|quelques|plusieurs|a|an|one|two|three|four|five|six|seven|eight|nine|ten"
    "|eleven|twelve|fifteen|twenty|thirty|a few|few|a couple|a couple of|couple of|several"
)
_MODIFIERS: Final = (
    "plus de|plus d|moins de|moins d|pres de|pres d|presque|bientot|au moins|environ"
    "|au bout de|au bout d|over|more than|almost|nearly|about|around|at least|another|under"
    "|less than|the last|the past|the next"
)
_INTROS: Final = (
    "depuis|sous|dans|d ici|il y a|ca fait|ca faisait|cela fait|cela faisait|plus de|plus d"
    "|pendant|en|apres|au bout de|au bout d|voila|attendu|for|within|in|over|after|since"
    "|it s been|its been|it has been|it took|took|waited|waiting"
)
_EN_INTROS: Final = "for|within|in|over|after|it s been|its been|it has been|waited|waiting"
#: From the end of a unit backwards: "semaines 3 (de plus) depuis" reversed. Without an
#: intro the delay only counts when a suffix follows ("3 semaines de retard").
_BACKWARD: Final = re.compile(
    f"{_alt(_UNITS, True)} *{_alt(_NUMBERS, True)}"
    f"(?:(?: +{_alt(_MODIFIERS, True)})? +(?P<intro>{_alt(_INTROS, True)}))?(?![a-z0-9])"
    f"|(?:syad|skeew|shtnom|sega)(?: +{_alt(_MODIFIERS, True)})? +(?P<en>{_alt(_EN_INTROS, True)})"
    "(?![a-z0-9])"
)
_SUFFIX: Final = re.compile(r" +(?:de +retard|d +attente|ago|late|overdue)(?![a-z0-9])")
_FR_DAY: Final = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
_FR_MONTH: Final = (
    r"(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre"
    r"|decembre)"
)
_EN_DAY: Final = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_EN_MONTH: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD: Final = r"(?:st|nd|rd|th|er)?"
_NUMBER_UNIT: Final = rf"(?: +{_alt(_MODIFIERS)})? +{_alt(_NUMBERS)} *{_alt(_UNITS)}"
#: Forward from "depuis" / "since": dates ("depuis hier", "since the 3rd") and any unit.
_SINCE: Final = re.compile(
    rf"(?:depuis(?:{_NUMBER_UNIT}| +(?:hier|avant +hier|ce +matin|{_FR_DAY}(?: +dernier)?"
    rf"|(?:la +)?semaine +derniere|le +mois +dernier|(?:le +)?[0-9]{{1,2}}{_ORD} +{_FR_MONTH}"
    r"|le +[0-9]{1,2} +[0-9]{1,2}(?: +[0-9]{2,4})?|des +(?:jours|semaines|mois)|longtemps"
    rf"|une +eternite))|since(?:{_NUMBER_UNIT}| +(?:yesterday|last +(?:week|month|night"
    rf"|{_EN_DAY})|{_EN_DAY}|the +[0-9]{{1,2}}{_ORD}|[0-9]{{1,2}}{_ORD} +{_EN_MONTH}"
    rf"|{_EN_MONTH} +[0-9]{{1,2}}{_ORD})))(?![a-z0-9])"
)

#: Tokens a delay is written around: its unit, or "depuis" / "since" for dates. "an" and
#: "j" are left out (too common as words: "an order", "j'ai"); "depuis un an" is still
#: found through "depuis".
_DELAY_ANCHORS: Final = frozenset(
    {w for phrase in _UNITS.split("|") for w in phrase.split()[-1:]} - {"an", "j"}
    | {"ages", "depuis", "since"}
)
#: Number and unit written as one token ("48h", "5j"), found on ``Prepared.spaced``; the
#: digit comes first so the engine only stops at digits, and the word start is checked
#: right after it.
_DIGIT_UNIT: Final = re.compile(
    r"[0-9](?<![a-z0-9][0-9])[0-9]*(?:h|hrs?|j|jrs?|mn|mins?|sem|days?|wks?)(?![a-z0-9])"
)


def _delays(text: str, spaced: str, anchors: Iterable[str]) -> list[str]:
    """Delays written around the anchor tokens, as written in ``text``."""
    reverse = spaced[::-1]
    size = len(spaced)
    spans: dict[tuple[int, int], None] = {}
    for anchor in anchors:
        for at, end in _find_all(spaced, anchor):
            if anchor == "depuis" or anchor == "since":
                forward = _SINCE.match(spaced, at)
                if forward is not None:
                    spans[at, forward.end()] = None
                continue
            back = _BACKWARD.match(reverse, size - end)  # "48h" works too: " *" between
            if back is None:
                continue
            stop = end
            suffix = _SUFFIX.match(spaced, end)
            if suffix is not None:
                stop = suffix.end()
            elif back.group("intro") is None and back.group("en") is None:
                continue  # "3 jours" alone is a quantity, not a delay
            spans[size - back.end(), stop] = None
    delays: list[str] = []
    last_end = -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if end <= last_end:
            continue  # inside a longer delay found from another anchor
        delays.append(" ".join(text[start:end].split()))
        last_end = end
    return delays


# ------------------------------------------------------------------------------ extraction


def _overlaps(start: int, end: int, spans: list[_Span]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


def _find_all(view: str, token: str) -> Iterator[_Span]:
    """Spans of ``token`` in ``view`` as a whole word."""
    at = view.find(token)
    while at >= 0:
        end = at + len(token)
        if (not at or not view[at - 1].isalnum()) and (end == len(view) or not view[end].isalnum()):
            yield at, end
        at = view.find(token, end)


def _tracking(unique: dict[str, None], view: str, taken: list[_Span]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for token in [t for t in unique if len(t) >= 10 and not t.isalpha()]:
        if _TRACKING_TOKEN.fullmatch(token):
            for span in _find_all(view, token):
                found.append((span[0], token.upper()))
                taken.append(span)
        elif _TEN_DIGITS.fullmatch(token):  # DHL: only when the text says so
            for span in _find_all(view, token):
                context = view[max(0, span[0] - 40) : span[0]]
                keyword = max(context.rfind(word) for word in _DHL_WORDS)
                if keyword >= 0 and not _PHONE_WORDS.search(context, keyword):
                    found.append((span[0], token))
                    taken.append(span)
    return found


def _emails(text: str, view: str, taken: list[_Span]) -> list[str]:
    found: list[str] = []
    at = view.find("@")
    while at >= 0:
        local = _EMAIL_LOCAL.search(view, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(view, at + 1)
        if local is not None and domain is not None:
            start = local.start()
            while view[start] == ".":
                start += 1
            if start < at:
                found.append(text[start : domain.end()].lower())
                taken.append((start, domain.end()))
        at = view.find("@", at + 1)
    return found


def _dedupe(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items)) if len(items) > 1 else tuple(items)


def extract_from(prepared: Prepared, orders: OrderMatcher | None) -> Entities:
    """Extract entities from a prepared message (see ``extract_entities``)."""
    text, view, unique = prepared.text, prepared.view, prepared.unique
    taken: list[_Span] = []
    emails = _emails(text, view, taken) if "@" in view else []
    marked = view.encode("ascii").translate(_MARK_DIGITS)
    digits = marked.count(255)

    tracking: list[tuple[int, str]] = []
    if digits >= 9 and _NINE_MARKED in marked:
        tracking = _tracking(unique, view, taken)
        if len(tracking) > 1:
            tracking.sort()

    order_numbers: list[str] = []
    if digits:
        if orders is not None and orders.patterns:
            hits: list[tuple[int, int, str]] = orders.find(text, view, marked)
        elif not _ORDER_WORDS.isdisjoint(unique) or "#" in view or "n?" in view:
            hits = _generic_orders(text, view, unique)
        else:
            hits = []
        for start, end, canonical in hits:
            if not _overlaps(start, end, taken):
                order_numbers.append(canonical)
                taken.append((start, end))

    phones: list[str] = []
    if digits >= 8:
        for match in _PHONE.finditer(view):
            start, end = match.span()
            if 8 <= count_digits(match.group()) <= 15 and not _overlaps(start, end, taken):
                phones.append(text[start:end])
                taken.append((start, end))

    amounts: list[tuple[int, Amount]] = []
    if digits and (
        "€" in text or "£" in text or "$" in text or not _CURRENCY_TOKENS.isdisjoint(unique)
    ):
        amounts = _amounts(text, view, unique, taken)

    delays: list[str] = []
    anchors: frozenset[str] | list[str] = _DELAY_ANCHORS.intersection(unique)
    if digits:
        digit_units = _DIGIT_UNIT.findall(prepared.spaced)  # "48h", "5j"
        if digit_units:
            anchors = [*anchors, *dict.fromkeys(digit_units)]
    if anchors:
        delays = _delays(text, prepared.spaced, anchors)

    if not (emails or tracking or order_numbers or phones or amounts or delays):
        return EMPTY_ENTITIES
    return Entities(
        order_numbers=_dedupe(order_numbers),
        tracking_numbers=_dedupe([t for _, t in tracking]),
        emails=_dedupe(emails),
        phones=_dedupe(phones),
        amounts=tuple(dict.fromkeys(a for _, a in amounts)),
        delays=_dedupe(delays),
    )


def extract_entities(text: str, orders: OrderMatcher | None = None) -> Entities:
    """Order/tracking numbers, emails, phones, amounts and delays written in ``text``.

    With ``orders`` (from ``compile_order_patterns``) order numbers follow the brand's
    patterns; without, any token of >= 4 digits introduced by an order word is taken.
    """
    return extract_from(prepare(text), orders)
