"""``omnicase bench understand``: reason + language + entities on generated messages.

Three figures: ``batch_per_s`` (``analyse_many``: the reason model vectorised over the
batch), ``single_p50_ms``/``single_p99_ms`` (``analyse`` one message at a time, as the
pipeline calls it), and ``model_load_ms`` (reading and checking the packaged ``.npz``,
cold: a fresh ``ReasonModel`` from bytes). Texts come from the demo traffic generator
(subject + body, as the pipeline analyses them), so lengths and languages are realistic.
"""

from __future__ import annotations

import time
from itertools import islice
from typing import Any

from omnicase.demo.generator import DEMO_BRANDS, demo_scale, generate
from omnicase.understand import analyse, compile_order_patterns
from omnicase.understand.analysis import analyse_many
from omnicase.understand.reason_model import ReasonModel, default_model, default_model_bytes


def _texts(n: int) -> list[str]:
    out = []
    for gen in islice(generate(messages=n, customers=demo_scale(n)), n):
        msg = gen.message
        parts = [msg.get("subject"), msg.get("text")]
        out.append("\n".join(p for p in parts if p) or "?")
    return out


def run_understand_bench(messages: int, batch_size: int = 500) -> dict[str, Any]:
    texts = _texts(messages)
    orders = compile_order_patterns(
        [rf"{b.order_prefix}\d{{{b.order_digits}}}" for b in DEMO_BRANDS]
    )
    start = time.perf_counter()
    data = default_model_bytes()
    model = ReasonModel.from_bytes(data)
    load_ms = (time.perf_counter() - start) * 1000
    default_model()  # the shared instance the pipeline uses, loaded outside the timings
    analyse_many(texts[:200], orders)  # warm the token caches as a running process has
    start = time.perf_counter()
    for i in range(0, len(texts), batch_size):
        analyse_many(texts[i : i + batch_size], orders)
    batch_s = time.perf_counter() - start
    latencies = []
    for text in texts:
        t0 = time.perf_counter()
        analyse(text, orders)
        latencies.append(time.perf_counter() - t0)
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3)

    return {
        "benchmark": "understand",
        "messages": len(texts),
        "batch_size": batch_size,
        "batch_per_s": round(len(texts) / batch_s, 1),
        "single_per_s": round(len(texts) / sum(latencies), 1),
        "single_p50_ms": pct(0.50),
        "single_p99_ms": pct(0.99),
        "model_load_ms": round(load_ms, 1),
        "model_bytes": len(data),
        "vocabulary": len(model.vocabulary),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
    }
