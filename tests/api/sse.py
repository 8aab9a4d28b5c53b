"""A real server for stream tests (uvicorn in a thread, on loopback) and an SSE reader."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from tests.ops.test_serve import free_port


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` on a loopback port for the block; its lifespan (the event listener) runs."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@dataclass
class Stream:
    """What one SSE connection received: events (id, kind, data), comment lines, raw text."""

    status: int = 0
    events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    comments: int = 0
    raw: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [i for i, _, _ in self.events]


def read_stream(
    url: str,
    token: str,
    *,
    last_event_id: int | None = None,
    seconds: float = 3.0,
    until: Callable[[Stream], bool] | None = None,
    started: threading.Event | None = None,
) -> Stream:
    """Read ``url`` for at most ``seconds`` (or until ``until`` holds), then hang up."""
    out = Stream()
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    deadline = time.monotonic() + seconds
    # The short read timeout ends a quiet stream; the headers may take longer on a loaded
    # machine (a ReadTimeout before them used to end the read silently, before "started").
    while out.status == 0 and time.monotonic() < deadline:
        _read_once(url, headers, out, seconds, deadline, until, started)
    return out


def _read_once(
    url: str,
    headers: dict[str, str],
    out: Stream,
    seconds: float,
    deadline: float,
    until: Callable[[Stream], bool] | None,
    started: threading.Event | None,
) -> None:
    with httpx.Client(timeout=httpx.Timeout(seconds, read=1.0)) as client:
        try:
            with client.stream("GET", url, headers=headers) as response:
                out.status = response.status_code
                out.headers = dict(response.headers)
                if started is not None:
                    started.set()
                if response.status_code != 200:
                    out.raw = response.read().decode()
                    return
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    out.raw += line + "\n"
                    if line.startswith(":"):
                        out.comments += 1
                    elif line == "":
                        if "data" in fields:
                            data = json.loads(fields["data"])
                            out.events.append((int(fields["id"]), fields["event"], data))
                        fields = {}
                    else:
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
                    if (until is not None and until(out)) or time.monotonic() > deadline:
                        break
        except httpx.ReadTimeout:
            pass


class Background:
    """``read_stream`` in a thread: start it, act, then ``result()``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._started = threading.Event()
        self._out: Stream | None = None
        kwargs["started"] = self._started

        def run() -> None:
            self._out = read_stream(*args, **kwargs)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert self._started.wait(20), "the stream did not open"

    def result(self) -> Stream:
        self._thread.join(timeout=60)
        assert self._out is not None
        return self._out


class Settle:
    """An ``until`` for streams whose due events are known only after they are written:
    stop once all are in and ``grace`` seconds have passed since they were named (room for
    an event that must not come), so a slow machine makes the test slower, not red."""

    def __init__(self, grace: float = 0.8) -> None:
        self.grace = grace
        self.due: set[int] | None = None
        self.since = 0.0

    def expect(self, ids: list[int]) -> None:
        self.since = time.monotonic()
        self.due = set(ids)

    def __call__(self, stream: Stream) -> bool:
        if self.due is None or time.monotonic() - self.since < self.grace:
            return False
        return self.due <= set(stream.ids)
