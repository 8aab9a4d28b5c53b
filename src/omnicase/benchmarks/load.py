"""The load side of the cluster benchmark and of the fault test: concurrent HTTP clients
posting canonical messages to POST /api/v1/messages, as channel providers would.

Clients take the messages from one shared cursor, in message order, so the only
reordering is the one concurrency makes. A sender retries on connection errors with the
same message (same external_id), as a provider does when it got no answer; a message
picked for a deliberate retry is sent again once its first answer came back, and must
then be answered 200 (already stored).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

#: Every n-th message (by index) is sent a second time, as a provider retry would.
RESEND_EVERY = 20


@dataclass
class LoadResult:
    """What the senders saw; ``status[i]`` is message i's final answer (0: none)."""

    status: list[int]
    latencies_ms: list[float] = field(default_factory=list)
    duplicates_sent: int = 0
    duplicates_ok: int = 0
    #: Attempts that failed with a connection error and were sent again.
    retries: int = 0
    #: Messages whose final answer was not 200/201 (0: never answered in time).
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "sent": len(self.status),
            "accepted": sum(s in (200, 201) for s in self.status),
            "duplicates_sent": self.duplicates_sent,
            "duplicates_ok": self.duplicates_ok,
            "retries": self.retries,
            "errors": self.errors,
            "error_samples": self.error_samples[:5],
            "elapsed_s": round(self.elapsed_s, 2),
        }


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def send_all(
    bases: Sequence[str],
    tokens: Mapping[str, str],
    messages: Sequence[Mapping[str, Any]],
    *,
    clients: int = 8,
    resend_every: int = RESEND_EVERY,
    retry_for: float = 0.0,
    deadline_s: float = 3600.0,
) -> LoadResult:
    """Post every message once (and every ``resend_every``-th twice) from ``clients``
    threads, client k starting on ``bases[k % len(bases)]``.

    ``retry_for`` > 0: a connection error (refused, reset, no answer) is retried with the
    same message for up to that many seconds, moving to the next base; 0: it counts as an
    error. Bounded by ``deadline_s`` whatever happens.
    """
    result = LoadResult(status=[0] * len(messages))
    lock = threading.Lock()
    cursor = iter(range(len(messages)))
    started = time.perf_counter()
    stop_at = time.monotonic() + deadline_s

    def post(client: httpx.Client, k: int, msg: Mapping[str, Any]) -> tuple[int, str, int]:
        """(status, body excerpt, base index used); status 0 if never answered."""
        headers = {"Authorization": f"Bearer {tokens[str(msg['brand'])]}"}
        give_up = time.monotonic() + retry_for
        while True:
            try:
                t = time.perf_counter()
                response = client.post(f"{bases[k]}/api/v1/messages", json=msg, headers=headers)
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    result.latencies_ms.append(elapsed)
                return response.status_code, response.text[:300], k
            except httpx.TransportError as exc:
                if time.monotonic() >= min(give_up, stop_at):
                    return 0, f"{type(exc).__name__}: {exc}", k
                with lock:
                    result.retries += 1
                k = (k + 1) % len(bases)
                time.sleep(0.05)

    def run(n: int) -> None:
        k = n % len(bases)
        with httpx.Client(timeout=30.0) as client:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    return
                msg = messages[i]
                status, body, k = post(client, k, msg)
                with lock:
                    result.status[i] = status
                    if status not in (200, 201):
                        result.error_samples.append(f"{i}: {status} {body}")
                if resend_every and i % resend_every == resend_every - 1 and status in (200, 201):
                    again, body, k = post(client, k, msg)
                    with lock:
                        result.duplicates_sent += 1
                        if again == 200:
                            result.duplicates_ok += 1
                        else:
                            result.error_samples.append(f"{i} again: {again} {body}")

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, stop_at - time.monotonic() + 60))
    result.errors = sum(s not in (200, 201) for s in result.status)
    unsent = sum(s == 0 for s in result.status)
    if unsent:
        result.error_samples.append(f"{unsent} messages not answered before the deadline")
    result.elapsed_s = time.perf_counter() - started
    return result
