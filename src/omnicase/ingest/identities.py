"""Normalising identities so that one person is found whatever way their address was typed."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email


class IdentityError(ValueError):
    """An identity value that cannot be normalised; ``field`` names where it came from."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@lru_cache(maxsize=65536)
def normalise_email(value: str) -> str:
    """Lowercase, IDNA-encode the domain; refuse what is not an address."""
    try:
        info = validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    local, _, domain = info.normalized.rpartition("@")
    ascii_domain = info.ascii_domain or domain
    return f"{local.lower()}@{ascii_domain.lower()}"


#: A word of a spoken address, whole or spelled letter by letter ("f-i-o-n-a").
_SPOKEN_PART = r"(?:[a-z0-9](?:-[a-z0-9])+|[a-z0-9]+)"
_SPOKEN_DOT = r"\s+(?:point|dot)\s+"
#: The words said between the parts of an address, and what they stand for.
_SPOKEN_SEPARATORS = {
    "point": ".",
    "dot": ".",
    "tiret bas": "_",
    "underscore": "_",
    "tiret": "-",
    "dash": "-",
    "hyphen": "-",
}
_SEPARATOR_WORDS = r"point|dot|tiret\s+bas|underscore|tiret|dash|hyphen"
_SPOKEN_JOIN = rf"\s+(?:{_SEPARATOR_WORDS})\s+"
#: Splits a spoken part at its separators, keeping them (to replace them).
_SPOKEN_SPLIT = re.compile(rf"\s+({_SEPARATOR_WORDS})\s+", re.IGNORECASE)
#: An address the agent wrote as it was spelled on the phone: "f-i-o-n-a point k-e-a-n-e
#: arobase example point co point uk", "tom dot hale at example dot com".
_SPOKEN_EMAIL = re.compile(
    rf"\b({_SPOKEN_PART}(?:{_SPOKEN_JOIN}{_SPOKEN_PART})*)\s+(?:arobase|at)\s+"
    rf"({_SPOKEN_PART}(?:{_SPOKEN_DOT}{_SPOKEN_PART})+)\b",
    re.IGNORECASE,
)
_SPOKEN_TLDS = frozenset(
    "fr com uk net org eu be ch de es it nl ie lu pt io info biz co me".split()  # noqa: SIM905
)


def _unspell(words: str) -> str:
    out = []
    for token in _SPOKEN_SPLIT.split(words):
        key = re.sub(r"\s+", " ", token.lower())
        out.append(_SPOKEN_SEPARATORS.get(key, key.replace("-", "")))
    return "".join(out)


def spoken_emails(text: str) -> list[str]:
    """Addresses written out as they were said ("… arobase example point fr"), as
    addresses; only when the text says "arobase"/"at" and "point"/"dot" in the domain."""
    lowered = text.lower()
    if " point " not in lowered and " dot " not in lowered:
        return []
    found = []
    for match in _SPOKEN_EMAIL.finditer(text):
        local, domain = _unspell(match.group(1)), _unspell(match.group(2))
        if domain.rpartition(".")[2] not in _SPOKEN_TLDS:
            continue
        said_at = match.group(0).lower().split()
        if "arobase" not in said_at and local.isalpha() and "-" not in match.group(1):
            continue  # "I was at home dot com": an English "at" needs a spelled address
        found.append(f"{local}@{domain}")
    return found


#: Regions tried, after the brand's own, for a number written without its country code
#: (a French customer of a British brand writes "06 12 34 56 78").
FALLBACK_REGIONS = ("FR", "GB", "BE", "CH", "LU", "ES", "IT", "NL", "PT", "IE")


@lru_cache(maxsize=65536)
def normalise_phone(value: str, region: str) -> str:
    """Any written form in, E.164 out.

    A number possible in the brand's region is read there (so "06 39 98 60 14" and
    "+33 6 39 98 60 14" stay one number even where a numbering plan calls the range
    unassigned). One that cannot be a number there is read in the first region where it
    is a valid number: a UK mobile written without +44 to a French brand."""
    if sum(ch.isdigit() for ch in value) < 6:
        raise ValueError("not a phone number (too few digits)")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number ({exc})") from exc
    if phonenumbers.is_possible_number(number):
        return _e164(number)
    if not value.lstrip().startswith(("+", "00")):
        # Valid first; then merely possible, so that a range the numbering plan keeps
        # unassigned (Ofcom's 07700 900xxx drama numbers) still reads as one number.
        for check in (phonenumbers.is_valid_number, phonenumbers.is_possible_number):
            for other in FALLBACK_REGIONS:
                if other == region:
                    continue
                try:
                    candidate = phonenumbers.parse(value, other)
                except phonenumbers.NumberParseException:
                    continue
                if check(candidate):
                    return _e164(candidate)
    raise ValueError("not a possible phone number")


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_handle(value: str) -> str:
    """X handles are case-insensitive and written with or without ``@``."""
    return value.strip().lstrip("@").lower()


def normalise_identity(kind: str, value: str, region: str) -> str:
    """Normalise one identity; raises ValueError with a reason a person understands."""
    value = value.strip()
    if not value:
        raise ValueError("empty")
    if kind == "email":
        return normalise_email(value)
    if kind == "whatsapp" and value.isdigit() and not value.startswith("0"):
        # WhatsApp's wa_id is the international number without its "+": the country
        # code is always there, so a possible number is enough (fiction ranges too).
        try:
            number = phonenumbers.parse("+" + value, None)
            if phonenumbers.is_possible_number(number):
                return _e164(number)
        except phonenumbers.NumberParseException:
            pass
    if kind in ("phone", "whatsapp"):
        return normalise_phone(value, region)
    if kind == "x":
        return normalise_handle(value)
    return value


def party_identities(
    identities: dict[str, str], region: str, side: str = "from"
) -> tuple[list[tuple[str, str]], list[dict[str, str]]]:
    """All normalised (kind, value) pairs of a party, WhatsApp numbers also as phones,
    and the identities that had to be ignored (field and reason).

    A WhatsApp id *is* a phone number, so the same person calling or texting from it is
    the same customer. An identity that cannot be normalised (a UK mobile written without
    its +44 to a French brand) is ignored with a warning when another identity remains,
    so the contact is not lost; it is an error only when nothing else identifies them.
    """
    out: list[tuple[str, str]] = []
    ignored: list[dict[str, str]] = []
    for kind, raw in identities.items():
        try:
            value = normalise_identity(kind, raw, region)
        except ValueError as exc:
            ignored.append({"field": f"{side}.{kind}", "reason": str(exc)})
            continue
        out.append((kind, value))
        if kind == "whatsapp":
            out.append(("phone", value))
    if not out and ignored:
        raise IdentityError(ignored[0]["field"], ignored[0]["reason"])
    return list(dict.fromkeys(out)), ignored
