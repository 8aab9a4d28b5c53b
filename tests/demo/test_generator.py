"""The demo traffic generator: valid, deterministic, streaming, realistic enough."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache

import phonenumbers
import pytest

from omnicase.demo import (
    DEMO_BRANDS,
    TARGET_CHANNEL_MIX,
    BrandSpec,
    GeneratedMessage,
    demo_scale,
    generate,
)
from omnicase.demo.generator import is_fiction_number
from omnicase.ingest.identities import normalise_phone
from omnicase.ingest.schema import InboundMessage

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


@cache
def sample(messages: int = 20_000, seed: int = 42) -> tuple[GeneratedMessage, ...]:
    return tuple(
        generate(customers=demo_scale(messages), messages=messages, start=START, seed=seed)
    )


def customer_of(label: str) -> str:
    return label.split(":")[1]


def customer_party(message: dict[str, object]) -> dict[str, str]:
    party = message["from"] if message["direction"] == "inbound" else message["to"]
    assert isinstance(party, dict)
    return party


def test_every_message_validates_against_the_canonical_schema() -> None:
    for item in sample()[:3000]:
        parsed = InboundMessage.model_validate(item.message)
        assert parsed.brand in {"acme", "globex"}
        assert parsed.customer_party is not None and parsed.customer_party.identities()


def test_messages_validate_for_another_seed_and_the_whole_period() -> None:
    items = list(generate(customers=300, messages=1500, start=START, seed=3, days=7))
    for item in items[::5]:
        InboundMessage.model_validate(item.message)


def test_same_seed_same_output_other_seed_other_output() -> None:
    def run(seed: int) -> list[GeneratedMessage]:
        return list(generate(customers=400, messages=2000, start=START, seed=seed))

    first = run(7)
    assert first == run(7)
    assert first != run(8)
    assert [m.message["external_id"] for m in first] != [m.message["external_id"] for m in run(8)]


def test_exact_count() -> None:
    for messages in (0, 1, 7, 1234):
        items = list(generate(customers=max(1, messages // 5), messages=messages, start=START))
        assert len(items) == messages


def test_nondecreasing_received_at_within_the_period() -> None:
    items = sample()
    times = [InboundMessage.model_validate(m.message).received_at for m in items]
    assert all(a <= b for a, b in itertools.pairwise(times))
    assert times[0] >= START
    assert times[-1] < START + timedelta(days=30)
    # the stream covers the whole period: it neither stops early nor piles up at the end
    assert times[-1] > START + timedelta(days=29, hours=12)
    last_day = sum(1 for t in times if t >= START + timedelta(days=29))
    assert last_day < 2 * len(times) / 30


def test_received_at_is_an_iso_string_with_offset() -> None:
    for item in sample()[:500]:
        value = item.message["received_at"]
        assert isinstance(value, str)
        assert datetime.fromisoformat(value).tzinfo is not None


def test_weekly_and_daily_patterns() -> None:
    times = [datetime.fromisoformat(m.message["received_at"]) for m in sample()]
    by_weekday = Counter(t.astimezone(UTC).weekday() for t in times)
    assert by_weekday[0] == max(by_weekday.values())  # Monday peak
    assert by_weekday[6] == min(by_weekday.values())  # quiet Sunday
    by_hour = Counter(t.astimezone(UTC).hour for t in times)
    office = sum(by_hour[h] for h in (9, 10, 14, 15))
    night = sum(by_hour[h] for h in (1, 2, 3, 4))
    assert office > 20 * night


def test_external_ids_unique_per_brand_and_channel() -> None:
    keys = [(m.message["brand"], m.message["channel"], m.message["external_id"]) for m in sample()]
    assert len(keys) == 20_000
    assert len(set(keys)) == len(keys)


def test_channel_mix_close_to_targets() -> None:
    counts = Counter(m.message["channel"] for m in sample())
    assert set(counts) == set(TARGET_CHANNEL_MIX)
    for channel, target in TARGET_CHANNEL_MIX.items():
        share = counts[channel] / 20_000
        assert abs(share - target) <= 0.05, (channel, share, target)


def test_every_request_belongs_to_one_brand_and_one_customer() -> None:
    brands: dict[str, set[str]] = defaultdict(set)
    emails_of_customer: dict[str, set[str]] = defaultdict(set)
    for item in sample():
        brand, customer, number = item.request.split(":")
        assert customer.startswith("c") and number.startswith("r")
        assert item.message["brand"] == brand
        brands[item.request].add(item.message["brand"])
        email = customer_party(item.message).get("email")
        if email:
            emails_of_customer[customer].add(email.lower())
    assert all(len(b) == 1 for b in brands.values())
    # one customer, one address (whatever the brand and channel)
    assert all(len(e) == 1 for e in emails_of_customer.values())


def test_shared_addresses_are_households_or_the_same_person_on_two_brands() -> None:
    customers_of_email: dict[str, set[str]] = defaultdict(set)
    brands_of_customer: dict[str, set[str]] = defaultdict(set)
    for item in sample():
        email = customer_party(item.message).get("email")
        if email:
            customers_of_email[email.lower()].add(customer_of(item.request))
        brands_of_customer[customer_of(item.request)].add(item.message["brand"])
    shared = [sorted(c) for c in customers_of_email.values() if len(c) > 1]
    for pair in shared:  # households: customers 2k and 2k+1
        assert len(pair) == 2
        a, b = (int(c[1:]) for c in pair)
        assert a // 2 == b // 2
    assert shared, "some households share an address"
    both = sum(1 for b in brands_of_customer.values() if len(b) == 2)
    assert 0.01 < both / len(brands_of_customer) < 0.1


def test_customers_make_one_to_three_requests() -> None:
    requests: dict[str, set[str]] = defaultdict(set)
    for item in sample():
        requests[customer_of(item.request)].add(item.request)
    counts = Counter(len(r) for r in requests.values())
    assert counts[1] and counts[2] and counts[3]
    assert sum(v for k, v in counts.items() if k > 3) < 0.03 * len(requests)


def test_multi_channel_requests_exist() -> None:
    channels: dict[str, list[str]] = defaultdict(list)
    for item in sample():
        channels[item.request].append(item.message["channel"])
    multi = [c for c in channels.values() if len(c) >= 2]
    crossing = sum(1 for c in multi if len(set(c)) >= 2)
    assert crossing >= 0.3 * len(multi)


def test_both_languages_for_both_brands() -> None:
    languages = Counter((m.message["brand"], m.language) for m in sample())
    for brand, own, other in (("acme", "fr", "en"), ("globex", "en", "fr")):
        total = languages[(brand, own)] + languages[(brand, other)]
        assert 0.03 < languages[(brand, other)] / total < 0.2


def test_reasons_are_e_commerce_heavy() -> None:
    reasons = Counter(m.reason for m in sample())
    assert reasons.most_common(2)[0][0] in {"delivery", "order"}
    assert len(reasons) == 10


def test_replies_refer_to_an_earlier_message_of_the_same_request() -> None:
    seen: dict[str, str] = {}  # external id → request
    replies = 0
    for item in sample():
        thread = item.message.get("thread") or {}
        assert isinstance(thread, dict)
        parent = thread.get("in_reply_to")
        if parent:
            replies += 1
            assert seen.get(parent) == item.request
            for ref in thread.get("references", []):
                assert seen.get(ref) == item.request
        seen[item.message["external_id"]] = item.request
    assert replies > 500


def test_email_threads_and_outbound_answers() -> None:
    outbound = [m.message for m in sample() if m.message["direction"] == "outbound"]
    assert 0.1 < len(outbound) / 20_000 < 0.5
    for message in outbound[:500]:
        assert message["from"]["name"].endswith(("(Acme Mode)", "(Globex)"))
        assert message["to"]
    mails = [m for m in outbound if m["channel"] == "email"]
    assert mails and all(m["external_id"].endswith(".example>") for m in mails)


def test_calls_carry_call_metadata() -> None:
    calls = [m.message for m in sample() if m.message["channel"] == "phone"]
    outcomes = Counter(c["meta"]["outcome"] for c in calls)
    assert set(outcomes) == {"answered", "missed", "voicemail"}
    for call in calls:
        assert call["meta"]["call_id"] == call["external_id"]
        assert call["meta"]["duration_s"] >= 0
        if call["meta"]["outcome"] == "missed":
            assert call["text"] is None
        else:
            assert call["text"]


def test_conversation_ids() -> None:
    conversations: dict[tuple[str, str], set[str]] = defaultdict(set)
    sessions: dict[str, set[str]] = defaultdict(set)
    for item in sample():
        m = item.message
        conversation = (m.get("thread") or {}).get("conversation_id")
        customer = customer_of(item.request)
        if m["channel"] in ("messenger", "instagram"):
            assert conversation
            conversations[(m["brand"] + m["channel"], customer)].add(conversation)
        if m["channel"] == "chat":
            assert conversation
            sessions[item.request].add(conversation)
    # permanent per customer (and brand) on Meta; per session on chat
    assert all(len(c) == 1 for c in conversations.values())
    assert any(len(s) > 1 for s in sessions.values())


def test_phone_numbers_are_fiction_numbers_in_varied_formats() -> None:
    """Every number a customer writes is one set aside for fiction (nobody real gets a
    call) and still normalises to one E.164 number, so identity linking works."""
    written: set[str] = set()
    for item in sample()[:5000]:
        phone = customer_party(item.message).get("phone")
        if phone:
            digits = "".join(c for c in phone if c.isdigit())
            region = "FR" if len(digits) == 10 else "GB"  # national: 06… (10) / 07… (11)
            number = phonenumbers.parse(phone, region)
            assert phonenumbers.is_possible_number(number), phone
            e164 = normalise_phone(phone, region)
            assert is_fiction_number(e164), phone
            written.add(phone)
    assert any(p.startswith("+33") for p in written)
    assert any(" " in p and p.startswith("0") for p in written)
    assert any(p.startswith("+44") for p in written)


def test_order_numbers_written_in_varied_ways() -> None:
    texts = " ".join(str(m.message.get("text") or "") for m in sample()[:5000])
    assert "A-" in texts and "GX" in texts
    assert any(f"a{d}" in texts for d in range(1, 10))  # "cde a10492"
    assert "#GX" in texts or "#A-" in texts


def test_identities_per_channel() -> None:
    prefixes = {"messenger": "psid-", "instagram": "igsid-", "chat": "v-", "x": "@"}
    for item in sample()[:5000]:
        party = customer_party(item.message)
        channel = item.message["channel"]
        if channel in prefixes:
            assert party[channel].startswith(prefixes[channel])
        if channel == "whatsapp":
            assert party["whatsapp"].isdigit()


def test_streaming_does_not_build_everything_first() -> None:
    stream = generate(customers=20_000, messages=100_000, start=START)
    first = list(itertools.islice(stream, 10))
    assert len(first) == 10


def test_default_start_is_thirty_days_before_today() -> None:
    first = next(generate(customers=10, messages=10))
    when = datetime.fromisoformat(first.message["received_at"])
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert today - timedelta(days=30) <= when < today


def test_custom_brands_and_single_brand() -> None:
    brand = BrandSpec("initech", "Initech", "FR", "Europe/Paris", "fr", "IN", 7, "initech.example")
    items = list(generate(customers=100, messages=500, start=START, brands=[brand], days=5))
    assert {i.message["brand"] for i in items} == {"initech"}
    for item in items:
        InboundMessage.model_validate(item.message)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        generate(customers=0, messages=10)
    with pytest.raises(ValueError):
        generate(customers=10, messages=10, days=0)


def test_demo_scale_and_brands() -> None:
    assert demo_scale(10_000) == 2_000
    assert demo_scale(3) == 1
    assert [b.slug for b in DEMO_BRANDS] == ["acme", "globex"]
