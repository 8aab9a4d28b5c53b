"""``omnicase ingest FILE.jsonl``: the CLI's door into the one pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from omnicase.ingest.pipeline import IngestStatus, ingest
from omnicase.ingest.schema import InboundMessage, format_validation_error
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


def parse_line(line: str) -> tuple[InboundMessage | None, str | None]:
    """A message, or the reason it is not one (field: reason; …)."""
    if line.endswith("\x00invalid-utf8"):
        return None, "line is not valid UTF-8"
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return None, "a line must be one JSON object"
    try:
        return InboundMessage.model_validate(data), None
    except ValidationError as exc:
        return None, "; ".join(f"{e['field']}: {e['reason']}" for e in format_validation_error(exc))


def ingest_file(
    db: Database, path: Path, *, batch_size: int = 500, console: Console | None = None
) -> dict[str, Any]:
    console = console or Console(stderr=True)
    counts = {"new": 0, "duplicate": 0, "invalid": 0}
    invalid: list[dict[str, Any]] = []
    total_bytes = path.stat().st_size
    pending: list[tuple[int, str, InboundMessage]] = []

    def flush() -> None:
        results = ingest(db, [m for _, _, m in pending], batch_size=batch_size)
        quarantine = []
        for (number, raw, _), result in zip(pending, results, strict=True):
            if result.status is IngestStatus.created:
                counts["new"] += 1
            elif result.status is IngestStatus.duplicate:
                counts["duplicate"] += 1
            else:
                reason = "; ".join(f"{e['field']}: {e['reason']}" for e in result.errors)
                invalid.append({"line": number, "reason": reason})
                quarantine.append((raw, f"line {number}: {reason}"))
                counts["invalid"] += 1
        _quarantine(db, str(path), quarantine)
        pending.clear()

    with Progress(
        TextColumn("[bold]ingest[/bold]"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} bytes"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("ingest", total=total_bytes)
        bad: list[tuple[str, str]] = []
        for number, line in _lines(path):
            progress.advance(task, len(line) + 1)
            message, error = parse_line(line)
            if message is None:
                assert error is not None
                invalid.append({"line": number, "reason": error})
                bad.append((line, f"line {number}: {error}"))
                counts["invalid"] += 1
                continue
            pending.append((number, line, message))
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()
        _quarantine(db, str(path), bad)
    for item in invalid:
        console.print(f"[yellow]line {item['line']}[/yellow]: {item['reason']}")
    console.print(
        f"new {counts['new']}, duplicate {counts['duplicate']}, invalid {counts['invalid']}"
    )
    return {**counts, "invalid_lines": sorted(invalid, key=lambda i: int(i["line"]))}


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
