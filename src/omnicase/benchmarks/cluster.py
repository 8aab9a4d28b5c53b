"""``omnicase bench cluster``: N web processes and M ``omnicase worker`` processes on one
PostgreSQL database, loaded over HTTP from a separate process, then checked.

The load process posts the seeded generator's messages one per request (POST
/api/v1/messages; no /batch) from ``clients`` concurrent clients, every 20th twice.
Afterwards the database is checked: every message stored once, the retries answered 200,
each periodic job run once per period, and the case grouping compared with the same
messages ingested by the in-process pipeline in message order (SQLite reference).
Concurrency may legitimately reorder near-simultaneous messages of one customer, so the
differences are counted and each is classified: reordered (the cluster stored the
messages involved in another order than the generator's) or not.
"""

from __future__ import annotations

import multiprocessing
import queue
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import text

from omnicase.benchmarks.ingest import reset_schema
from omnicase.benchmarks.load import percentile, send_all
from omnicase.benchmarks.procs import (
    Proc,
    free_port,
    start_web,
    start_worker,
    stop_all,
    wait_ready,
)
from omnicase.demo.generator import DEMO_BRANDS, demo_scale, generate
from omnicase.demo.seed import create_brand
from omnicase.ingest.pipeline import ingest, ingest_stream
from omnicase.ingest.schema import InboundMessage
from omnicase.model import Organisation
from omnicase.services.orgs import do_create_token, do_create_user
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade

#: A message's identity: (brand slug, channel, external_id).
Key = tuple[str, str, str]
PERIODIC = (
    "jobs.maintenance",
    "cases.autoclose",
    "sla.check",
    "routing.reevaluate",
    "routing.requeue_offline",
)


def bench_start() -> datetime:
    """The generated traffic's first day (30 days ago, midnight UTC): computed once and
    given to the load process, so both generate the very same messages."""
    today = datetime.now(UTC).date()
    return datetime.combine(today - timedelta(days=30), datetime.min.time(), UTC)


def bench_messages(n: int, seed: int, start: datetime) -> list[dict[str, Any]]:
    return [
        g.message for g in generate(customers=demo_scale(n), messages=n, seed=seed, start=start)
    ]


def fresh_postgres(url: str) -> dict[str, str]:
    """Drop and recreate the current schema (ours and procrastinate's), migrate, create the
    demo brands with one admin and one API token each; {brand slug: token}."""
    db = Database(url)
    try:
        reset_schema(db)
        upgrade(db)
        return seed_brands(db)
    finally:
        db.dispose()


def seed_brands(db: Database) -> dict[str, str]:
    """The demo brands, an admin of each and their tokens (a sender posts as the brand)."""
    tokens: dict[str, str] = {}
    with db.transaction() as session:
        for spec in DEMO_BRANDS:
            brand: Organisation = create_brand(session, spec)
            user = do_create_user(
                session, brand, email=f"sender@{spec.domain}", name="Sender", role="admin"
            )
            _, tokens[spec.slug] = do_create_token(session, user, "bench")
    return tokens


def message_cases(db: Database) -> tuple[dict[Key, int], dict[Key, int]]:
    """({message key: case id}, {message key: message id}) as stored."""
    cases: dict[Key, int] = {}
    order: dict[Key, int] = {}
    query = text(
        "SELECT o.slug, m.channel, m.external_id, m.case_id, m.id FROM messages m "
        "JOIN organisations o ON o.id = m.brand_id"
    )
    with db.engine.connect() as conn:
        for slug, channel, external_id, case_id, message_id in conn.execute(query):
            cases[(slug, channel, external_id)] = case_id
            order[(slug, channel, external_id)] = message_id
    return cases, order


def reference_grouping(messages: list[dict[str, Any]], *, batch: bool = False) -> dict[Key, int]:
    """The single-process answer: the same messages through the pipeline, in order, one
    per call as the API ingests them (``batch``: ``ingest_stream``'s 500 per transaction,
    which does not decide exactly the same, see docs/benchmarks.md)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'reference.db'}")
        try:
            upgrade(db)
            with db.transaction() as session:
                for spec in DEMO_BRANDS:
                    create_brand(session, spec)
            if batch:
                for _ in ingest_stream(db, messages, workers=1):
                    pass
            else:
                for message in messages:
                    ingest(db, [InboundMessage.model_validate(message)])
            return message_cases(db)[0]
        finally:
            db.dispose()


def compare_grouping(
    got: dict[Key, int], want: dict[Key, int], stored_order: dict[Key, int], sent: list[Key]
) -> dict[str, int]:
    """Cases whose messages differ from the reference's, and why.

    Messages are grouped into components (linked when they share a case on either side);
    a component differs when the two sides split it differently. It is ``reordered`` when
    the cluster stored its messages in another order than the generator's (two clients
    raced), which can change a decision; ``unexplained`` otherwise.
    """
    by_got: dict[int, set[Key]] = defaultdict(set)
    by_want: dict[int, set[Key]] = defaultdict(set)
    for key in want:
        if key in got:
            by_got[got[key]].add(key)
            by_want[want[key]].add(key)
    want_sets = {frozenset(keys) for keys in by_want.values()}
    differing = [keys for keys in by_got.values() if frozenset(keys) not in want_sets]
    position = {key: i for i, key in enumerate(sent)}
    seen: set[Key] = set()
    reordered = unexplained = 0
    for start in differing:
        if next(iter(start)) in seen:
            continue
        component: set[Key] = set()
        todo = list(start)
        while todo:  # close over "shares a case on either side"
            key = todo.pop()
            if key in component:
                continue
            component.add(key)
            todo.extend(by_got[got[key]] - component)
            todo.extend(by_want[want[key]] - component)
        seen |= component
        ordered = sorted(component, key=position.__getitem__)
        stored = [stored_order.get(k, position[k]) for k in ordered]
        if stored != sorted(stored):
            reordered += 1
        else:
            unexplained += 1
    return {
        "grouping_differences": len(differing),
        "grouping_components_reordered": reordered,
        "grouping_components_unexplained": unexplained,
        "cases": len(by_got),
        "reference_cases": len(by_want),
    }


def stored_twice(db: Database) -> int:
    """Rows beyond the first for one (brand, channel, external_id): must be 0."""
    query = "SELECT count(*) - count(DISTINCT (brand_id, channel, external_id)) FROM messages"
    with db.engine.connect() as conn:
        return int(conn.execute(text(query)).scalar_one())


def periodic_runs(db: Database) -> dict[str, int]:
    """Periodic jobs deferred and started per period: each period must have one job, and
    each job one start (a second start is a second run)."""
    with db.engine.connect() as conn:
        names = {"names": list(PERIODIC)}
        jobs = conn.execute(
            text(
                "SELECT task_name, args->>'timestamp' AS period, count(*) AS n "
                "FROM procrastinate_jobs WHERE task_name = ANY(:names) GROUP BY 1, 2"
            ),
            names,
        ).all()
        starts = conn.execute(
            text(
                "SELECT e.job_id, count(*) FROM procrastinate_events e "
                "JOIN procrastinate_jobs j ON j.id = e.job_id "
                "WHERE e.type = 'started' AND j.task_name = ANY(:names) GROUP BY 1"
            ),
            names,
        ).all()
    return {
        "periodic_periods": len(jobs),
        "periodic_runs": len(starts),
        "periodic_twice": sum(row.n > 1 for row in jobs) + sum(n > 1 for _, n in starts),
    }


def sla_fired_twice(db: Database) -> int:
    """SLA stages reached more than once for one target: must be 0. A target is (case,
    clock, start): each customer follow-up after an answer starts a new next-response
    target, and two of them may share a due time (both started before the same opening
    hour), so the due time alone would count those as one."""
    query = (
        "SELECT count(*) FROM (SELECT case_id, kind, data->>'clock', "
        "coalesce(data->>'start', data->>'due') FROM events "
        "WHERE kind IN ('sla.at_risk', 'sla.breached') GROUP BY 1, 2, 3, 4 "
        "HAVING count(*) > 1) twice"
    )
    with db.engine.connect() as conn:
        return int(conn.execute(text(query)).scalar_one())


def cpu_seconds(procs: list[Proc]) -> float:
    """User + system CPU of the processes and their children (uvicorn's workers)."""
    total = 0.0
    for proc in procs:
        try:
            parent = psutil.Process(proc.pid)
            for p in [parent, *parent.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return round(total, 1)


def _load_process(
    base: str,
    tokens: dict[str, str],
    n: int,
    seed: int,
    start: datetime,
    clients: int,
    out: multiprocessing.Queue[dict[str, Any]],
) -> None:
    """The separate load process: generates the messages itself and sends them."""
    messages = bench_messages(n, seed, start)
    cpu = time.process_time()
    result = send_all([base], tokens, messages, clients=clients)
    out.put(
        {
            **result.summary(),
            "load_cpu_s": round(time.process_time() - cpu, 1),
            "p50_ms": round(percentile(result.latencies_ms, 0.5), 2),
            "p99_ms": round(percentile(result.latencies_ms, 0.99), 2),
        }
    )


def _wait_for_load(
    loader: BaseProcess, out: multiprocessing.Queue[dict[str, Any]], timeout_s: float
) -> dict[str, Any]:
    """The load process's summary; fails at once if it died without one."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            summary: dict[str, Any] = out.get(timeout=1.0)
            return summary
        except queue.Empty:
            if not loader.is_alive():
                raise RuntimeError(f"the load process exited with {loader.exitcode}") from None
    raise RuntimeError(f"the load did not finish in {timeout_s} s")


#: The rate limiter stays on (its shared counter costs a round trip per request, as in
#: production) but with limits no loopback load reaches: one bench token posts ~100
#: requests/s, above the default 1,200 a minute, and a 429 would measure the limiter.
BENCH_LIMITS = {
    "OMNICASE_RATE_LIMIT_PER_TOKEN": "1000000",
    "OMNICASE_RATE_LIMIT_PER_IP": "1000000",
}


def run_cluster_bench(
    *,
    url: str,
    web: int = 2,
    workers: int = 2,
    messages: int = 50_000,
    clients: int = 8,
    seed: int = 7,
    timeout_s: float = 1800.0,
) -> dict[str, Any]:
    """Start the processes, load them from a separate process, check, always stop them."""
    if not url.startswith("postgresql"):
        raise ValueError("bench cluster needs a PostgreSQL database (--database)")
    tokens = fresh_postgres(url)
    start = bench_start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs: list[Proc] = []
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue[dict[str, Any]] = ctx.Queue()
    loader = ctx.Process(
        target=_load_process, args=(base, tokens, messages, seed, start, clients, out)
    )
    try:
        procs.append(start_web(url, port, processes=web, env=BENCH_LIMITS))
        procs += [start_worker(url, "--concurrency", "1") for _ in range(workers)]
        wait_ready(base, procs[0])
        time.sleep(1.0 if web > 1 else 0.0)  # the other web processes come up too
        loader.start()
        load = _wait_for_load(loader, out, timeout_s)
        loader.join(30)
        time.sleep(2.0)  # let a periodic run that was due finish before stopping
        died = sum(proc.poll() is not None for proc in procs)
        cpu = {
            "web_cpu_s": cpu_seconds(procs[:1]),
            "worker_cpu_s": cpu_seconds(procs[1:]),
            "load_cpu_s": load["load_cpu_s"],
        }
    finally:
        if loader.is_alive():
            loader.kill()
        stop_all(procs)
    db = Database(url)
    try:
        got, stored_order = message_cases(db)
        twice = stored_twice(db)
        jobs = periodic_runs(db)
        sla_twice = sla_fired_twice(db)
    finally:
        db.dispose()
    sent = bench_messages(messages, seed, start)
    keys: list[Key] = [(m["brand"], m["channel"], m["external_id"]) for m in sent]
    want = reference_grouping(sent)
    grouping = compare_grouping(got, want, stored_order, keys)
    batch = compare_grouping(reference_grouping(sent, batch=True), want, {}, keys)
    return {
        "benchmark": "cluster",
        "messages": messages,
        "messages_per_s": round(messages / load["elapsed_s"], 1),
        "elapsed_s": load["elapsed_s"],
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
        "errors": load["errors"],
        "error_samples": load["error_samples"],
        "duplicates_sent": load["duplicates_sent"],
        "duplicates_ok": load["duplicates_ok"] == load["duplicates_sent"] > 0,
        "duplicates_answered_200": load["duplicates_ok"],
        "stored": len(got),
        "stored_once": twice == 0 and set(got) == set(keys),
        **grouping,
        "reference_batch_differences": batch["grouping_differences"],
        **jobs,
        "periodic_once": jobs["periodic_twice"] == 0,
        "sla_stages_fired_twice": sla_twice,
        **cpu,
        "processes_died": died,
        "clients": clients,
        "web": web,
        "workers": workers,
        "database": "postgresql",
    }
