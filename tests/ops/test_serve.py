"""``omnicase serve`` for real: uvicorn on loopback, probes, metrics and JSON log lines."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from omnicase.store.db import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(proc: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, "the server exited"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


@pytest.mark.slow
def test_serve_answers_probes_and_logs_json_lines(tmp_path: Path, db: Database) -> None:
    port = free_port()
    env = {**os.environ, "OMNICASE_LOG_FORMAT": "json", "OMNICASE_LOG_LEVEL": "INFO"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    errors = (tmp_path / "stderr.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "omnicase.cli", "serve", "--port", str(port), "--database", db.url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        ready = httpx.get(f"{base}/readyz", headers={"X-Request-ID": "probe-1"})
        assert ready.status_code == 200 and ready.headers["x-request-id"] == "probe-1"
        denied = httpx.get(
            f"{base}/api/v1/customers?email=julie.martin%40example.fr",
            headers={"X-Request-ID": "call-2"},
        )
        assert denied.status_code == 401
        scraped = httpx.get(f"{base}/metrics")
        assert 'route="/api/v1/customers"' in scraped.text
    finally:
        stop(proc)
    errors.seek(0)
    lines = [json.loads(line) for line in errors.read().splitlines() if line.strip()]
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    access = [line for line in lines if line["request_id"] == "call-2"]
    assert access and access[-1]["route"] == "/api/v1/customers" and access[-1]["status"] == 401
    assert "julie" not in json.dumps(lines)
    # probes are DEBUG: an INFO log is not flooded by load balancers and scrapers
    assert not [line for line in lines if line["request_id"] == "probe-1"]


def request_count(text: str, route: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "omnicase_http_request_duration_seconds_count"
                and sample.labels.get("route") == route
            ):
                total += sample.value
    return total


@pytest.mark.slow
def test_two_web_processes_share_metrics_through_the_multiprocess_dir(
    tmp_path: Path, db: Database
) -> None:
    """uvicorn --workers 2 with the app factory: whichever process answers the scrape,
    it counts the requests both processes served."""
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "OMNICASE_DATABASE_URL": db.url,
        "OMNICASE_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "omnicase.api.app:app_from_settings",
            "--factory",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, base)
        sent = 0
        deadline = time.monotonic() + 30
        while len(list(metrics_dir.glob("histogram_*.db"))) < 2:  # both processes served
            assert time.monotonic() < deadline, "the second process never answered"
            for _ in range(20):
                with httpx.Client() as fresh:  # new connections spread over both processes
                    assert fresh.get(f"{base}/readyz").status_code == 200
                sent += 1
        scrapes = [httpx.get(f"{base}/metrics").text for _ in range(6)]
    finally:
        stop(proc)
    # every scrape, whichever process answered it, counts every request of both
    assert [request_count(text, "/readyz") for text in scrapes] == [sent] * 6


# Real processes on two cores: `make test` runs these after the parallel part, alone,
# so nothing else starves their deadlines.
pytestmark = pytest.mark.processes
