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
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from omnicase.ingest.results import IngestResult, IngestStatus
from omnicase.ingest.schema import Channel
from omnicase.model import Case, Organisation, QuarantinedInput
from omnicase.model.cases import OPEN_STATUSES
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
        try:
            with self.db.reading() as session:
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
        yield from (up, backlog, quarantine)


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
