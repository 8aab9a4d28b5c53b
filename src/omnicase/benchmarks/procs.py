"""Real omnicase processes on loopback for the cluster benchmark and the fault test:
uvicorn web processes and ``omnicase worker`` processes, started and always stopped."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from typing import IO

import httpx

Proc = subprocess.Popen[bytes]

# One INFO line per readiness poll and per load request would drown the results.
logging.getLogger("httpx").setLevel(logging.WARNING)

#: Each child's stderr goes to a file (a pipe nobody reads would block it once full).
_LOGS: dict[int, IO[bytes]] = {}


def _spawn(command: list[str], env: dict[str, str]) -> Proc:
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in stop_all, with the child)
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    _LOGS[proc.pid] = log
    return proc


def stderr_of(proc: Proc) -> str:
    """The end of what the child wrote on stderr (for error messages)."""
    log = _LOGS.get(proc.pid)
    if log is None or log.closed:
        return ""
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_env(url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: its database, and WARNING logs (an INFO line per
    request would cost more than the request on this machine)."""
    return {
        **os.environ,
        "OMNICASE_DATABASE_URL": url,
        "OMNICASE_LOG_LEVEL": "WARNING",
        **(extra or {}),
    }


def start_web(
    url: str, port: int, *, processes: int = 1, env: Mapping[str, str] | None = None
) -> Proc:
    """``uvicorn … --factory`` on 127.0.0.1:port, ``processes`` web processes behind it."""
    command = [
        sys.executable, "-m", "uvicorn", "omnicase.api.app:app_from_settings", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    if processes > 1:
        command += ["--workers", str(processes)]
    return _spawn(command, process_env(url, env))


def start_worker(url: str, *args: str, env: Mapping[str, str] | None = None) -> Proc:
    """One ``omnicase worker`` process (procrastinate on PostgreSQL)."""
    command = [sys.executable, "-m", "omnicase.cli", "worker", *args]
    return _spawn(command, process_env(url, env))


def wait_ready(base: str, proc: Proc, timeout: float = 30.0) -> None:
    """Until ``/healthz`` answers; fails early with the child's stderr if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"web process exited with {proc.returncode}: {stderr_of(proc)}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{base} not up after {timeout} s")


def kill_hard(proc: Proc) -> None:
    """``kill -9``: no shutdown, no cleanup, as a crash or the OOM killer would."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def stop_all(procs: Sequence[Proc], timeout: float = 20.0) -> None:
    """SIGTERM every child, then SIGKILL whatever is still there after ``timeout``."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log = _LOGS.pop(proc.pid, None)
        if log is not None:
            log.close()
