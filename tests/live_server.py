"""The app on a real loopback socket, served by uvicorn in a thread (its own event loop),
for the tests that drive it with a real browser or WebSocket client."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from tests.ops.test_serve import free_port


@contextmanager
def served(app: Any, **options: Any) -> Iterator[str]:
    """Yields the base URL once uvicorn listens; stops it afterwards."""
    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options)
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)
