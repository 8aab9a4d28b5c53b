"""Build data/consistency/{split}/pairs.jsonl from the split's hand-written scenarios.

A scenario (``data/consistency/SPLIT/scenarios.py``) is one customer request: the facts
that are true (``values``), the values an agent could wrongly say instead (``alts``),
the answers agents wrote on several channels as templates, and the brand's macros. The
label of a pair comes from the values filled in, never from the detector: two answers
filled with the same values agree (whatever the wording and number format), an answer
filled with an alternative value contradicts on that slot's kind. Answers about another
order (``other_order``) are about another request: they agree whatever they say.

    .venv/bin/python tools/consistency_pairs.py heldout   # then dev
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import random
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent / "data" / "consistency"
DAY0 = datetime(2026, 11, 2, 9, 30)  # a Monday
KIND = {
    "refund_amount": "amount",
    "voucher_amount": "amount",
    "refund_delay": "delay",
    "delivery_delay": "delay",
    "dispatch_delay": "delay",
    "replacement_delay": "delay",  # read as delivery_delay
    "callback_delay": "delay",
    "delivery_date": "date",
    "dispatch_date": "date",
    "refund_date": "date",
    "return_window": "policy",
    "shipping_fee": "policy",
    "return_fee": "policy",
    "refund": "decision",
    "replacement": "decision",
    "return": "decision",
    "voucher": "decision",
}
FR_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
EN_MONTHS = "January February March April May June July August September October November December"
FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FR_WORDS = {1: "un", 2: "deux", 3: "trois", 5: "cinq", 7: "sept", 10: "dix", 14: "quatorze"}
EN_WORDS = {1: "one", 2: "two", 3: "three", 5: "five", 7: "seven", 10: "ten", 14: "fourteen"}


def amount(cents: int, lang: str, cur: str, rng: random.Random) -> str:
    whole, part = divmod(cents, 100)
    sym = {"EUR": "€", "USD": "$", "GBP": "£"}[cur]
    if cents == 0:
        return rng.choice(["0 €", "0,00 €"] if lang == "fr" else [f"{sym}0", f"{sym}0.00"])
    fr_num = f"{whole},{part:02d}" if part else rng.choice([f"{whole}", f"{whole},00"])
    en_num = f"{whole}.{part:02d}" if part else rng.choice([f"{whole}", f"{whole}.00"])
    if cur != "EUR":
        return rng.choice([f"{sym}{en_num}", f"{en_num} {cur}"])
    if lang == "fr":
        forms = [f"{fr_num} €", f"{fr_num}€", f"{fr_num} euros", f"{en_num} EUR"]
        if part:
            forms.append(f"{whole}€{part:02d}")
        return rng.choice(forms)
    return rng.choice([f"€{en_num}", f"{en_num} EUR", f"EUR {en_num}", f"{en_num} euros"])


def delay(family: str, n: int, lang: str, rng: random.Random, hi: int | None = None) -> str:
    if hi is not None:
        unit = {"fr": {"bus": "jours ouvrés", "cal": "jours"}, "en": {"bus": "business days",
                "cal": "days"}}[lang][family]  # fmt: skip
        sep = rng.choice([" à ", "-"] if lang == "fr" else [" to ", "-"])
        return f"{n}{sep}{hi} {unit}"
    words = FR_WORDS if lang == "fr" else EN_WORDS
    num = rng.choice([str(n), words.get(n, str(n))])
    if family == "bus":
        if lang == "fr":
            return f"{num} {rng.choice(['jours ouvrés', 'jours ouvrables'])}"
        return f"{num} {rng.choice(['business days', 'working days'])}"
    forms = [f"{num} {'jours' if lang == 'fr' else 'days'}"]
    if n == 1:
        forms = ["24h", "24 heures"] if lang == "fr" else ["24 hours", "24h"]
    elif n <= 3:
        forms.append(f"{24 * n}h" if lang == "fr" else f"{24 * n} hours")
    if n % 7 == 0:
        k = n // 7
        forms.append(
            f"{words.get(k, k)} semaine{'s' if k > 1 else ''}" if lang == "fr" else
             f"{words.get(k, k)} week{'s' if k > 1 else ''}"
        )  # fmt: skip
    return rng.choice(forms)


def when(offset: int, sent: datetime, lang: str, rng: random.Random) -> str:
    day = (DAY0 + timedelta(days=offset)).date()
    ahead = (day - sent.date()).days
    months, days = (FR_MONTHS, FR_DAYS) if lang == "fr" else (EN_MONTHS, EN_DAYS)
    month = months.split()[day.month - 1]
    weekday = days[day.weekday()]
    if lang == "fr":
        forms = [
            f"le {day.day} {month}",
            f"le {day.day:02d}/{day.month:02d}",
            f"{weekday} {day.day} {month}",
        ]
    else:
        forms = [
            f"on {day.day} {month}",
            f"on {month} {day.day}",
            f"on {weekday} {day.day} {month}",
        ]
    if ahead == 1:
        forms.append("demain" if lang == "fr" else "tomorrow")
    if ahead == 0:
        forms.append("aujourd'hui" if lang == "fr" else "today")
    if 1 < ahead < 7:
        forms.append(days[day.weekday()] if lang == "fr" else f"on {days[day.weekday()]}")
    return rng.choice(forms)


def render(scn: dict[str, Any], answer: dict[str, Any], values: dict[str, Any], order: str,
           rng: random.Random, phrases: dict[str, Any]) -> tuple[str, datetime]:  # fmt: skip
    lang, cur = scn["lang"], scn.get("currency", "EUR")
    sent = DAY0 + timedelta(days=answer.get("day", 0), hours=answer.get("hour", 0))

    def fill(m: re.Match[str]) -> str:
        slot = m.group(1)
        if slot == "order":
            return order
        if slot == "name":
            return str(scn.get("customer", ""))
        value = values[slot]
        if KIND[slot] == "decision":
            return str(rng.choice(phrases[lang][slot][value]))
        if value[0] == "amt":
            return amount(value[1], lang, cur, rng)
        if value[0] == "date":
            return when(value[1], sent, lang, rng)
        return delay(value[0], value[1], lang, rng, value[2] if len(value) > 2 else None)

    text = re.sub(r"\{(\w+)\}", fill, answer["text"])
    return text[0].upper() + text[1:], sent


def slots_of(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text)) - {"order", "name"}


def build(split: str) -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("scn", ROOT / split / "scenarios.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rng = random.Random(f"consistency-{split}")
    pairs: list[dict[str, Any]] = []

    def add(scn: dict[str, Any], a: dict[str, Any], b: dict[str, Any], label: str,
            kind: str | None, note: str) -> None:  # fmt: skip
        pairs.append({"id": f"{split}-{len(pairs) + 1:04d}", "lang": scn["lang"],
                      "scenario": scn["id"], "a": a, "b": b, "label": label,
                      "kind": kind, "note": note})  # fmt: skip

    for scn in mod.SCENARIOS:
        answers = scn["answers"]
        values = dict(scn["values"])

        def one(
            ans: dict[str, Any],
            vals: dict[str, Any],
            order: str | None = None,
            scn: dict[str, Any] = scn,
        ) -> dict[str, Any]:
            text, sent = render(scn, ans, vals, order or scn["order"], rng, mod.PHRASES)
            return {"channel": ans["channel"], "sent_at": sent.isoformat() + "+00:00", "text": text}

        for a, b in itertools.combinations(answers, 2):
            shared = slots_of(a["text"]) & slots_of(b["text"])
            if not shared:
                continue
            for _ in range(2):  # the same facts, other words and number formats
                add(scn, one(a, values), one(b, values), "consistent", None, "same facts")
            for slot in sorted(shared):
                for alt in scn["alts"].get(slot, []):
                    changed = {**values, slot: alt}
                    first, second = (a, b) if rng.random() < 0.5 else (b, a)
                    add(scn, one(first, values), one(second, changed), "contradiction",
                        KIND[slot], f"{slot}: {values[slot]} vs {alt}")  # fmt: skip
            if scn.get("other_order") and "{order}" in a["text"] and "{order}" in b["text"]:
                slot = sorted(shared)[0]
                if scn["alts"].get(slot):
                    changed = {**values, slot: scn["alts"][slot][0]}
                    add(scn, one(a, values), one(b, changed, scn["other_order"]), "consistent",
                        None, "another order: another request")  # fmt: skip
        for macro in scn.get("macros", []):
            mslots = set(macro["facts_slots"])
            for ans in answers:
                shared = slots_of(ans["text"]) & mslots
                if not shared:
                    continue
                m = {"title": macro["title"], "body": macro["body"], "facts": macro["facts"]}
                add(scn, {"macro": m}, one(ans, values), "consistent", None, "answer as macro")
                for slot in sorted(shared):
                    for alt in scn["alts"].get(slot, []):
                        add(scn, {"macro": m}, one(ans, {**values, slot: alt}), "contradiction",
                            KIND[slot], f"macro {slot}: {values[slot]} vs {alt}")  # fmt: skip
    return pairs


def main() -> None:
    split = sys.argv[1]
    pairs = build(split)
    out = ROOT / split / "pairs.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    pos = sum(p["label"] == "contradiction" for p in pairs)
    print(f"{out}: {len(pairs)} pairs, {pos} contradictions")


if __name__ == "__main__":
    main()
