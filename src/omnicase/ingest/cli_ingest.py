"""``omnicase ingest FILE.jsonl``: the CLI's door into the one pipeline."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from omnicase.ingest.pipeline import IngestStatus, ingest_stream
from omnicase.model import QuarantinedInput
from omnicase.model.base import utcnow
from omnicase.store.db import Database


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                yield number, raw.decode("utf-8", "replace").strip() + "\x00invalid-utf8"
                continue
            if line:
                yield number, line


def parse_json(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """The line's JSON object, or the reason it is not one (schema checks come later)."""
    if line.endswith("\x00invalid-utf8"):
        return None, "line is not valid UTF-8"
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return None, "a line must be one JSON object"
    return data, None


def ingest_file(
    db: Database,
    path: Path,
    *,
    batch_size: int = 500,
    workers: int = 0,
    console: Console | None = None,
    default_window_days: int = 7,
) -> dict[str, Any]:
    """Every line through :func:`ingest_stream` (validation and preparation in ``workers``
    processes); invalid lines are reported with their number and quarantined."""
    console = console or Console(stderr=True)
    counts = {"new": 0, "duplicate": 0, "invalid": 0}
    invalid: list[dict[str, Any]] = []
    quarantine: list[tuple[str, str]] = []
    submitted: deque[tuple[int, str]] = deque()

    def refuse(number: int, raw: str, reason: str) -> None:
        invalid.append({"line": number, "reason": reason})
        quarantine.append((raw, f"line {number}: {reason}"))
        counts["invalid"] += 1

    with Progress(
        TextColumn("[bold]ingest[/bold]"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} bytes"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("ingest", total=path.stat().st_size)

        def objects() -> Iterator[dict[str, Any]]:
            for number, line in _lines(path):
                progress.advance(task, len(line) + 1)
                data, error = parse_json(line)
                if data is None:
                    refuse(number, line, error or "invalid")
                    continue
                submitted.append((number, line))
                yield data

        for result in ingest_stream(
            db,
            objects(),
            batch_size=batch_size,
            workers=workers,
            default_window_days=default_window_days,
        ):
            number, raw = submitted.popleft()
            if result.status is IngestStatus.created:
                counts["new"] += 1
            elif result.status is IngestStatus.duplicate:
                counts["duplicate"] += 1
            else:
                refuse(
                    number, raw, "; ".join(f"{e['field']}: {e['reason']}" for e in result.errors)
                )
    _quarantine(db, str(path), quarantine)
    invalid.sort(key=lambda i: int(i["line"]))
    for item in invalid:
        console.print(f"[yellow]line {item['line']}[/yellow]: {item['reason']}")
    console.print(
        f"new {counts['new']}, duplicate {counts['duplicate']}, invalid {counts['invalid']}"
    )
    return {**counts, "invalid_lines": invalid}


def _quarantine(db: Database, source: str, rows: list[tuple[str, str]]) -> None:
    """Keep what could not be ingested, verbatim, with its error."""
    if not rows:
        return
    with db.transaction() as session:
        session.add_all(
            QuarantinedInput(
                source=f"cli:{source}"[:64], payload=raw, error=error, received_at=utcnow()
            )
            for raw, error in rows
        )
