"""``omnicase report daily --brand B --date D --out DIR``: the report's files on demand."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

report_app = typer.Typer(no_args_is_help=True, help="Daily reports (HTML, PDF, CSV, XLSX).")


@report_app.command("daily")
def daily(
    brand: Annotated[str, typer.Option("--brand", help="brand slug")],
    day: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD (default: yesterday)")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="directory for the files")] = Path("."),
    engagement: Annotated[
        int | None, typer.Option("--engagement", help="a provider engagement's report")
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", envvar="OMNICASE_DATABASE_URL")
    ] = None,
) -> None:
    """Write daily-BRAND-DATE.{html,pdf,csv,xlsx} into OUT (not archived, not emailed)."""
    from omnicase.cli import _db, _fail
    from omnicase.reports.archive import write_files
    from omnicase.reports.collect import collect
    from omnicase.reports.render.pdf import PdfError

    try:
        when = date.fromisoformat(day) if day else date.today() - timedelta(days=1)
    except ValueError:
        _fail("--date: not a date (YYYY-MM-DD)")
    db = _db(database)
    try:
        with db.reading() as session:
            data = collect(session, brand, when, engagement_id=engagement)
        files = write_files(data, out)
    except LookupError as exc:
        _fail(f"--brand: {exc.args[0]}")
    except PdfError as exc:
        _fail(f"pdf: {exc}")
    finally:
        db.dispose()
    typer.echo(
        json.dumps({fmt: str(out / f["name"]) for fmt, f in files.items()} | {"empty": data.empty})
    )
