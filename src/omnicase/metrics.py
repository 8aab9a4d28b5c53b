"""Prometheus metrics: request latency, messages ingested, and database gauges computed at
scrape time.

Labels are ids and fixed vocabularies only (route templates, channels, brand slugs, queue
names, statuses), never message text, emails or phone numbers, which also keeps the number of
series bounded.

Counters and histograms live in each process. With several processes (``serve --workers
N``, workers), set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by all of
them before they start: prometheus_client then writes values there and ``/metrics``
sums every process (:class:`prometheus_client.multiprocess.MultiProcessCollector`).
The database gauges are the same whichever process answers, as they are read from the
database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from omnicase.ingest.results import IngestResult, IngestStatus
from omnicase.ingest.schema import Channel
from omnicase.model import Case, Job, Organisation, QuarantinedInput
from omnicase.model.base import utcnow
from omnicase.model.cases import OPEN_STATUSES
from omnicase.model.jobs import JobStatus
from omnicase.store.db import Database

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
CHANNELS = frozenset(c.value for c in Channel)
RESULTS = {
    IngestStatus.created: "new",
    IngestStatus.duplicate: "duplicate",
    IngestStatus.invalid: "invalid",
}

REQUEST_SECONDS = Histogram(
    "omnicase_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
MESSAGES_INGESTED = Counter(
    "omnicase_messages_ingested",
    "Messages that came back from the ingestion pipeline, by channel and result.",
    ["channel", "result"],
)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route, method, str(status)).observe(seconds)


def count_ingested(results: Iterable[IngestResult]) -> None:
    """The pipeline's hook: one increment per result (channel ``unknown`` when the input
    was too broken to say)."""
    for r in results:
        channel = r.channel if r.channel in CHANNELS else "unknown"
        MESSAGES_INGESTED.labels(channel, RESULTS[r.status]).inc()


class DatabaseCollector(Collector):
    """Gauges read from the database when Prometheus scrapes: open cases per brand and
    status, quarantine size, and whether the database answered at all."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("omnicase_database_up", "1 if the database answered the scrape.")
        backlog = GaugeMetricFamily(
            "omnicase_open_cases",
            "Cases not yet resolved (new, open, pending), by brand, queue and status.",
            labels=["brand", "queue", "status"],
        )
        quarantine = GaugeMetricFamily(
            "omnicase_quarantine_size", "Inputs kept in quarantine (could not be ingested)."
        )
        sla = GaugeMetricFamily(
            "omnicase_sla_cases",
            "Open cases by brand and service-level state (ok, at_risk, breached).",
            labels=["brand", "state"],
        )
        waiting = GaugeMetricFamily(
            "omnicase_jobs_waiting", "Jobs due now and not started, by queue.", labels=["queue"]
        )
        lag = GaugeMetricFamily(
            "omnicase_job_lag_seconds",
            "How long the oldest due job of each queue has waited to start.",
            labels=["queue"],
        )
        dead = GaugeMetricFamily(
            "omnicase_jobs_dead",
            "Jobs that failed for good (dead letters), by queue.",
            labels=["queue"],
        )
        try:
            with self.db.reading() as session:
                states = session.execute(
                    select(Organisation.slug, Case.sla_state, func.count())
                    .join(Organisation, Organisation.id == Case.brand_id)
                    .where(Case.status.in_([s.value for s in OPEN_STATUSES]))
                    .where(Case.merged_into_id.is_(None), Case.sla_state.is_not(None))
                    .group_by(Organisation.slug, Case.sla_state)
                ).all()
                queues = job_queue_figures(session, utcnow())
                rows = session.execute(
                    select(Organisation.slug, Case.queue, Case.status, func.count())
                    .join(Organisation, Organisation.id == Case.brand_id)
                    .where(Case.status.in_([s.value for s in OPEN_STATUSES]))
                    .where(Case.merged_into_id.is_(None))
                    .group_by(Organisation.slug, Case.queue, Case.status)
                ).all()
                quarantined = session.scalar(select(func.count()).select_from(QuarantinedInput))
        except SQLAlchemyError as exc:
            log.warning("metrics: database unavailable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for slug, queue, status, count in rows:
            backlog.add_metric([slug, queue or "none", str(status)], count)
        quarantine.add_metric([], quarantined or 0)
        for slug, state, count in states:
            sla.add_metric([slug, str(state)], count)
        for queue, (n_waiting, oldest, n_dead) in sorted(queues.items()):
            waiting.add_metric([queue], n_waiting)
            lag.add_metric([queue], oldest)
            dead.add_metric([queue], n_dead)
        yield from (up, backlog, quarantine, sla, waiting, lag, dead)


def job_queue_figures(session: Session, now: datetime) -> dict[str, tuple[int, float, int]]:
    """Per queue: jobs due and not started, the oldest one's wait in seconds, dead jobs;
    from procrastinate's table on PostgreSQL, from the local runner's on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        # a job deferred without a schedule is due since its "deferred" event
        rows = session.execute(
            text(
                "SELECT queue_name, count(*) FILTER (WHERE due), min(since) FILTER (WHERE due), "
                "count(*) FILTER (WHERE status = 'failed') FROM ("
                "  SELECT j.queue_name, j.status, "
                "  j.status = 'todo' AND coalesce(j.scheduled_at, now()) <= now() AS due, "
                "  coalesce(j.scheduled_at, (SELECT min(e.at) FROM procrastinate_events e "
                "    WHERE e.job_id = j.id AND e.type = 'deferred')) AS since "
                "  FROM procrastinate_jobs j WHERE j.status IN ('todo', 'failed')"
                ") jobs GROUP BY queue_name"
            )
        ).all()
    else:
        due = and_(Job.status == JobStatus.todo, Job.scheduled_at <= now)
        rows = session.execute(
            select(
                Job.queue,
                func.count().filter(due),
                func.min(Job.scheduled_at).filter(due),
                func.count().filter(Job.status == JobStatus.failed),
            ).group_by(Job.queue)
        ).all()
    out: dict[str, tuple[int, float, int]] = {}
    for queue, n_waiting, oldest, n_dead in rows:
        if isinstance(oldest, str):  # SQLite aggregates lose the column type
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        seconds = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        out[str(queue)] = (int(n_waiting or 0), round(seconds, 3), int(n_dead or 0))
    return out


def render(db: Database) -> bytes:
    """The text exposition: this process's (or, in multi-process mode, every process's)
    counters, then the database gauges."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        base = generate_latest(registry)
    else:
        base = generate_latest(REGISTRY)
    gauges = CollectorRegistry()
    gauges.register(DatabaseCollector(db))
    return base + generate_latest(gauges)
