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

from omnicase.store.db import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


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
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
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
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    errors.seek(0)
    lines = [json.loads(line) for line in errors.read().splitlines() if line.strip()]
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    access = [line for line in lines if line["request_id"] == "call-2"]
    assert access and access[-1]["route"] == "/api/v1/customers" and access[-1]["status"] == 401
    assert "julie" not in json.dumps(lines)
    # probes are DEBUG: an INFO log is not flooded by load balancers and scrapers
    assert not [line for line in lines if line["request_id"] == "probe-1"]
