"""``omnicase wfm forecast|schedule``: CSV/JSON in, CSV/JSON out, the same shapes as
``/api/v1/wfm`` (plan_io.py). Bad input exits 2 with each field and reason."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from omnicase.wfm.cli import wfm_app

console = Console(stderr=True)


def _fail(errors: list[str]) -> NoReturn:
    for error in errors:
        console.print(f"[red]error:[/red] {error}", soft_wrap=True, highlight=False)
    raise typer.Exit(2)


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _validation_errors(exc: Any) -> list[str]:
    from omnicase.ingest.schema import format_validation_error

    return [f"{e['field']}: {e['reason']}" for e in format_validation_error(exc)]


Day = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])]


@wfm_app.command("forecast")
def forecast_cmd(
    history: Annotated[
        Path | None, typer.Option(help="CSV: interval_start,channel,contacts[,aht_seconds]")
    ] = None,
    brand: Annotated[str | None, typer.Option(help="or count this brand's store history")] = None,
    since: Day = None,
    until: Day = None,
    horizon_days: Annotated[int, typer.Option(min=1, max=92)] = 7,
    interval: Annotated[int, typer.Option(help="15 or 30 minutes")] = 30,
    events: Annotated[Path | None, typer.Option(help="JSON list of events")] = None,
    holidays: Annotated[str, typer.Option(help="country, or 'none'")] = "FR",
    subdiv: Annotated[str | None, typer.Option(help="e.g. 57 (Alsace-Moselle)")] = None,
    timezone: str = "Europe/Paris",
    format: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="default: standard output")] = None,
    database: Annotated[str | None, typer.Option(envvar="OMNICASE_DATABASE_URL")] = None,
) -> None:
    """Forecast contacts and AHT per channel × interval, after backtesting the model
    against seasonal naive (the decision per channel is printed on standard error)."""
    from pydantic import TypeAdapter, ValidationError

    from omnicase.wfm.forecast import forecast_channels
    from omnicase.wfm.grid import HolidayCalendar
    from omnicase.wfm.history import HistoryError, read_history_csv, write_forecast_csv
    from omnicase.wfm.plan_io import EventIn, forecast_json

    if format not in ("csv", "json"):
        _fail(["--format: csv or json"])
    if interval not in (15, 30):
        _fail(["--interval: 15 or 30"])
    if (history is None) == (brand is None):
        _fail(["give exactly one of --history FILE.csv, --brand SLUG"])
    declared: list[EventIn] = []
    if events is not None:
        try:
            declared = TypeAdapter(list[EventIn]).validate_json(events.read_bytes())
        except ValidationError as exc:
            _fail([f"{events}: {e}" for e in _validation_errors(exc)])
    try:
        if history is not None:
            series = read_history_csv(
                history.read_text(encoding="utf-8"), interval_minutes=interval, timezone=timezone
            )
        else:
            series = _store_history(database, brand or "", since, until, interval)
    except HistoryError as exc:
        _fail([f"{history}: {e}" for e in exc.errors])
    calendar = HolidayCalendar(None if holidays.lower() == "none" else holidays, subdiv)
    try:
        results = forecast_channels(
            series, horizon_days, events=tuple(e.to_event() for e in declared), calendar=calendar
        )
    except ValueError as exc:
        _fail([str(exc)])
    for f in results:
        console.print(f"{f.channel}: {f.method}: {f.reason}", soft_wrap=True, highlight=False)
    if format == "csv":
        _write(write_forecast_csv([f.as_series() for f in results]), out)
    else:
        _write(json.dumps(forecast_json(results)) + "\n", out)


def _store_history(
    database: str | None,
    brand: str,
    since: datetime | None,
    until: datetime | None,
    interval: int,
) -> Any:
    from sqlalchemy import select

    from omnicase.config import check_database_url, load_settings
    from omnicase.model import Organisation
    from omnicase.services.cases import ActionError
    from omnicase.services.wfm_history import contact_history
    from omnicase.store.db import Database

    if since is None or until is None:
        _fail(["--brand needs --since and --until (YYYY-MM-DD, until excluded)"])
    url = check_database_url(database) if database else load_settings().database_url
    db = Database(url)
    try:
        with db.sessions() as session:
            org = session.scalar(select(Organisation).where(Organisation.slug == brand))
            if org is None:
                _fail([f"--brand: no brand {brand!r}"])
            try:
                return contact_history(
                    session,
                    None,
                    org.id,
                    start=since.date(),
                    end=until.date(),
                    interval_minutes=interval,
                )
            except ActionError as exc:
                _fail([f"--{exc.field}: {exc}"])
    finally:
        db.dispose()


@wfm_app.command("schedule")
def schedule_cmd(
    problem: Annotated[Path, typer.Argument(help="JSON: the body of POST /api/v1/wfm/schedule")],
    out: Annotated[Path | None, typer.Option(help="JSON result; default: standard output")] = None,
    coverage_csv: Annotated[
        Path | None, typer.Option(help="also write per-interval coverage as CSV")
    ] = None,
) -> None:
    """Cost-optimal shifts and provider agents covering the agents required per interval;
    reports under-/over-coverage and what internal staff alone cannot cover."""
    from pydantic import ValidationError

    from omnicase.wfm.plan_io import ScheduleRequest, schedule_json
    from omnicase.wfm.schedule import solve
    from omnicase.wfm.shifts import PlanInputError

    try:
        request = ScheduleRequest.model_validate_json(problem.read_bytes())
        spec = request.to_problem()
        result = solve(spec)
    except ValidationError as exc:
        _fail(_validation_errors(exc))
    except PlanInputError as exc:
        _fail([f"{f}: {r}" for f, r in exc.errors])
    body = schedule_json(spec, result)
    console.print(
        f"{result.status}: cost {result.cost:,.2f} in {result.solve_seconds:.2f} s; "
        f"under-coverage {result.under.sum() * spec.interval_minutes / 60:.1f} agent-hours; "
        f"{len(result.uncovered_internal_intervals)} intervals not coverable internally",
        highlight=False,
    )
    _write(json.dumps(body) + "\n", out)
    if coverage_csv is not None:
        coverage_csv.write_text(_coverage_csv(body), encoding="utf-8")


def _coverage_csv(body: dict[str, Any]) -> str:
    providers = sorted({name for row in body["intervals"] for name in row["provider"]})
    head = ["interval_start", "required", "internal", *providers, "under", "over"]
    lines = [",".join([*head, "internal_only_shortfall"])]
    for row in body["intervals"]:
        values = [row["interval_start"], row["required"], row["internal"]]
        values += [row["provider"][p] for p in providers]
        values += [row["under"], row["over"], row["internal_only_shortfall"]]
        lines.append(",".join(str(v) for v in values))
    return "\n".join(lines) + "\n"


def bench_forecast(
    json_out: Annotated[bool, typer.Option("--json", help="one JSON line")] = True,
    tuning: Annotated[bool, typer.Option(help="the tuning seeds instead")] = False,
    interval: int = 30,
) -> None:
    """Backtest WAPE/MASE of the profile model vs seasonal naive on the evaluation seeds."""
    from omnicase.benchmarks.forecast import EVALUATION_SEEDS, TUNING_SEEDS, run_forecast_bench

    seeds = TUNING_SEEDS if tuning else EVALUATION_SEEDS
    print(json.dumps(run_forecast_bench(seeds, interval_minutes=interval)))


def bench_schedule(
    json_out: Annotated[bool, typer.Option("--json", help="one JSON line")] = True,
    seed: int = 7,
) -> None:
    """Solve time and cost of a generated week of 30-minute intervals."""
    from omnicase.benchmarks.schedule import run_schedule_bench

    print(json.dumps(run_schedule_bench(seed)))
