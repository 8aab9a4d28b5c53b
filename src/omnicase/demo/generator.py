"""Seeded, streaming generator of realistic omnichannel customer-service traffic.

Used by ``omnicase demo`` (a few thousand customers over 30 days) and by
``omnicase bench ingest`` (100,000+ messages). Everything it yields is a canonical message
dict (valid for :class:`omnicase.ingest.schema.InboundMessage`) plus the ground-truth
*request* label ("acme:c00042:r1": what a human would call one case), so that threading,
identity resolution and case matching can be scored against the truth.

How it works
------------
* Time runs in one-hour buckets from ``start`` to ``start + days``. In each bucket new
  *requests* (journeys) arrive following an intraday × weekday profile in each brand's
  local time; the arrival rate is steered every hour towards the number of messages
  expected by then, so volumes are flat from the first day and the stream ends close to
  ``start + days`` with exactly ``messages`` messages.
* A request belongs to one customer and one brand. It has a reason, a language, maybe an
  order, and a planned number of messages (1–8). Its messages are produced one at a
  time: after each one the next step (brand answer, customer reply, chase, move to
  another channel, call back…) and its time are drawn and the journey goes back into a
  heap keyed by that time. Only active journeys and customers who will come back are
  held in memory; nothing is proportional to the number of messages.
* Customer profiles are pure functions of ``(seed, customer number)``; identities are
  unique by construction (except the deliberate ~2 % of households sharing an e-mail
  address and the ~5 % of customers writing to two brands with the same address).
* Every random draw comes from ``random.Random(seed)`` or from a stable hash of
  ``(seed, customer)`` (never the global ``random`` or the clock, except for the default
  ``start``), so the output is identical from run to run.

Memory is O(customers + active requests); generating 100,000 messages takes a few
seconds and a few MB.
"""

from __future__ import annotations

import heapq
import math
import random
import re
import unicodedata
from array import array
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from omnicase.demo import phrases as P

__all__ = [
    "DEMO_BRANDS",
    "TARGET_CHANNEL_MIX",
    "BrandSpec",
    "GeneratedMessage",
    "demo_scale",
    "generate",
]


@dataclass(frozen=True)
class BrandSpec:
    """A brand the generated customers write to."""

    slug: str
    name: str
    region: str  #: ISO country, "FR" or "GB" drive phone numbers, currency and carriers
    timezone: str
    language: str  #: "fr" or "en"
    order_prefix: str  #: "A-" → order numbers "A-10492"
    order_digits: int
    domain: str  #: used in the Message-IDs of the brand's outbound e-mails


DEMO_BRANDS: tuple[BrandSpec, ...] = (
    BrandSpec("acme", "Acme Mode", "FR", "Europe/Paris", "fr", "A-", 5, "acme.example"),
    BrandSpec("globex", "Globex", "GB", "Europe/London", "en", "GX", 6, "globex.example"),
)


@dataclass(frozen=True, slots=True)
class GeneratedMessage:
    """One canonical message and the ground truth about it."""

    message: dict[str, Any]  #: valid for ``InboundMessage.model_validate``
    request: str  #: ground-truth request label "brand:cNNNNN:rN" (one case)
    reason: str = "other"  #: ground-truth contact reason of the request
    language: str = "fr"  #: ground-truth language of the request


#: Share of messages per channel the generator aims at (all brands together).
TARGET_CHANNEL_MIX: dict[str, float] = {
    "email": 0.35,
    "chat": 0.15,
    "phone": 0.15,
    "messenger": 0.08,
    "instagram": 0.06,
    "whatsapp": 0.08,
    "x": 0.04,
    "sms": 0.04,
    "webform": 0.05,
}


def demo_scale(messages: int) -> int:
    """A sensible number of customers for ``messages`` messages (about 5 per customer)."""
    return max(1, messages // 5)


def generate(
    *,
    customers: int,
    messages: int,
    days: int = 30,
    start: datetime | None = None,
    seed: int = 42,
    brands: Sequence[BrandSpec] = DEMO_BRANDS,
) -> Iterator[GeneratedMessage]:
    """Yield exactly ``messages`` messages in nondecreasing ``received_at`` order.

    The period is ``[start, start + days)``; ``start`` defaults to midnight UTC ``days``
    days before today (pin it for reproducible output). Same arguments → same output.
    """
    if customers < 1:
        raise ValueError("customers must be >= 1")
    if messages < 0:
        raise ValueError("messages must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    if not brands:
        raise ValueError("at least one brand is needed")
    if start is None:
        today = datetime.now(UTC).date()
        start = datetime.combine(today - timedelta(days=days), datetime.min.time(), UTC)
    elif start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return _Generator(customers, messages, days, start, seed, tuple(brands)).run()


# ======================================================================================
# Tunables
# ======================================================================================

CHANNELS: tuple[str, ...] = tuple(TARGET_CHANNEL_MIX)

#: Channel of a request's first message (calibrated so that the *message* mix, after
#: answers, chases and channel moves, lands on TARGET_CHANNEL_MIX).
FIRST_CHANNEL: dict[str, float] = {
    "email": 0.324,
    "chat": 0.114,
    "phone": 0.105,
    "messenger": 0.094,
    "instagram": 0.076,
    "whatsapp": 0.077,
    "x": 0.045,
    "sms": 0.042,
    "webform": 0.123,
}
#: Per brand kind (0 fashion, 1 home & electronics): a little more Instagram for fashion,
#: a little more phone for electronics.
KIND_TILT: dict[int, dict[str, float]] = {
    0: {"instagram": 1.25, "phone": 0.9},
    1: {"instagram": 0.75, "phone": 1.1},
}

#: Number of messages of a request: 1..8.
LENGTH_WEIGHTS: tuple[float, ...] = (28, 22, 17, 12, 8, 6, 4, 3)
MEAN_LENGTH = sum((i + 1) * w for i, w in enumerate(LENGTH_WEIGHTS)) / sum(LENGTH_WEIGHTS)

#: Probability that the brand answers an inbound message before the customer acts again.
P_ANSWER: dict[str, float] = {
    "email": 0.5,
    "webform": 0.65,
    "messenger": 0.5,
    "instagram": 0.45,
    "whatsapp": 0.55,
    "x": 0.6,
    "sms": 0.35,
    "chat": 0.0,
    "phone": 0.0,
}
#: Without an answer: probability of chasing on the same channel (else: another channel).
P_CHASE_SAME: dict[str, float] = {
    "email": 0.35,
    "webform": 0.0,
    "messenger": 0.5,
    "instagram": 0.45,
    "whatsapp": 0.55,
    "x": 0.35,
    "sms": 0.35,
    "chat": 0.3,
    "phone": 0.0,
}
#: How long the brand takes to answer on each channel (log-uniform, seconds), before
#: moving the answer into business hours.
ANSWER_DELAY: dict[str, tuple[float, float]] = {
    "email": (2400, 30 * 3600),
    "messenger": (300, 10 * 3600),
    "instagram": (300, 10 * 3600),
    "whatsapp": (180, 6 * 3600),
    "x": (300, 3 * 3600),
    "sms": (1200, 20 * 3600),
}
#: Where a customer goes when moving away from a channel.
SWITCH_TO: dict[str, dict[str, float]] = {
    "email": {"phone": 0.5, "chat": 0.14, "messenger": 0.08, "x": 0.08, "whatsapp": 0.08,
              "instagram": 0.04, "webform": 0.04, "sms": 0.04},
    "webform": {"email": 0.55, "phone": 0.3, "chat": 0.15},
    "chat": {"email": 0.55, "phone": 0.25, "messenger": 0.1, "whatsapp": 0.1},
    "messenger": {"email": 0.4, "phone": 0.3, "chat": 0.2, "instagram": 0.1},
    "instagram": {"email": 0.4, "phone": 0.25, "messenger": 0.15, "chat": 0.2},
    "whatsapp": {"phone": 0.45, "email": 0.4, "sms": 0.15},
    "x": {"email": 0.4, "phone": 0.3, "chat": 0.2, "messenger": 0.1},
    "sms": {"phone": 0.5, "email": 0.3, "whatsapp": 0.2},
    "phone": {"email": 0.6, "chat": 0.12, "sms": 0.1, "whatsapp": 0.1, "webform": 0.08},
}  # fmt: skip

#: Customers' activity by local hour (busier 9–12 and 14–17, quiet nights).
HOURLY: tuple[float, ...] = (
    0.25, 0.12, 0.08, 0.06, 0.06, 0.12, 0.4, 1.2, 3.0, 6.0, 7.0, 7.0,
    4.8, 4.6, 6.6, 6.8, 6.2, 4.6, 3.6, 3.2, 3.2, 2.6, 1.6, 0.7,
)  # fmt: skip
#: ... by local weekday, Monday first (Monday peak, quiet Sundays).
WEEKDAY: tuple[float, ...] = (1.3, 1.1, 1.05, 1.0, 0.95, 0.65, 0.4)
HOUR_CDF: tuple[float, ...] = tuple(accumulate(HOURLY))

#: Brand teams work 08:00–19:00 local, Monday to Saturday.
OPEN_HOUR, CLOSE_HOUR = 8, 19

DUAL_BRAND_SHARE = 0.05
HOUSEHOLD_PAIR_SHARE = 0.02
TYPO_RATE = 0.07
#: Messages actually produced per request (planned length, less what ends early).
EFFECTIVE_LENGTH = 2.75
#: How hard the arrival rate is steered towards the expected number of messages so far.
GAIN = 1.0
#: Extra new requests in the first hours, which have no earlier requests to follow up.
WARM_UP = 0.8

T = TypeVar("T")
_MASK64 = (1 << 64) - 1
_EPOCH = datetime(1970, 1, 1)
_ASCII = str.maketrans(
    {"œ": "oe", "Œ": "OE", "’": "'", "«": '"', "»": '"', "°": "o", "€": "EUR", "£": "GBP"}
)
_SMS_WORDS: dict[str, dict[str, str]] = {
    lang: dict(pairs) for lang, pairs in P.SMS_ABBREVIATIONS.items()
}
_SMS_RES: dict[str, re.Pattern[str]] = {
    lang: re.compile(r"\b(?:" + "|".join(re.escape(a) for a, _ in pairs) + r")\b")
    for lang, pairs in P.SMS_ABBREVIATIONS.items()
}


def _mix(*parts: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps); stable across runs and platforms."""
    h = 0x9E3779B97F4A7C15
    for p in parts:
        h = ((h ^ (p & _MASK64)) * 0xBF58476D1CE4E5B9) & _MASK64
        h ^= h >> 31
        h = (h * 0x94D049BB133111EB) & _MASK64
        h ^= h >> 29
    return h


def _slug_int(text: str) -> int:
    return int.from_bytes(text.encode()[:16].ljust(16, b"\0"), "big")


def _logu(rng: random.Random, low: float, high: float) -> float:
    """Log-uniform draw in [low, high): response times spread over orders of magnitude."""
    return float(low * (high / low) ** rng.random())


def _pick(rng: random.Random, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def _weighted(rng: random.Random, keys: Sequence[str], cdf: Sequence[float]) -> str:
    return keys[bisect(cdf, rng.random() * cdf[-1])]


def _coprime(n: int, near: int) -> int:
    a = max(3, near) | 1
    while math.gcd(a, n) != 1:
        a += 2
    return a


def _ascii(text: str) -> str:
    """Drop accents (and emoji): what an old phone or an address field keeps."""
    if text.isascii():
        return text
    text = text.translate(_ASCII)  # ligatures, quotes; the table only has a few entries
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


_CONTRACTIONS = (
    (" de le ", " du "),
    (" de les ", " des "),
    (" à le ", " au "),
    (" à les ", " aux "),
    (" de un ", " d'un "),
    (" de une ", " d'une "),
)
_THIRD_PERSON: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (("ma ", "sa "), ("mon ", "son "), ("mes ", "ses ")),
    "en": (("my ", "their "), ("I placed", "they placed")),
}


def _contract(text: str) -> str:
    """French contractions after a slot: "de le jean" → "du jean"."""
    for long, short in _CONTRACTIONS:
        text = text.replace(long, short)
    return text


def _ident(text: str) -> str:
    """A name as it appears in an address or handle: lower case, ASCII, no spaces."""
    return _ascii(text).lower().replace(" ", "").replace("'", "")


def _brand_kind(brand: BrandSpec, index: int) -> int:
    return 1 if brand.region == "GB" else 0 if brand.region == "FR" else index % 2


# ======================================================================================
# Customers
# ======================================================================================


@dataclass(slots=True)
class _Customer:
    idx: int
    cid: str
    home: int
    other: int | None
    lang: str
    female: bool
    first: str
    last: str
    email: str
    mail_host: str
    phone_country: str  #: "FR" or "GB"
    phone_nsn: str  #: national significant number: "639981234" / "7700900123"
    quota: int
    suffix: str  #: digits the customer also uses in handles ("" or "87" or "142")
    style: int  #: 64 random bits for the lazily built social profile
    social: dict[int, tuple[str, str]] = field(default_factory=dict)
    x: tuple[str, str, int] | None = None  #: X handle, display name, user id


#: Numbers set aside for fiction, as national significant numbers (without the leading
#: 0) of blocks of ``size`` numbers: the demo's customers must never ring a real person.
#: France (ARCEP, plan national de numérotation): 06 39 98 xx xx for mobiles and
#: 01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49 xx xx for landlines. United Kingdom
#: (Ofcom's drama numbers): 07700 900000-900999 for mobiles and the 1,000-number drama
#: blocks of the big cities' area codes for landlines. Mobiles come first; a customer
#: gets a landline only once the country's mobile block is used up, and beyond every
#: block numbers repeat (only benchmark-sized runs get there).
FICTION_BLOCKS: dict[str, tuple[tuple[str, int], ...]] = {
    "FR": (
        ("63998", 10_000),
        ("19900", 10_000),
        ("26191", 10_000),
        ("35301", 10_000),
        ("46571", 10_000),
        ("53649", 10_000),
    ),
    "GB": (
        ("7700900", 1_000),
        ("2079460", 1_000),
        ("1134960", 1_000),
        ("1144960", 1_000),
        ("1154960", 1_000),
        ("1164960", 1_000),
        ("1174960", 1_000),
        ("1184960", 1_000),
        ("1214960", 1_000),
        ("1314960", 1_000),
        ("1414960", 1_000),
        ("1514960", 1_000),
        ("1614960", 1_000),
        ("1914980", 1_000),
    ),
}


def fiction_number(country: str, rank: int, mul: int = 48271, add: int = 0) -> str:
    """The national significant number of the ``rank``-th customer of ``country``:
    injective over the country's fiction blocks, scrambled inside each block so
    neighbouring customers do not get neighbouring numbers."""
    blocks = FICTION_BLOCKS[country]
    rank %= sum(size for _, size in blocks)
    for prefix, size in blocks:
        if rank < size:
            digits = len(str(size - 1))
            return f"{prefix}{(rank * mul + add) % size:0{digits}d}"
        rank -= size
    raise AssertionError("unreachable")  # pragma: no cover


def is_fiction_number(e164: str) -> bool:
    """True when an E.164 number lies in one of the fiction blocks."""
    for cc, country in (("+33", "FR"), ("+44", "GB")):
        if e164.startswith(cc):
            nsn = e164[len(cc) :]
            return any(
                nsn.startswith(prefix) and len(nsn) == len(prefix) + len(str(size - 1))
                for prefix, size in FICTION_BLOCKS[country]
            )
    return False


#: External ids per channel; arguments: message counter, 32 and 48 random bits.
_ID_FORMATS: dict[str, str] = {
    "whatsapp": "wamid.HBgL{0:010X}{1:08X}",
    "messenger": "mid.${0:x}{1:08x}",
    "instagram": "aWdfZAG{0:x}{1:08x}",
    "sms": "SM{0:012x}{1:08x}{2:012x}",
    "phone": "call-{0:x}-{1:08x}",
    "chat": "chat-{0:x}{1:08x}",
    "webform": "form-{0:08d}-{1:08x}",
}


def _byte(h: int, k: int) -> float:
    """The k-th byte of a 64-bit hash as a number in [0, 1)."""
    return ((h >> (8 * k)) & 255) / 256.0


class _People:
    """Deterministic customer profiles: a pure function of (seed, customer number)."""

    POOL_SIZE = 10_000  # 100 first names × 100 surnames per pool

    def __init__(self, seed: int, customers: int, brands: tuple[BrandSpec, ...]) -> None:
        self.seed = seed
        self.customers = customers
        self.brands = brands
        shares = [1.0 / math.sqrt(i + 1) for i in range(len(brands))]
        self.brand_cdf = tuple(accumulate(shares))
        self.name_mul = _coprime(self.POOL_SIZE, 7919 + 2 * (seed % 500))
        self.name_add = _mix(seed, 1) % self.POOL_SIZE
        self.phone_add = _mix(seed, 2) % 100_000_000
        self.first = {
            "fr": P.FR_FIRST_F + P.FR_FIRST_M,
            "en": P.EN_FIRST_F + P.EN_FIRST_M,
        }
        self.last = {"fr": P.FR_LAST, "en": P.EN_LAST}
        self.domains: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
            pool: (tuple(d for d, _ in pairs), tuple(accumulate(w for _, w in pairs)))
            for pool, pairs in P.EMAIL_DOMAINS.items()
        }
        self.qprob = 0.5
        self.salt = _mix(seed, 11)
        self.brand_lang = [b.language if b.language in ("fr", "en") else "en" for b in brands]
        cdf, last = self.brand_cdf, len(brands) - 1
        #: home brand of every customer (one byte each)
        self.homes = bytes(
            min(last, bisect(cdf, self._unit(idx, 0) * cdf[-1])) for idx in range(customers)
        )
        #: rank of every customer among those of its phone country (fiction blocks)
        seen: dict[str, int] = {}
        ranks = array("I")
        for home in self.homes:
            country = "GB" if brands[home].region == "GB" else "FR"
            ranks.append(seen.get(country, 0))
            seen[country] = ranks[-1] + 1
        self.country_rank = ranks

    def _unit(self, n: int, salt: int) -> float:
        """A cheap stable hash of ``n`` in [0, 1)."""
        h = ((n ^ self.salt ^ salt) * 0x9E3779B97F4A7C15) & _MASK64
        h ^= h >> 29
        h = (h * 0xBF58476D1CE4E5B9) & _MASK64
        return (h >> 11) / float(1 << 53)

    def _draws(self, idx: int) -> tuple[str, int, int]:
        """Name pool and two 64-bit hashes of random draws for customer ``idx``."""
        h1 = _mix(self.seed, idx, 12)
        h2 = _mix(h1, 13)
        lang = self.brand_lang[self.homes[idx]]
        other = "fr" if lang == "en" else "en"
        pool = other if _byte(h1, 0) < (0.08 if lang == "en" else 0.11) else lang
        return pool, h1, h2

    def _name(self, idx: int, pool: str) -> tuple[bool, str, str, int]:
        g, i = divmod(idx, self.POOL_SIZE)
        s = (i * self.name_mul + self.name_add) % self.POOL_SIZE
        fi, li = s % 100, s // 100
        return fi < 50, self.first[pool][fi], self.last[pool][li], g

    def customer(self, idx: int) -> _Customer:
        home = self.homes[idx]
        pool, h1, h2 = self._draws(idx)
        b1, b2 = h1.to_bytes(8, "little"), h2.to_bytes(8, "little")  # 16 random bytes
        female, first, last, g = self._name(idx, pool)
        brand_lang = self.brand_lang[home]
        if pool != brand_lang:
            lang = pool if b1[1] / 256 < 0.55 else brand_lang
        else:
            lang = brand_lang if b1[1] / 256 < 0.97 else ("fr" if brand_lang == "en" else "en")
        # Distinct suffix spaces keep addresses unique: "" or 2 digits for generation 0,
        # 3+ digits starting with the generation for the others.
        digits = ((h1 >> 24) & 0xFFFF) % 100
        suffix = str(100 * g + digits) if g else (f"{digits:02d}" if b1[2] / 256 < 0.4 else "")
        keys, cdf = self.domains[pool]
        domain = keys[bisect(cdf, b1[5] / 256 * cdf[-1])]
        # Households: a pair (2k, 2k+1) sharing one address built from member 2k's names.
        pair = idx >> 1
        if self._unit(pair, 0x5A5A5A5A5A) < HOUSEHOLD_PAIR_SHARE and pair * 2 + 1 < self.customers:
            a = pair * 2
            a_pool, _, ha = self._draws(a)
            _, a_first, a_last, a_g = self._name(a, a_pool)
            b_first = self._name(a + 1, self._draws(a + 1)[0])[1]
            keys, cdf = self.domains[a_pool]
            domain = keys[bisect(cdf, _byte(ha, 6) * cdf[-1])]
            local = f"{_ident(a_first)}.{_ident(b_first)}.{_ident(a_last)}"
            if a_g:
                local += str(100 * a_g + int(_byte(ha, 7) * 100))
            # the partner keeps the surname of the address holder in half of the cases
            if idx != a and _byte(ha, 5) < 0.5:
                last = a_last
        else:
            sep = (".", ".", ".", "", "_", "-")[int(b1[6] / 256 * 6)]
            local = f"{_ident(first)}{sep}{_ident(last)}{suffix}"
        # Phone: a fiction number, injective per country while the blocks last.
        country = "GB" if self.brands[home].region == "GB" else "FR"
        nsn = fiction_number(country, self.country_rank[idx], add=self.phone_add)
        quota = 1 + (b1[7] / 256 < self.qprob) + (b2[0] / 256 < self.qprob)
        other: int | None = None
        if len(self.brands) > 1 and b2[1] / 256 < DUAL_BRAND_SHARE:
            other = (home + 1 + int(b2[2] / 256 * (len(self.brands) - 1))) % len(self.brands)
            quota = max(quota, 2)
        return _Customer(
            idx=idx,
            cid=f"c{idx:05d}",
            home=home,
            other=other,
            lang=lang,
            female=female,
            first=first,
            last=last,
            email=f"{local}@{domain}",
            mail_host=P.MAIL_HOSTS.get(domain, f"mail.{domain}"),
            phone_country=country,
            phone_nsn=nsn,
            quota=quota,
            suffix=suffix,
            style=h2,
        )


def _x_profile(cust: _Customer) -> tuple[str, str, int]:
    """X handle (unique: built from the unique name + suffix), display name, user id."""
    if cust.x is None:
        h, first, last = cust.style, cust.first, cust.last
        f = _ident(first).replace("-", "")
        l_id = _ident(last).replace("-", "")
        sep = ("_", "", "", "_")[int(_byte(h, 3) * 4)]
        local = f"{first}{last}".replace(" ", "").replace("'", "").replace("-", "")
        if sep or _byte(h, 4) < 0.5:
            local = f"{f}{sep}{l_id}"
        handle = "@" + _ascii(local) + cust.suffix
        names = (f"{first} {last}", first, f"{first} {last[0]}.", handle[1:])
        user_id = 10**17 + _mix(h, 7) % (9 * 10**17)
        cust.x = (handle, names[int(_byte(h, 5) * 4)], user_id)
    return cust.x


def _ig_name(cust: _Customer) -> str:
    f, l_id = _ident(cust.first), _ident(cust.last)
    names = (f"{cust.first} {cust.last}", f"{f}.{l_id}", f"{f}_{l_id[:3]}", cust.first)
    return names[int(_byte(cust.style, 6) * 4)]


def _wa_name(cust: _Customer) -> str:
    first = cust.first
    names = (f"{first} {cust.last}", first, first, f"{first} 🌸" if cust.female else f"{first} ⚽")
    return names[int(_byte(cust.style, 7) * 4)]


def _phone_text(rng: random.Random, country: str, nsn: str, region: str | None = None) -> str:
    """The customer's mobile number, written the way people write it: with the country
    code when writing to a brand of another country (``region``), or the brand would read
    "06 39 98 …" as one of its own numbers."""
    r = rng.random()
    if region is not None and region != country:
        return _e164(country, nsn) if r < 0.6 else ("+33 " if country == "FR" else "+44 ") + nsn
    if country == "FR":
        nat = "0" + nsn
        if r < 0.35:
            return " ".join(nat[i : i + 2] for i in range(0, 10, 2))
        if r < 0.6:
            return nat
        if r < 0.8:
            return "+33" + nsn
        if r < 0.9:
            return ".".join(nat[i : i + 2] for i in range(0, 10, 2))
        return f"+33 {nsn[0]} " + " ".join(nsn[i : i + 2] for i in range(1, 9, 2))
    nat = "0" + nsn
    if r < 0.4:
        return f"{nat[:5]} {nat[5:]}"
    if r < 0.6:
        return f"+44 {nsn[:4]} {nsn[4:]}"
    if r < 0.85:
        return nat
    return "+44" + nsn


def _e164(country: str, nsn: str) -> str:
    return ("+33" if country == "FR" else "+44") + nsn


# ======================================================================================
# Journeys
# ======================================================================================


class _Vals(dict[str, str]):
    """Template slot values of one request; the details are drawn on first use."""

    __slots__ = ("bi", "gen", "lang")

    def __init__(self, gen: _Generator, bi: int, lang: str, values: dict[str, str]) -> None:
        super().__init__(values)
        self.gen, self.bi, self.lang = gen, bi, lang

    def __missing__(self, key: str) -> str:
        if key == "tracking":
            value = self.gen._tracking(self["carrier"])
        else:
            value = self.gen._slot(self.bi, self.lang, key)
        self[key] = value
        return value


class _Journey:
    """One request being played out, one message at a time.

    Class attributes are the defaults (cheap to create: only what changes is stored)."""

    bi = 0
    brand: BrandSpec
    cust: _Customer
    label = ""
    reason = ""
    lang = ""
    order: str | None = None
    n_req = 1  #: the customer's n-th request
    vals: dict[str, str]
    left = 0  #: messages still to produce after the pending one
    ch = ""  #: pending step: channel, outbound?, kind
    out = False
    kind = "open"
    prev_ch: str | None = None  #: channel of the previous customer contact
    answered = False  #: did the brand answer the customer's last contact?
    asked = False  #: did the brand's last answer ask for the order / e-mail?
    gave_order = False
    call_ctx = "first"
    outcome = ""
    email_ids: list[str]
    email_subject: str | None = None
    last_email_text = ""
    last_email_t = 0
    last_out = False
    chat_session: str | None = None
    chat_left = 0
    chat_visitor = ""
    agent = ""
    tweet_root: str | None = None
    tweet_last: str | None = None
    x_dm = False

    def __init__(self) -> None:
        self.email_ids = []


class _Generator:
    def __init__(
        self,
        customers: int,
        messages: int,
        days: int,
        start: datetime,
        seed: int,
        brands: tuple[BrandSpec, ...],
    ) -> None:
        self.customers = customers
        self.messages = messages
        self.days = days
        self.seed = seed
        self.brands = brands
        self.rng = random.Random(seed)
        self.start = int(start.timestamp())
        self.end = self.start + days * 86400
        self.people = _People(seed, customers, brands)
        self.kinds = [_brand_kind(b, i) for i, b in enumerate(brands)]
        self.order_params = [
            (
                9 * 10 ** (b.order_digits - 1),
                _coprime(9 * 10 ** (b.order_digits - 1), 7919),
                _mix(_slug_int(b.slug), 5),
                10 ** (b.order_digits - 1),
            )
            for b in brands
        ]
        self.x_brand_ids = [10**9 + _mix(_slug_int(b.slug), 3) % (9 * 10**9) for b in brands]
        self.seq = 0  # global message counter → unique external ids
        self.hseq = 0  # heap tie-breaker
        # Local time: UTC offsets per brand per hour, from 2 days before to 30 after.
        self.off_base = self.start - 2 * 86400
        self.n_off = (days + 32) * 24
        self.offsets: list[list[int]] = []
        for spec in brands:
            zone = ZoneInfo(spec.timezone)
            row = []
            for h in range(self.n_off):
                at = datetime.fromtimestamp(self.off_base + h * 3600, UTC).astimezone(zone)
                offset = at.utcoffset()
                row.append(int(offset.total_seconds()) if offset else 0)
            self.offsets.append(row)
        self.iso_hours: dict[int, str] = {}
        self.iso_offsets: dict[int, str] = {}
        # Arrival weights per bucket and brand.
        self.n_buckets = days * 24
        shares = [1.0 / math.sqrt(i + 1) for i in range(len(brands))]
        self.bucket_brand_cdf: list[tuple[float, ...]] = []
        weights: list[float] = []
        for b in range(self.n_buckets):
            t = self.start + b * 3600 + 1800
            row_w = []
            for bi in range(len(brands)):
                off = self._off(bi, t)
                lt = t + off
                hour = (lt // 3600) % 24
                wd = (lt // 86400 + 3) % 7
                row_w.append(shares[bi] * HOURLY[hour] * WEEKDAY[wd])
            self.bucket_brand_cdf.append(tuple(accumulate(row_w)))
            weights.append(sum(row_w))
        self.weights = weights
        self.cumulative = list(accumulate(weights))
        #: weight of the next 24 hours (or what is left of the period)
        self.ahead = [sum(weights[b : b + 24]) for b in range(self.n_buckets)]
        # Channel choice tables.
        self.first_ch: list[tuple[tuple[str, ...], tuple[float, ...]]] = []
        for kind in self.kinds:
            tilt = KIND_TILT.get(kind, {})
            ws = [FIRST_CHANNEL[c] * tilt.get(c, 1.0) for c in CHANNELS]
            self.first_ch.append((CHANNELS, tuple(accumulate(ws))))
        self.switch_to = {
            c: (tuple(t), tuple(accumulate(t.values()))) for c, t in SWITCH_TO.items()
        }
        self.reasons = tuple(P.REASON_WEIGHTS)
        self.reason_cdf = tuple(accumulate(P.REASON_WEIGHTS.values()))
        self.length_cdf = tuple(accumulate(LENGTH_WEIGHTS))
        # Customers: new ones in a scrambled order, per brand; returning ones per brand.
        expected_requests = max(1.0, messages / MEAN_LENGTH)
        per_customer = min(3.0, max(1.0, expected_requests / customers))
        self.people.qprob = (per_customer - 1.0) / 2.0
        self.perm_mul = _coprime(customers, int(customers * 0.618) + 1)
        self.perm_add = _mix(seed, 4) % customers
        self.scan = [0] * len(brands)
        homes = self.people.homes
        self.new_left = [homes.count(bi) for bi in range(len(brands))]
        self.back_left = [0] * len(brands)  # requests still to come from known customers
        self.done: list[list[_Customer]] = [[] for _ in brands]  # a bounded sample
        self.waiting: list[list[tuple[int, int, _Customer, int]]] = [[] for _ in brands]
        self.ready: list[list[tuple[_Customer, int]]] = [[] for _ in brands]
        self.req_count: dict[int, int] = {}

    # ---------------------------------------------------------------- time helpers
    def _off(self, bi: int, t: int) -> int:
        h = (t - self.off_base) // 3600
        row = self.offsets[bi]
        return row[0 if h < 0 else h if h < self.n_off else self.n_off - 1]

    def _iso_hour(self, local_hour: int) -> str:
        """'2026-11-02T09:' for a local time in seconds (cached)."""
        if len(self.iso_hours) > 4096:
            self.iso_hours.clear()
        stamp = (_EPOCH + timedelta(seconds=local_hour)).isoformat()
        self.iso_hours[local_hour] = stamp[:14]
        return stamp[:14]

    def _iso_offset(self, off: int) -> str:
        """'+01:00' for 3600 (cached)."""
        hh, mm = divmod(abs(off) // 60, 60)
        suffix = self.iso_offsets[off] = f"{'+' if off >= 0 else '-'}{hh:02d}:{mm:02d}"
        return suffix

    def _customer_time(self, bi: int, t: int, delay: float) -> int:
        """``t + delay``; a delay of hours or days lands at a likely hour of that day."""
        target = int(t + delay)
        if delay < 4 * 3600:
            return target
        off = self._off(bi, target)
        local_midnight = (target + off) // 86400 * 86400 - off
        rng = self.rng
        hour = bisect(HOUR_CDF, rng.random() * HOUR_CDF[-1])
        new = local_midnight + hour * 3600 + int(rng.random() * 3600)
        return new if new > t + 600 else new + 86400

    def _in_hours(self, bi: int, t: int) -> bool:
        lt = t + self._off(bi, t)
        return (lt // 86400 + 3) % 7 != 6 and OPEN_HOUR <= (lt // 3600) % 24 < CLOSE_HOUR

    def _business_time(self, bi: int, t: int) -> int:
        """The first moment from ``t`` when the brand's team is at work."""
        for _ in range(3):
            if self._in_hours(bi, t):
                return t
            off = self._off(bi, t)
            lt = t + off
            day = lt // 86400 * 86400
            if (lt // 3600) % 24 >= OPEN_HOUR:
                day += 86400
            t = day + OPEN_HOUR * 3600 - off + int(_logu(self.rng, 120, 3 * 3600))
        return t

    # ---------------------------------------------------------------- main loop
    def run(self) -> Iterator[GeneratedMessage]:
        rng = self.rng
        heap: list[tuple[int, int, _Journey]] = []
        emitted = 0
        target = self.messages
        weights, cumulative, ahead = self.weights, self.cumulative, self.ahead
        total = cumulative[-1]
        last_t = self.start
        end = self.end
        emit, advance = self._emit, self._advance
        heappop, heappush = heapq.heappop, heapq.heappush
        if target == 0:
            return
        for b in range(self.n_buckets):
            t0 = self.start + b * 3600
            t1 = t0 + 3600
            # New requests: the base rate for this hour, plus a correction that steers the
            # number of messages emitted so far towards its expected share (this fills
            # the first days, which have no earlier requests to follow up, and makes the
            # stream end close to start + days).
            behind = target * (cumulative[b] - weights[b]) / total - emitted
            warm_up = 1.0 + WARM_UP * max(0.0, 1.0 - b / 36)  # no earlier requests yet
            base = target * weights[b] / total * warm_up
            lam = (base + GAIN * behind * weights[b] / ahead[b]) / EFFECTIVE_LENGTH
            for _ in range(self._poisson(lam)):
                t = t0 + int(rng.random() * 3600)
                j = self._new_journey(b, t)
                self.hseq += 1
                heappush(heap, (t, self.hseq, j))
            while heap and heap[0][0] < t1:
                t, _, j = heappop(heap)
                yield GeneratedMessage(emit(j, t), j.label, j.reason, j.lang)
                emitted += 1
                last_t = t
                if emitted >= target:
                    return
                nt = advance(j, t) if j.left > 0 else end
                if nt >= end:
                    j.left = 0
                else:
                    j.left -= 1
                    self.hseq += 1
                    heappush(heap, (nt, self.hseq, j))
        # Rarely short by a few messages at the very end: single messages in the last moments.
        times = sorted(
            last_t + int(rng.random() * max(1, self.end - last_t)) for _ in range(target - emitted)
        )
        for t in times:
            b = self.n_buckets - 1
            j = self._new_journey(b, t, length=1)
            yield GeneratedMessage(self._emit(j, t), j.label, j.reason, j.lang)

    def _poisson(self, lam: float) -> int:
        rng = self.rng
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, round(rng.gauss(lam, math.sqrt(lam))))
        limit = math.exp(-lam)
        k = 0
        p = rng.random()
        while p > limit:
            k += 1
            p *= rng.random()
        return k

    # ---------------------------------------------------------------- customers
    def _perm(self, k: int) -> int:
        return (k * self.perm_mul + self.perm_add) % self.customers

    def _pick_customer(self, bi: int, t: int) -> tuple[_Customer, int]:
        """A customer for a new request to brand ``bi``: someone coming back, or a new one,
        in proportion to what is left of each so that both run out together."""
        rng = self.rng
        waiting, ready = self.waiting[bi], self.ready[bi]
        while waiting and waiting[0][0] <= t:
            _, _, cust, remaining = heapq.heappop(waiting)
            ready.append((cust, remaining))
        fresh, back = self.new_left[bi], self.back_left[bi]
        if ready and (fresh == 0 or rng.random() * (fresh + back) < back):
            i = int(rng.random() * len(ready))
            ready[i], ready[-1] = ready[-1], ready[i]
            cust, remaining = ready.pop()
            self.back_left[bi] -= remaining
            return cust, remaining
        people = self.people
        while self.scan[bi] < self.customers:
            idx = self._perm(self.scan[bi])
            self.scan[bi] += 1
            if people.homes[idx] == bi:
                self.new_left[bi] -= 1
                cust = people.customer(idx)
                return cust, cust.quota
        # Everyone has been seen: someone due back later comes back a little early...
        if waiting:
            _, _, cust, remaining = heapq.heappop(waiting)
            self.back_left[bi] -= remaining
            return cust, remaining
        # ... or, when even that is exhausted, a past customer writes once more.
        done = self.done[bi]
        if done:
            return _pick(rng, done), 1
        return people.customer(int(rng.random() * self.customers)), 1

    def _new_journey(self, b: int, t: int, length: int | None = None) -> _Journey:
        rng = self.rng
        cdf = self.bucket_brand_cdf[b]
        bi = min(bisect(cdf, rng.random() * cdf[-1]), len(self.brands) - 1)
        cust, remaining = self._pick_customer(bi, t)
        if bi != cust.home and cust.other != bi:
            bi = cust.home
        brand = self.brands[bi]
        remaining -= 1
        if remaining > 0:
            nb = cust.other if (cust.other is not None and bi == cust.home) else cust.home
            if cust.other is not None and bi != cust.home and rng.random() < 0.5:
                nb = bi
            self.hseq += 1
            gap = int(_logu(rng, 1.5 * 86400, 20 * 86400))
            heapq.heappush(self.waiting[nb], (t + gap, self.hseq, cust, remaining))
            self.back_left[nb] += remaining
        else:
            done = self.done[bi]
            if len(done) < 2000:
                done.append(cust)
            else:
                done[int(rng.random() * 2000)] = cust
        n_req = self.req_count.get(cust.idx, 0) + 1
        self.req_count[cust.idx] = n_req

        j = _Journey()
        j.bi = bi
        j.brand = brand
        j.cust = cust
        j.label = f"{brand.slug}:{cust.cid}:r{n_req}"
        reason = j.reason = _weighted(rng, self.reasons, self.reason_cdf)
        lang = j.lang = cust.lang if cust.lang in ("fr", "en") else "en"
        j.n_req = n_req
        if rng.random() < P.ORDER_PROBABILITY[reason]:
            j.order = self._order_number(j)
        if length is None:
            length = bisect(self.length_cdf, rng.random() * self.length_cdf[-1]) + 1
        j.left = length - 1
        j.vals = _Vals(
            self,
            bi,
            lang,
            {
                "brand": brand.name,
                "email": cust.email,
                "first": cust.first,
                "last": cust.last,
                "client": P.CLIENT_WORD[lang][0 if cust.female else 1],
            },
        )
        channels, ch_cdf = self.first_ch[bi]
        j.ch = _weighted(rng, channels, ch_cdf)
        j.kind = "open"
        j.out = False
        if j.ch == "chat":
            self._start_chat(j)
        return j

    def _slot(self, bi: int, lang: str, key: str) -> str:
        """Draw a request detail the first time a template needs it."""
        rng = self.rng
        brand = self.brands[bi]
        if key == "product":
            return _pick(rng, P.PRODUCTS[(self.kinds[bi], lang)])
        if key == "amount":
            return self._amount(_pick(rng, P.PRICES), lang, brand.region)
        if key == "carrier":
            return _pick(rng, P.CARRIERS.get(brand.region, P.CARRIERS["FR"]))
        if key == "promo":
            return _pick(rng, P.PROMO_CODES)
        if key == "when":
            return _pick(rng, P.WHEN[lang])
        if key == "days":
            return str(3 + int(rng.random() * 12))
        if key == "handle":
            return "@" + brand.slug
        return ""

    def _start_chat(self, j: _Journey) -> None:
        rng = self.rng
        self.seq += 1
        j.chat_session = f"s-{self.seq:x}{rng.getrandbits(24):06x}"
        j.chat_left = 1 + int(rng.random() * 5)
        j.agent = _pick(rng, P.AGENTS[j.lang])
        session = self.seq if rng.random() < 0.2 else 0  # 20 %: cookies cleared, new visitor
        j.chat_visitor = f"v-{_mix(self.seed, j.cust.idx, j.bi, 21, session):016x}"

    @staticmethod
    def _amount(price: float, lang: str, region: str) -> str:
        if region == "GB":
            return f"£{price:.2f}" if lang == "en" else f"{price:.2f} £".replace(".", ",")
        return f"{price:.2f} €".replace(".", ",") if lang == "fr" else f"€{price:.2f}"

    def _tracking(self, carrier: str) -> str:
        r = self.rng.getrandbits(40)
        if carrier == "Colissimo":
            return f"6A{r % 10**11:011d}"
        if carrier == "Chronopost":
            return f"XW{r % 10**9:09d}FR"
        if carrier == "Royal Mail":
            return f"RM{r % 10**9:09d}GB"
        if carrier == "Yodel":
            return f"JD{r:016d}"[:18]
        if carrier == "Evri":
            return f"H00A{r % 10**12:012d}"
        # DPD: 14 digits, a depot digit after the leading 0. Never "00…", which reads
        # as an international phone number (a tracking number is not a phone identity).
        return f"0{1 + r % 9}{r % 10**12:012d}"

    # ---------------------------------------------------------------- next step
    def _advance(self, j: _Journey, t: int) -> int:
        """Choose the journey's next step (channel, direction, kind); return its time."""
        rng = self.rng
        ch = j.ch
        r = rng.random()
        # A chat session goes on for a few lines.
        if ch == "chat" and j.chat_left > 0 and j.chat_session is not None:
            j.chat_left -= 1
            if not j.out and r < 0.8:
                j.out, j.kind = True, "chat_agent"
                return t + int(_logu(rng, 15, 150))
            j.out, j.kind = False, "chat"
            return t + int(_logu(rng, 10, 120))
        if ch == "chat" and j.chat_session is not None:  # session over
            j.chat_session = None
            j.answered = j.answered or j.out
            j.prev_ch = "chat"
            if r < 0.25:  # the agent sends a follow-up e-mail
                return self._step(j, "email", True, "answer", t, _logu(rng, 300, 4 * 3600), True)
            if r < 0.45:
                return self._new_chat(j, t, _logu(rng, 3600, 3 * 86400))
            return self._switch(j, t, _logu(rng, 300, 86400))
        if ch == "phone":
            return self._after_call(j, t, r)
        if j.out:  # the brand just answered
            j.answered = True
            if r < 0.7:
                follow_ch = "email" if ch == "webform" else ch
                if ch == "x" and not j.x_dm:
                    j.x_dm = True  # "please DM us"
                quick = follow_ch in ("messenger", "instagram", "whatsapp", "x", "sms")
                delay = _logu(rng, 60, 5 * 3600) if quick else _logu(rng, 600, 2 * 86400)
                return self._step(j, follow_ch, False, "reply", t, delay)
            j.prev_ch = ch
            return self._switch(j, t, _logu(rng, 600, 3 * 86400))
        # the customer just wrote
        j.prev_ch = ch
        if r < P_ANSWER[ch]:
            j.answered = True
            if ch == "webform":
                return self._step(j, "email", True, "answer", t, _logu(rng, 3600, 40 * 3600), True)
            low, high = ANSWER_DELAY[ch]
            return self._step(j, ch, True, "answer", t, _logu(rng, low, high), True)
        j.answered = False
        if rng.random() < P_CHASE_SAME[ch]:
            quick = ch in ("messenger", "instagram", "whatsapp", "x", "sms")
            delay = _logu(rng, 3 * 3600, 3 * 86400) if quick else _logu(rng, 86400, 5 * 86400)
            if ch == "chat":
                return self._new_chat(j, t, delay)
            return self._step(j, ch, False, "chase", t, delay)
        slow = ch in ("email", "webform")
        delay = _logu(rng, 86400, 5 * 86400) if slow else _logu(rng, 2 * 3600, 3 * 86400)
        return self._switch(j, t, delay)

    def _step(
        self,
        j: _Journey,
        ch: str,
        out: bool,
        kind: str,
        t: int,
        delay: float,
        business: bool = False,
    ) -> int:
        j.ch, j.out, j.kind = ch, out, kind
        if business:
            return self._business_time(j.bi, int(t + delay))
        return self._customer_time(j.bi, t, delay)

    def _new_chat(self, j: _Journey, t: int, delay: float) -> int:
        self._start_chat(j)
        return self._step(j, "chat", False, "chase" if not j.answered else "reply", t, delay)

    def _switch(self, j: _Journey, t: int, delay: float) -> int:
        keys, cdf = self.switch_to[j.ch]
        ch = _weighted(self.rng, keys, cdf)
        if ch == "phone":
            j.call_ctx = "followup" if j.answered else "unanswered"
        if ch == "chat":
            self._start_chat(j)
        if ch == "x":
            j.x_dm = False
        return self._step(j, ch, False, "switch", t, delay)

    def _after_call(self, j: _Journey, t: int, r: float) -> int:
        rng = self.rng
        outcome = j.outcome
        j.prev_ch = "phone"
        if outcome == "answered":
            j.answered = True
            if r < 0.55:
                return self._switch(j, t, _logu(rng, 300, 2 * 86400))
            j.call_ctx = "followup"
            return self._step(j, "phone", False, "call", t, _logu(rng, 86400, 4 * 86400))
        if j.out:  # our call back was not answered
            if r < 0.6:
                j.call_ctx = "followup"
                return self._step(j, "phone", False, "call", t, _logu(rng, 600, 86400))
            return self._switch(j, t, _logu(rng, 3600, 2 * 86400))
        p_retry, p_back = (0.5, 0.2) if outcome == "missed" else (0.25, 0.45)
        if r < p_retry:
            return self._step(j, "phone", False, "call", t, _logu(rng, 180, 4 * 3600))
        if r < p_retry + p_back:
            return self._step(j, "phone", True, "callback", t, _logu(rng, 900, 86400), True)
        return self._switch(j, t, _logu(rng, 3600, 2 * 86400))

    # ---------------------------------------------------------------- rendering
    def _order_number(self, j: _Journey) -> str:
        """The request's order number; unique per (brand, customer, request) by construction."""
        space, mul, add, low = self.order_params[j.bi]
        key = j.cust.idx * 4 + min(j.n_req - 1, 3)
        return f"{j.brand.order_prefix}{(key * mul + add) % space + low}"

    def _order_text(self, j: _Journey) -> str:
        """The order number as the customer writes it this time ("A-10492", "a10492"...)."""
        order = j.order
        if order is None:  # a template mentions an order: so the request has one
            order = j.order = self._order_number(j)
        if j.out or j.ch == "phone":  # agents write it properly (answers, call notes)
            return order
        prefix = j.brand.order_prefix
        digits = order[len(prefix) :]
        letters = prefix.rstrip("- ")
        r = self.rng.random()
        if r < 0.38:
            return order
        if r < 0.52:
            return letters + digits
        if r < 0.62:
            return (letters + digits).lower()
        if r < 0.69:
            return f"{letters} {digits}"
        if r < 0.79:
            return "#" + order
        if r < 0.86:
            return ("n°" if j.lang == "fr" else "no. ") + order
        if r < 0.95:
            return digits
        return order.lower()

    def _fill(self, j: _Journey, template: str, third_person: bool = False) -> str:
        vals = j.vals
        topic = "{topic}" in template
        if topic or "{order}" in template:
            vals["order"] = self._order_text(j)
        if topic:
            topics = P.TOPIC[(j.lang, j.reason)]
            text = _pick(self.rng, topics).format_map(vals)
            if third_person:  # an agent's notes: "sa commande", "their order"
                for mine, theirs in _THIRD_PERSON[j.lang]:
                    text = text.replace(mine, theirs)
            vals["topic"] = text
        text = template.format_map(vals)
        if template[0] == "{":  # "{product} ..." → "La robe ..."
            text = text[:1].upper() + text[1:]
        if j.lang == "fr" and (topic or "{product}" in template):
            text = _contract(text)
        return text

    def _typo(self, text: str) -> str:
        """Swap two letters or drop one, somewhere in the text."""
        rng = self.rng
        if len(text) < 12:
            return text
        for _ in range(4):
            i = int(rng.random() * (len(text) - 2))
            a, b = text[i], text[i + 1]
            if a.isalpha() and b.isalpha() and a.islower() and b.islower() and a != b:
                if rng.random() < 0.7:
                    return text[:i] + b + a + text[i + 2 :]
                return text[:i] + a + text[i + 1 :]
        return text

    def _mail_body(self, j: _Journey, core: str) -> str:
        rng = self.rng
        lang, vals = j.lang, j.vals
        greet = _pick(rng, P.GREETINGS[lang]).format_map(vals)
        sign = _pick(rng, P.SIGNOFFS[lang])
        cust = j.cust
        r = rng.random()
        name = (
            f"{cust.first} {cust.last}"
            if r < 0.55
            else cust.first
            if r < 0.8
            else f"{cust.first[0]}. {cust.last}"
        )
        parts = [greet, "", core, "", sign, name]
        if rng.random() < 0.2:
            vals["phone"] = _phone_text(rng, cust.phone_country, cust.phone_nsn, j.brand.region)
            parts.append(_pick(rng, P.PHONE_IN_SIGNATURE[lang]).format_map(vals))
        if rng.random() < 0.2:
            parts += ["", _pick(rng, P.MOBILE_FOOTERS[lang])]
        return "\n".join(parts)

    def _quote(self, j: _Journey) -> str:
        if not j.last_email_text or self.rng.random() < 0.5:
            return ""
        off = self._off(j.bi, j.last_email_t)
        when = (_EPOCH + timedelta(seconds=j.last_email_t + off)).strftime("%d/%m/%Y %H:%M")
        brand, cust = j.brand, j.cust
        sender = (
            f"{brand.name} <service@{brand.domain}>"
            if j.last_out
            else f"{cust.first} {cust.last} <{cust.email}>"
        )
        head = P.QUOTE_HEADERS[j.lang].format(date=when, sender=sender)
        quoted = "\n".join("> " + line for line in j.last_email_text.splitlines()[:12])
        return f"\n\n{head}\n{quoted}"

    def _sms_style(self, j: _Journey, text: str) -> str:
        text = _ascii(text)
        words = _SMS_WORDS[j.lang]
        text = _SMS_RES[j.lang].sub(lambda m: words[m.group(0)], text)
        return text if self.rng.random() < 0.5 else text[:1].lower() + text[1:]

    def _attachment(self, filename: str, content_type: str, low: int, high: int) -> dict[str, Any]:
        rng = self.rng
        return {
            "filename": filename,
            "content_type": content_type,
            "size": low + int(rng.random() * (high - low)),
            "sha256": f"{rng.getrandbits(256):064x}",
        }

    def _customer_party(self, j: _Journey, ch: str, out: bool) -> dict[str, Any]:
        cust, rng = j.cust, self.rng
        if ch == "email":
            r = rng.random()
            if out or r < 0.8:
                return {"name": f"{cust.first} {cust.last}", "email": cust.email}
            if r < 0.9:
                return {"name": f"{cust.first} {cust.last}".upper(), "email": cust.email}
            return {"email": cust.email}
        if ch == "webform":
            party: dict[str, Any] = {"name": f"{cust.first} {cust.last}", "email": cust.email}
            if rng.random() < 0.7:
                party["phone"] = _phone_text(
                    rng, cust.phone_country, cust.phone_nsn, j.brand.region
                )
            return party
        if ch == "chat":
            party = {"chat": j.chat_visitor}
            if rng.random() < 0.6:
                party["name"] = cust.first
            if rng.random() < 0.35:
                party["email"] = cust.email
            return party
        if ch == "messenger":
            return {"messenger": self._social(cust, j.bi)[0], "name": f"{cust.first} {cust.last}"}
        if ch == "instagram":
            return {"instagram": self._social(cust, j.bi)[1], "name": _ig_name(cust)}
        if ch == "whatsapp":
            cc = "33" if cust.phone_country == "FR" else "44"
            return {"whatsapp": cc + cust.phone_nsn, "name": _wa_name(cust)}
        if ch == "x":
            handle, name, _ = _x_profile(cust)
            return {"x": handle, "name": name}
        if ch == "sms":
            return {"phone": _e164(cust.phone_country, cust.phone_nsn)}
        # phone: caller id as the brand's telephony presents it
        if cust.phone_country == j.brand.region and j.brand.region == "FR":
            return {"phone": "0" + cust.phone_nsn}
        return {"phone": _e164(cust.phone_country, cust.phone_nsn)}

    def _social(self, cust: _Customer, bi: int) -> tuple[str, str]:
        """Page-scoped Messenger and Instagram ids of a customer for one brand."""
        ids = cust.social.get(bi)
        if ids is None:
            psid = _mix(self.seed, cust.idx, bi, 31) % 10**16
            igsid = _mix(self.seed, cust.idx, bi, 32) % 10**17
            ids = cust.social[bi] = (f"psid-{psid:016d}", f"igsid-{igsid:017d}")
        return ids

    def _emit(self, j: _Journey, t: int) -> dict[str, Any]:
        rng = self.rng
        ch, out, kind, lang = j.ch, j.out, j.kind, j.lang
        brand = j.brand
        # External id: unique thanks to the global counter, shaped like each platform's.
        seq = self.seq = self.seq + 1
        r = rng.getrandbits(32)
        if ch == "email":
            ext = f"<{seq:x}.{r:08x}@{brand.domain if out else j.cust.mail_host}>"
        elif ch == "x":
            ext = str(1_800_000_000_000_000_000 + seq * 4096 + (r & 4095))
        else:
            ext = _ID_FORMATS[ch].format(seq, r, (r * 2654435761) & 0xFFFFFFFFFFFF)
        # Time: local offset for mail, forms and calls (like their headers), UTC otherwise.
        if ch == "email" or ch == "webform" or ch == "phone":
            h = (t - self.off_base) // 3600
            off = self.offsets[j.bi][h if h < self.n_off else self.n_off - 1]
        else:
            off = 0
        lt = t + off
        rest = lt % 3600
        hour = self.iso_hours.get(lt - rest) or self._iso_hour(lt - rest)
        zone = self.iso_offsets.get(off) or self._iso_offset(off)
        msg: dict[str, Any] = {
            "brand": brand.slug,
            "channel": ch,
            "external_id": ext,
            "received_at": f"{hour}{rest // 60:02d}:{rest % 60:02d}{zone}",
            "direction": "outbound" if out else "inbound",
        }
        cust_party = self._customer_party(j, ch, out)
        if out:
            agent = j.agent if ch == "chat" and j.agent else _pick(rng, P.AGENTS[lang])
            j.vals["agent"] = agent
            msg["from"] = {"name": f"{agent} ({brand.name})"}
            msg["to"] = cust_party
        else:
            msg["from"] = cust_party
        thread: dict[str, Any] = {}
        attachments: list[dict[str, Any]] = []
        meta: dict[str, Any] = {}
        subject: str | None = None
        text: str | None

        if ch == "email" or ch == "webform":
            text, subject = self._render_mail(j, ch, out, kind, thread, attachments, meta)
        elif ch == "phone":
            text = self._render_call(j, out, t, ext, meta)
        else:
            text = self._render_short(j, ch, out, kind, ext, thread, attachments, meta)
        # Typos by customers (never where an address or handle would be garbled).
        if not out and text and ch != "phone" and rng.random() < TYPO_RATE and "@" not in text:
            text = self._typo(text)
        if ch == "email":
            j.email_ids.append(ext)
            j.last_email_text = text or ""
            j.last_email_t = t
            j.last_out = out
            if not out:
                msg["to"] = {"name": brand.name, "email": f"service@{brand.domain}"}
        if subject is not None:
            msg["subject"] = subject
        msg["text"] = text
        if thread:
            msg["thread"] = thread
        if attachments:
            msg["attachments"] = attachments
        if meta:
            msg["meta"] = meta
        if kind == "reply" and not out:
            j.asked = False
        return msg

    def _render_mail(
        self,
        j: _Journey,
        ch: str,
        out: bool,
        kind: str,
        thread: dict[str, Any],
        attachments: list[dict[str, Any]],
        meta: dict[str, Any],
    ) -> tuple[str, str]:
        rng = self.rng
        lang, reason, vals = j.lang, j.reason, j.vals
        key = (lang, reason)
        if out:  # the brand's e-mail answer
            answer = self._fill(j, _pick(rng, P.ANSWER[key]))
            if j.prev_ch == "chat" and rng.random() < 0.8:
                intro = (
                    "Suite à notre échange sur le chat, voici le récapitulatif."
                    if lang == "fr"
                    else "Following our chat, here is a summary."
                )
                answer = f"{intro}\n\n{answer}"
            hello = "Bonjour" if lang == "fr" else "Hello"
            bye = (
                f"Bien cordialement,\n{vals['agent']}\nService client {j.brand.name}"
                if lang == "fr"
                else f"Kind regards,\n{vals['agent']}\n{j.brand.name} Customer Care"
            )
            text = f"{hello} {j.cust.first},\n\n{answer}\n\n{bye}"
            if j.email_subject and j.email_ids:
                subject = _pick(rng, P.REPLY_PREFIX[lang]) + j.email_subject
                thread["in_reply_to"] = j.email_ids[-1]
                thread["references"] = j.email_ids[-10:]
            else:
                subject = (
                    f"Votre demande - {j.brand.name}"
                    if lang == "fr"
                    else f"Your enquiry - {j.brand.name}"
                )
                if j.order:
                    subject += f" ({j.order})"
                j.email_subject = subject
            if reason == "return" and ("ci-joint" in answer or "attached" in answer):
                name = f"etiquette-retour-{j.order}.pdf" if lang == "fr" else "returns-label.pdf"
                attachments.append(self._attachment(name, "application/pdf", 40_000, 90_000))
            j.asked = False
            return text, subject

        # the customer writes
        if kind == "open":
            core = self._fill(j, _pick(rng, P.OPEN[key]["mail"]))
            subject = self._fill(j, _pick(rng, P.SUBJECTS[key]))
        elif kind == "chase":
            core = self._fill(j, _pick(rng, P.CHASE[lang]["mail"]))
            base = j.email_subject or self._fill(j, _pick(rng, P.SUBJECTS[key]))
            if j.email_ids and rng.random() < 0.5:  # hits "reply" on their own sent mail
                subject = _pick(rng, P.REPLY_PREFIX[lang]) + base
                thread["in_reply_to"] = j.email_ids[-1]
                thread["references"] = j.email_ids[-10:]
            else:
                subject = _pick(rng, P.CHASE_PREFIX[lang]) + base
        elif kind == "reply" and ch == "email" and j.email_ids:
            core = self._reply_text(j)
            subject = _pick(rng, P.REPLY_PREFIX[lang]) + (j.email_subject or "")
            thread["in_reply_to"] = j.email_ids[-1]
            thread["references"] = j.email_ids[-10:]
        else:  # moved here from another channel (or a reply without a thread)
            mode = "followup" if j.answered else "unanswered"
            vals["prev"] = P.PREV[lang].get(j.prev_ch or "phone", "")
            core = self._fill(
                j,
                _pick(rng, P.SWITCH[lang][mode]["mail"]),
            )
            subject = self._fill(j, _pick(rng, P.SUBJECTS[key]))
        if ch == "webform":
            topic = P.FORM_TOPICS[key]
            meta["form"] = "contact"
            meta["topic"] = topic
            meta["page"] = f"https://www.{j.brand.domain}/contact"
            if j.order and rng.random() < 0.8:
                meta["order_number"] = self._order_text(j)
            return core, topic
        if "in_reply_to" not in thread or kind == "chase":
            j.email_subject = subject.removeprefix("RE: ").removeprefix("Re: ")
        text = self._mail_body(j, core)
        if kind == "reply":
            text += self._quote(j)
        if "photo" in core.lower():
            for k in range(1 + int(rng.random() * 3)):
                attachments.append(
                    self._attachment(
                        f"IMG_{2000 + int(rng.random() * 7000)}.jpg"
                        if k or rng.random() < 0.7
                        else "photo.jpeg",
                        "image/jpeg",
                        300_000,
                        4_000_000,
                    )
                )
        elif ("facture" in core or "invoice" in core.lower()) and rng.random() < 0.8:
            name = "facture.pdf" if lang == "fr" else "invoice.pdf"
            attachments.append(self._attachment(name, "application/pdf", 30_000, 200_000))
        return text, subject

    def _reply_text(self, j: _Journey) -> str:
        rng = self.rng
        lang = j.lang
        table = P.REPLY[lang]
        if j.asked:
            if j.order and (not j.gave_order or rng.random() < 0.5):
                j.gave_order = True
                return self._fill(j, _pick(rng, table["order_ref"]))
            return self._fill(j, _pick(rng, table["email_ref"]))
        if j.left == 0 and rng.random() < 0.6:
            return _pick(rng, table["thanks"])
        r = rng.random()
        if r < 0.15 and j.reason in ("delivery", "return", "product", "refund", "payment"):
            return _pick(rng, table["photo"])
        group = "unhappy" if r < 0.55 else "question"
        return self._fill(j, _pick(rng, table[group]))

    def _render_call(
        self, j: _Journey, out: bool, t: int, ext: str, meta: dict[str, Any]
    ) -> str | None:
        rng = self.rng
        lang, vals = j.lang, j.vals
        in_hours = self._in_hours(j.bi, t)
        r = rng.random()
        if out:
            outcome = "answered" if r < 0.7 else "missed" if r < 0.9 else "voicemail"
        elif in_hours:
            outcome = "answered" if r < 0.65 else "missed" if r < 0.85 else "voicemail"
        else:
            outcome = "voicemail" if r < 0.6 else "missed"
        j.outcome = outcome
        if outcome == "answered":
            duration = int(_logu(rng, 60, 1200))
        elif outcome == "voicemail":
            duration = int(_logu(rng, 12, 70))
        else:
            duration = int(rng.random() * 35)
        meta["call_id"] = ext
        meta["outcome"] = outcome
        meta["duration_s"] = duration
        if outcome == "missed":
            return None
        if outcome == "voicemail":
            if out:
                return (
                    "Message laissé sur le répondeur du client."
                    if lang == "fr"
                    else "Left a voicemail for the customer."
                )
            vals["phone"] = _phone_text(rng, j.cust.phone_country, j.cust.phone_nsn, j.brand.region)
            return self._fill(j, _pick(rng, P.VOICEMAIL[lang]))
        agent = j.vals["agent"] if out else _pick(rng, P.AGENTS[lang])
        meta["agent"] = agent
        if out:
            ctx = "callback"
        elif j.prev_ch is None or j.prev_ch == "phone":
            ctx = "first" if j.call_ctx != "followup" else "followup"
        else:
            ctx = j.call_ctx
        vals["prev"] = P.PREV[lang].get(j.prev_ch or "phone", "")
        vals["answer"] = self._fill(j, _pick(rng, P.ANSWER[(lang, j.reason)]))
        j.gave_order = j.gave_order or j.order is not None
        notes = P.CALL_NOTES[lang][ctx]
        return self._fill(j, _pick(rng, notes), third_person=True)

    def _render_short(
        self,
        j: _Journey,
        ch: str,
        out: bool,
        kind: str,
        ext: str,
        thread: dict[str, Any],
        attachments: list[dict[str, Any]],
        meta: dict[str, Any],
    ) -> str:
        rng = self.rng
        lang, reason, vals = j.lang, j.reason, j.vals
        cust = j.cust
        # Thread identifiers first.
        if ch == "chat":
            thread["conversation_id"] = j.chat_session or f"s-{self.seq:x}"
            if not out:
                pages = ("", "compte/commandes", "aide", "panier", "produit")
                meta["page"] = f"https://www.{j.brand.domain}/" + pages[int(rng.random() * 5)]
        elif ch == "messenger":
            thread["conversation_id"] = "t_" + self._social(cust, j.bi)[0][5:]
        elif ch == "instagram":
            thread["conversation_id"] = "ig_t_" + self._social(cust, j.bi)[1][6:]
        elif ch == "whatsapp":
            cc = "33" if cust.phone_country == "FR" else "44"
            thread["conversation_id"] = f"wa-{j.brand.slug}-{cc}{cust.phone_nsn}"
        elif ch == "x":
            if j.x_dm:
                thread["conversation_id"] = f"{self.x_brand_ids[j.bi]}-{_x_profile(cust)[2]}"
                meta["kind"] = "dm"
            else:
                meta["kind"] = "mention"
                if j.tweet_root is None:
                    j.tweet_root = ext
                thread["conversation_id"] = j.tweet_root
                if j.tweet_last is not None:
                    thread["in_reply_to"] = j.tweet_last
                j.tweet_last = ext

        if out:
            if ch == "x" and not j.x_dm:
                j.asked = True
                handle = _x_profile(cust)[0]
                replies = P.PUBLIC_REPLY[lang]
                return f"{handle} {self._fill(j, _pick(rng, replies))}"
            if ch == "chat":
                if kind == "chat_agent" and j.chat_left > 1 and rng.random() < 0.6:
                    line = _pick(rng, P.AGENT_CHAT[lang])
                    j.asked = "?" in line
                    return self._fill(j, line)
                j.asked = False
                return self._fill(j, _pick(rng, P.ANSWER[(lang, reason)]))
            if not j.gave_order and rng.random() < 0.5 and ch != "sms":
                j.asked = True
                return self._fill(j, _pick(rng, P.ASK_DETAILS[lang]))
            j.asked = False
            text = self._fill(j, _pick(rng, P.ANSWER[(lang, reason)]))
            if ch == "sms":
                text = f"{j.brand.name}: {_ascii(text)}"
            return text

        if kind == "open":
            text = self._fill(
                j,
                _pick(rng, P.OPEN[(lang, reason)]["dm"]),
            )
        elif kind == "chase":
            text = self._fill(j, _pick(rng, P.CHASE[lang]["dm"]))
        elif kind == "switch":
            mode = "followup" if j.answered else "unanswered"
            vals["prev"] = P.PREV[lang].get(j.prev_ch or "email", "")
            text = self._fill(j, _pick(rng, P.SWITCH[lang][mode]["dm"]))
        else:  # reply or a chat line
            if kind == "chat" and not j.asked and rng.random() < 0.3:
                text = self._fill(
                    j,
                    _pick(rng, P.OPEN[(lang, reason)]["dm"]),
                )
            else:
                text = self._reply_text(j)
        if ch == "sms":
            return self._sms_style(j, text)
        if ch == "x" and not j.x_dm:
            text = f"{vals['handle']} {text}"
            if rng.random() < 0.3:
                text += _pick(rng, (" #serviceclient", " !!", " 😤", " #customerservice"))
        if ch in ("whatsapp", "messenger") and "photo" in text.lower():
            attachments.append(self._attachment("image.jpg", "image/jpeg", 80_000, 900_000))
        return text
