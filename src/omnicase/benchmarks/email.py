"""``omnicase bench email-parse`` and ``bench email``: the email channel's own cost.

The corpus is the labelled fixtures (``tests/channels/email/fixtures``: plain, HTML-only,
multipart with attachments, replies in four languages, auto-replies and bounces, hostile
HTML, a zip attachment), each copy made distinct before the clock starts: its own
Message-ID and MIME boundaries (so no cache sees a repeat a real mailbox would not show)
and, every round through the fixtures, new senders (new customers, as real traffic has).

Both give wall-clock and CPU-time rates (``messages_per_cpu_s``, this process only: the
pipeline on SQLite runs in-process), the latter steadier on a shared machine.

``email-parse`` times :func:`parse_email` + :func:`to_inbound` (reply and signature
splitting, auto-reply/bounce classification, the canonical message). ``email`` times
that and :func:`omnicase.ingest.pipeline.ingest` into a fresh SQLite database (brands
created as ``bench ingest`` does).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from omnicase.benchmarks.ingest import _fresh, _percentile
from omnicase.channels.email.parse import EmailError, parse_email, to_inbound
from omnicase.ingest.pipeline import IngestStatus, ingest
from omnicase.ingest.schema import InboundMessage

DEFAULT_FIXTURES = Path("tests/channels/email/fixtures")
_HOSTILE_KEPT = ("html_script.eml", "traversal_names.eml", "zip_bomb.eml")
_MESSAGE_ID = re.compile(rb"^(Message-ID:\s*<)", re.IGNORECASE | re.MULTILINE)
_BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)
_FROM = re.compile(rb"^(From:[^\r\n]*?)([\w.+-]+)@", re.IGNORECASE | re.MULTILINE)


def load_corpus(fixtures: Path) -> list[tuple[str, bytes]]:
    """(kind, raw) of every fixture the benchmark mixes."""
    corpus = [("reply", p.read_bytes()) for p in sorted((fixtures / "replies").rglob("*.eml"))]
    corpus += [("auto", p.read_bytes()) for p in sorted((fixtures / "auto").glob("*.eml"))]
    corpus += [("hostile", (fixtures / "hostile" / n).read_bytes()) for n in _HOSTILE_KEPT]
    if len(corpus) < 10:
        raise ValueError(f"no email fixtures under {fixtures}")
    return corpus


def _variant(raw: bytes, i: int, round_: int) -> bytes:
    out = _MESSAGE_ID.sub(rb"\g<1>b%d." % i, raw, count=1)
    for boundary in set(_BOUNDARY.findall(raw)):
        out = out.replace(boundary, boundary + b"_%d" % i)
    return _FROM.sub(rb"\g<1>\g<2>.r%d@" % round_, out, count=1)


def build(corpus: list[tuple[str, bytes]], messages: int) -> list[tuple[str, str, bytes]]:
    """``messages`` distinct (kind, brand, raw) copies, round-robin over the corpus."""
    out = []
    for i in range(messages):
        kind, raw = corpus[i % len(corpus)]
        brand = "globex" if b"globex.example" in raw[:2000] else "acme"
        out.append((kind, brand, _variant(raw, i, i // len(corpus))))
    return out


def _parse_all(
    items: list[tuple[str, str, bytes]],
) -> tuple[list[InboundMessage], list[float], Counter[str]]:
    parsed: list[InboundMessage] = []
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    for _, brand, raw in items:
        t = time.perf_counter()
        try:
            msg = to_inbound(parse_email(raw, brand=brand))
        except EmailError:
            kinds["refused"] += 1
            continue
        latencies.append((time.perf_counter() - t) * 1000)
        kinds[msg.meta["email"]["classification"]["kind"]] += 1
        parsed.append(msg)
    return parsed, latencies, kinds


def run_email_parse_bench(*, messages: int, fixtures: Path = DEFAULT_FIXTURES) -> dict[str, Any]:
    items = build(load_corpus(fixtures), messages)
    started, cpu = time.perf_counter(), time.process_time()
    parsed, latencies, kinds = _parse_all(items)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    size = sum(len(raw) for _, _, raw in items)
    return {
        "benchmark": "email-parse",
        "messages": messages,
        "messages_per_s": round(messages / elapsed, 1),
        "messages_per_cpu_s": round(messages / cpu, 1),
        "mb_per_s": round(size / elapsed / 2**20, 2),
        "elapsed_s": round(elapsed, 2),
        "p50_ms": round(_percentile(latencies, 0.5), 3),
        "p99_ms": round(_percentile(latencies, 0.99), 3),
        "kinds": dict(sorted(kinds.items())),
        "mean_bytes": round(size / messages),
        "canonical": len(parsed),
    }


def run_email_bench(
    *,
    messages: int,
    batch_size: int = 500,
    fixtures: Path = DEFAULT_FIXTURES,
    url: str | None = None,
) -> dict[str, Any]:
    items = build(load_corpus(fixtures), messages)
    with tempfile.TemporaryDirectory() as tmp:
        db = _fresh(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            statuses: Counter[str] = Counter()
            parse_s = ingest_s = 0.0
            cpu = time.process_time()
            for start in range(0, len(items), batch_size):
                t = time.perf_counter()
                batch, _, _ = _parse_all(items[start : start + batch_size])
                t2 = time.perf_counter()
                results = ingest(db, batch, batch_size=batch_size)
                t3 = time.perf_counter()
                parse_s, ingest_s = parse_s + (t2 - t), ingest_s + (t3 - t2)
                statuses.update(r.status.value for r in results)
            elapsed, cpu = parse_s + ingest_s, time.process_time() - cpu
            return {
                "benchmark": "email",
                "messages": messages,
                "messages_per_s": round(messages / elapsed, 1),
                "messages_per_cpu_s": round(messages / cpu, 1),
                "elapsed_s": round(elapsed, 2),
                "parse_s": round(parse_s, 2),
                "ingest_s": round(ingest_s, 2),
                "created": statuses[IngestStatus.created.value],
                "duplicates": statuses[IngestStatus.duplicate.value],
                "invalid": statuses[IngestStatus.invalid.value],
                "batch_size": batch_size,
                "database": db.dialect,
            }
        finally:
            db.dispose()
