"""``omnicase kpis rebuild|show`` (the operator's commands: the database's credentials)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from omnicase.config import check_database_url, load_settings
from omnicase.store.db import Database

kpis_app = typer.Typer(no_args_is_help=True, help="KPIs: daily roll-ups and figures.")
DbUrl = Annotated[str | None, typer.Option("--database", envvar="OMNICASE_DATABASE_URL")]
Day = Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])]


def _db(url: str | None) -> Database:
    return Database(check_database_url(url) if url else load_settings().database_url)


def _brand_id(db: Database, slug: str) -> int:
    from sqlalchemy import select

    from omnicase.model import Organisation

    with db.reading() as s:
        bid = s.scalar(
            select(Organisation.id).where(Organisation.slug == slug, Organisation.kind == "brand")
        )
    if bid is None:
        typer.echo(f"error: no brand {slug!r}", err=True)
        raise typer.Exit(2)
    return int(bid)


@kpis_app.command("rebuild")
def rebuild_command(
    brand: Annotated[str, typer.Option(help="brand slug")],
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    database: DbUrl = None,
) -> None:
    """Recompute the brand's roll-ups of --from..--to (brand-local days) from base tables."""
    from omnicase.quality.kpis.rollup import rebuild

    db = _db(database)
    bid = _brand_id(db, brand)
    with db.transaction() as s:
        rows = rebuild(s.connection(), bid, start.date(), end.date())
    print(
        json.dumps(
            {
                "brand": brand,
                "from": start.date().isoformat(),
                "to": end.date().isoformat(),
                "rows": rows,
            }
        )
    )


@kpis_app.command("show")
def show_command(
    brand: Annotated[str, typer.Option(help="brand slug")],
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"])],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"])],
    by: Annotated[str, typer.Option(help="channel,team,agent,reason,queue,day")] = "",
    database: DbUrl = None,
) -> None:
    """The KPIs as the brand's admin sees them (JSON)."""
    from sqlalchemy import select

    from omnicase.model import User
    from omnicase.quality.kpis.query import KpiQueryError, query
    from omnicase.store.scope import Principal

    db = _db(database)
    bid = _brand_id(db, brand)
    with db.reading() as s:
        admin = s.scalar(select(User.id).where(User.organisation_id == bid).order_by(User.id))
        who = Principal(int(admin or 0), bid, "brand", "admin", None)
        try:
            out = query(
                s,
                who,
                bid,
                start.date(),
                end.date(),
                [d for d in by.split(",") if d],
                now=datetime.now(UTC),
            )
        except KpiQueryError as exc:
            typer.echo(f"error: {exc.field}: {exc}", err=True)
            raise typer.Exit(2) from exc
    print(json.dumps(out, default=lambda v: v.isoformat() if isinstance(v, date) else str(v)))


def bench_kpis(
    cases: Annotated[int, typer.Option(min=100)] = 1_000_000,
    days: Annotated[int, typer.Option(min=31, max=400)] = 365,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    database: Annotated[
        str | None, typer.Option("--database", help="an empty database of its own")
    ] = None,
    seed: int = 7,
) -> None:
    """Generate N cases over DAYS days, rebuild the roll-ups, time a day and a 30-day trend."""
    from omnicase.benchmarks.kpis import run_kpis_bench

    result = run_kpis_bench(cases=cases, days=days, url=database, seed=seed)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))
