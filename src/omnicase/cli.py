"""The ``omnicase`` command: serve, worker, jobs, demo, ingest, export, db, config, org,
users, tokens, eval, bench, secrets, inbox."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from omnicase.channels.cli import inbox_app, secrets_app
from omnicase.channels.email.cli import imap_app
from omnicase.channels.email.cli import smtp as smtp_command
from omnicase.cli_gdpr import gdpr_app
from omnicase.cli_tokens import tokens_app
from omnicase.config import ConfigError, Settings, check_database_url, load_settings
from omnicase.quality.kpis.cli import bench_kpis, kpis_app
from omnicase.reports.cli import report_app
from omnicase.store.db import Database
from omnicase.wfm.cli import wfm_app
from omnicase.wfm.cli_plan import bench_forecast, bench_schedule
from omnicase.wfm.cli_scenario import bench_scenario

if TYPE_CHECKING:
    from fastapi import FastAPI

    from omnicase.jobs.local import LocalRunner

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="omnicase: one case per customer request, whatever the channel.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema, backup and restore.")
config_app = typer.Typer(no_args_is_help=True, help="Settings (environment and TOML file).")
org_app = typer.Typer(no_args_is_help=True, help="Brands and providers.")
users_app = typer.Typer(no_args_is_help=True, help="Users of an organisation.")
export_app = typer.Typer(no_args_is_help=True, help="Exports.")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluations on labelled data.")
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks (print one JSON line).")
cases_app = typer.Typer(no_args_is_help=True, help="Cases.")
jobs_app = typer.Typer(no_args_is_help=True, help="Background jobs (the dead-letter queue).")
routing_app = typer.Typer(no_args_is_help=True, help="Routing: queues, overflow, assignment.")
sla_app = typer.Typer(no_args_is_help=True, help="Service levels: clocks, checks, explanations.")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(org_app, name="org")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(export_app, name="export")
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")
app.add_typer(cases_app, name="cases")
app.add_typer(jobs_app, name="jobs")
app.add_typer(wfm_app, name="wfm")
app.add_typer(routing_app, name="routing")
app.add_typer(secrets_app, name="secrets")
app.add_typer(inbox_app, name="inbox")
app.add_typer(sla_app, name="sla")
app.add_typer(imap_app, name="imap")
app.add_typer(report_app, name="report")
app.add_typer(kpis_app, name="kpis")
app.add_typer(gdpr_app, name="gdpr")
app.command("smtp")(smtp_command)

console = Console(stderr=True)
log = logging.getLogger("omnicase.jobs")
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="OMNICASE_DATABASE_URL",
        help="database URL (default: sqlite:///./omnicase.db)",
    ),
]


def _settings() -> Settings:
    """The validated settings, or every error printed and exit 2."""
    try:
        return load_settings()
    except ConfigError as exc:
        _config_errors(exc)


def _config_errors(exc: ConfigError) -> NoReturn:
    """Each bad setting on its own line (never wrapped: paths stay whole), then exit 2."""
    for error in exc.errors:
        console.print(f"[red]error:[/red] {error}", soft_wrap=True, highlight=False)
    raise typer.Exit(2) from exc


def _db(url: str | None) -> Database:
    """``--database`` (or its variable) when given, checked like the settings are."""
    if url is None:
        return Database(_settings().database_url)
    try:
        return Database(check_database_url(url))
    except ValueError as exc:
        _fail(f"database_url: {exc}")


def _fail(message: str) -> NoReturn:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(2)


@app.callback()
def _setup() -> None:
    """Every command logs through the one setup (omnicase.logs); bad settings are reported
    by the command that needs them (or by ``config check``)."""
    from omnicase.logs import configure_logging

    try:
        settings = load_settings()
    except ConfigError:
        settings = Settings()
    configure_logging(settings.log_level, settings.log_format)


@config_app.command("check")
def config_check(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML file (default: $OMNICASE_CONFIG if set)"),
    ] = None,
) -> None:
    """Print the effective settings as commented TOML (secrets masked) with where each came
    from; exit 2 with every error if any value is invalid."""
    import os

    from omnicase.config import BY_NAME, describe, load

    try:
        loaded = load(os.environ, config)
    except ConfigError as exc:
        _config_errors(exc)
    for name, value in describe(loaded.settings).items():
        print(f"# {BY_NAME[name].help}\n{name} = {value}  # {loaded.sources[name]}")


def _refused(exc: Exception) -> None:
    """An ActionError as ``field: reason``."""
    field = getattr(exc, "field", None)
    _fail(f"{field}: {exc}" if field else str(exc))


@db_app.command("upgrade")
def db_upgrade(database: DbUrl = None) -> None:
    """Create or migrate the schema to the newest version."""
    from omnicase.store.migrate import upgrade

    db = _db(database)
    upgrade(db)
    console.print(f"schema up to date ({db.dialect})")


Force = Annotated[bool, typer.Option("--force", help="replace an existing file/database")]


def _sqlite_copy(restoring: bool, path: Path, force: bool, database: str | None) -> None:
    from omnicase.store.backup import BackupError, backup, restore

    url = _db(database).url
    try:
        info = restore(url, path, force=force) if restoring else backup(url, path, force=force)
    except BackupError as exc:
        _fail(str(exc))
    done = f"restored {info.path} from {path}" if restoring else f"backup written to {path}"
    console.print(f"{done}: {info.summary}")
    if restoring and not info.current:
        console.print("the backup predates this version: run omnicase db upgrade")


@db_app.command("backup")
def db_backup(path: Path, force: Force = False, database: DbUrl = None) -> None:
    """Copy the SQLite database to PATH with the online backup API (safe while the
    server runs). On PostgreSQL: use pg_dump -Fc."""
    _sqlite_copy(False, path, force, database)


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="a file made by omnicase db backup")],
    force: Force = False,
    database: DbUrl = None,
) -> None:
    """Replace the SQLite database with a backup (server and workers stopped). On
    PostgreSQL: use pg_restore."""
    _sqlite_copy(True, path, force, database)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    jobs: Annotated[
        int, typer.Option(min=0, help="SQLite: threads running background jobs (0: none)")
    ] = 2,
    database: DbUrl = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="web processes (PostgreSQL only above 1)")
    ] = 1,
) -> None:
    """Serve the REST API (OpenAPI at /docs), /healthz, /readyz and /metrics. On SQLite it
    also runs the background jobs; on PostgreSQL they run in `omnicase worker` processes."""
    import uvicorn

    from omnicase.api.app import create_app
    from omnicase.jobs.local import LocalRunner

    settings = _settings()
    db = _db(database)
    if workers > 1:
        _serve_processes(db, settings.log_level, host, port, workers)
        return
    api = create_app(db, settings)
    if db.dialect == "sqlite" and jobs:
        with_job_runner(api, LocalRunner(db, concurrency=jobs))
    # Logging is already set up (see _setup); uvicorn's own loggers propagate to it, and
    # the access line comes from omnicase's middleware (route template, no client IP).
    uvicorn.run(
        api,
        host=host,
        port=port,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


def _serve_processes(db: Database, log_level: str, host: str, port: int, workers: int) -> None:
    """N web processes, each building its app from the settings (``app_from_settings``).
    SQLite is refused: the embedded mode is one process that also runs the jobs."""
    import uvicorn

    if db.dialect == "sqlite":
        _fail(
            "--workers: several web processes need PostgreSQL; SQLite is the embedded "
            "mode, one process that also runs the background jobs (use --workers 1)"
        )
    db.dispose()
    os.environ["OMNICASE_DATABASE_URL"] = db.url
    uvicorn.run(
        "omnicase.api.app:app_from_settings",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        log_level=log_level.lower(),
        access_log=False,
    )


def with_job_runner(api: FastAPI, runner: LocalRunner) -> None:
    """Run ``runner`` for the app's lifetime: started before the first request, stopped
    (running jobs finished) at shutdown, before uvicorn lets the process exit."""
    import asyncio
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    inner = api.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        runner.start()
        log.info("background jobs started: %d threads", runner.concurrency)
        try:
            async with inner(app) as state:
                yield state
        finally:
            await asyncio.to_thread(runner.stop)
            log.info("background jobs stopped")

    api.router.lifespan_context = lifespan


@app.command()
def worker(
    queues: Annotated[
        list[str] | None, typer.Option("--queues", "-q", help="queues to take (default: all)")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64)] = 2,
    poll_interval: Annotated[float, typer.Option(min=0.05, help="seconds")] = 1.0,
    import_module: Annotated[
        list[str] | None,
        typer.Option("--import", help="extra module declaring jobs (repeatable)"),
    ] = None,
    database: DbUrl = None,
) -> None:
    """Run background jobs until SIGINT/SIGTERM: procrastinate's worker on PostgreSQL, the
    local runner in the foreground on SQLite."""
    import importlib

    for module in import_module or ():
        importlib.import_module(module)
    db = _db(database)
    names = [q for value in queues or () for q in value.split(",") if q]
    console.print(f"worker on {db.dialect}, queues {', '.join(names) or 'all'}")
    if db.dialect == "postgresql":
        from omnicase.jobs.pg import run_worker

        run_worker(db, queues=names, concurrency=concurrency, poll_interval=poll_interval)
        return
    import signal

    from omnicase.jobs.local import LocalRunner

    runner = LocalRunner(db, queues=names, concurrency=concurrency, poll_interval=poll_interval)
    signal.signal(signal.SIGTERM, lambda *_: runner.request_stop())
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        runner.stop()


@jobs_app.command("list")
def jobs_list(
    status: Annotated[str | None, typer.Option(help="todo, doing, succeeded, failed…")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    database: DbUrl = None,
) -> None:
    """Jobs of every brand, newest first (the operator's view)."""
    from dataclasses import asdict

    from rich.table import Table

    from omnicase.jobs.service import list_jobs
    from omnicase.services.cases import ActionError

    try:
        with _db(database).reading() as session:
            rows = list_jobs(session, None, status=status, limit=limit)
    except ActionError as exc:
        _refused(exc)
        return
    if as_json:
        for row in rows:
            print(json.dumps(asdict(row), default=str))
        return
    table = Table("id", "name", "queue", "status", "attempts", "brand", "last error")
    for r in rows:
        error = (r.last_error or "").splitlines()[0] if r.last_error else ""
        table.add_row(
            str(r.id), r.name, r.queue, r.status, str(r.attempts), str(r.brand_id or ""), error
        )
    Console(width=160).print(table)


@jobs_app.command("defer")
def jobs_defer(
    name: str,
    kwargs: Annotated[str, typer.Argument(help="the job's kwargs as a JSON object")] = "{}",
    database: DbUrl = None,
) -> None:
    """Enqueue a job now (e.g. `omnicase jobs defer cases.autoclose`); prints its id."""
    from omnicase.jobs import defer

    try:
        arguments = json.loads(kwargs)
        if not isinstance(arguments, dict):
            raise ValueError("kwargs must be a JSON object")
        job_id = defer(_db(database), name, **arguments)
    except (KeyError, ValueError) as exc:
        _fail(str(exc).strip("'\""))
        return
    print(job_id)


@jobs_app.command("retry")
def jobs_retry(job_id: int, database: DbUrl = None) -> None:
    """Put a failed job back in its queue for one more run now."""
    from omnicase.jobs.service import do_retry_job
    from omnicase.services.cases import ActionError

    try:
        with _db(database).transaction() as session:
            info = do_retry_job(session, None, job_id)
    except ActionError as exc:
        _refused(exc)
        return
    console.print(f"job {info.id} ({info.name}) is {info.status} again")


@org_app.command("create")
def org_create(
    slug: str,
    name: Annotated[str, typer.Option(help="display name")],
    kind: Annotated[str, typer.Option(help="brand or provider")] = "brand",
    region: Annotated[str, typer.Option(help="default phone region (ISO 3166)")] = "FR",
    timezone: str = "Europe/Paris",
    language: str = "fr",
    case_prefix: Annotated[str | None, typer.Option(help="AC → AC-000123")] = None,
    order_pattern: Annotated[
        list[str] | None,
        typer.Option(help="regex of the brand's order numbers, e.g. 'A-\\d{5}' (repeatable)"),
    ] = None,
    database: DbUrl = None,
) -> None:
    """Create a brand (phone region, timezone, language) or a provider."""
    from omnicase.services.cases import ActionError
    from omnicase.services.orgs import do_create_org

    settings: dict[str, Any] = {"order_patterns": order_pattern or []}
    try:
        with _db(database).transaction() as session:
            org = do_create_org(
                session,
                slug=slug,
                name=name,
                kind=kind,
                region=region,
                timezone=timezone,
                language=language,
                case_prefix=case_prefix,
                settings=settings,
            )
            console.print(
                f"created {org.kind} {org.slug} (id {org.id}"
                + (f", cases {org.case_prefix}-000001…)" if org.case_prefix else ")")
            )
    except ActionError as exc:
        _refused(exc)


@users_app.command("create")
def users_create(
    org: str,
    email: str,
    name: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="admin, supervisor, agent, planner, viewer")] = "agent",
    team: Annotated[str | None, typer.Option(help="team name (created if missing)")] = None,
    database: DbUrl = None,
) -> None:
    """Create a user in an organisation."""
    from omnicase.services.cases import ActionError
    from omnicase.services.orgs import do_create_team, do_create_user, get_org

    try:
        with _db(database).transaction() as session:
            organisation = get_org(session, org)
            team_row = do_create_team(session, organisation, team) if team else None
            user = do_create_user(
                session, organisation, email=email, name=name, role=role, team=team_row
            )
            console.print(f"created user {user.email} (id {user.id}, {user.role})")
    except ActionError as exc:
        _refused(exc)


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines")],
    batch_size: Annotated[int, typer.Option(min=1, max=5000)] = 500,
    workers: Annotated[
        int, typer.Option(min=0, max=16, help="processes validating and preparing lines")
    ] = 0,
    database: DbUrl = None,
) -> None:
    """Ingest canonical messages, one JSON object per line.

    Invalid lines are listed with their line number and reason (and kept in the
    quarantine table); they never stop the rest.
    """
    from omnicase.ingest.cli_ingest import ingest_file

    summary = ingest_file(
        _db(database),
        file,
        batch_size=batch_size,
        workers=workers,
        console=console,
        default_window_days=load_settings().thread_window_days,
    )
    print(json.dumps(summary))
    if summary["invalid"]:
        raise typer.Exit(1)


@export_app.command("cases")
def export_cases(
    format: Annotated[str, typer.Option("--format", help="jsonl")] = "jsonl",
    brand: str | None = None,
    database: DbUrl = None,
) -> None:
    """One JSON line per case: reference, brand, customer, status, reason, channels and the
    external ids of its messages in order."""
    from omnicase.ingest.export import export_cases_jsonl

    if format != "jsonl":
        _fail("only --format jsonl is supported")
    db = _db(database)
    count = export_cases_jsonl(db, sys.stdout, brand=brand)
    _audit_export(db, brand, count)
    console.print(f"{count} cases exported")


def _audit_export(db: Database, brand: str | None, count: int) -> None:
    """Every export is in the brand's audit log: by whom (the OS user), when, how many."""
    import getpass
    import socket

    from sqlalchemy import select

    from omnicase.model import Organisation
    from omnicase.services.cases import record_event

    with db.transaction() as session:
        query = select(Organisation.id).where(Organisation.kind == "brand")
        if brand:
            query = query.where(Organisation.slug == brand)
        for brand_id in session.scalars(query):
            record_event(
                session,
                "access.cases_exported",
                brand_id=brand_id,
                actor="cli",
                data={"os_user": getpass.getuser(), "host": socket.gethostname(), "count": count},
            )


@app.command()
def demo(
    messages: Annotated[int, typer.Option(min=100)] = 10_000,
    days: Annotated[int, typer.Option(min=1)] = 30,
    seed: int = 42,
    database: DbUrl = None,
) -> None:
    """Seed 2 brands, 1 provider engaged on one brand's email and chat overflow, users,
    tokens and ~10,000 messages over 30 days. Running it twice changes nothing."""
    from omnicase.demo.seed import seed_demo

    out = seed_demo(_db(database), messages=messages, days=days, seed=seed, console=console)
    print(json.dumps(out, indent=2))


@cases_app.command("show")
def cases_show(
    reference: str,
    svg: Annotated[Path | None, typer.Option(help="also save the output as an SVG")] = None,
    database: DbUrl = None,
) -> None:
    """A case's cross-channel timeline with why each message joined it (admin view: all
    brands)."""
    from rich.console import Console as RichConsole

    from omnicase.ingest.case_view import render_case

    out = RichConsole(record=svg is not None, width=140)
    if not render_case(_db(database), reference, out):
        _fail(f"no case {reference!r}")
    if svg is not None:
        out.save_svg(str(svg), title=f"omnicase cases show {reference}")


@routing_app.command("explain")
def routing_explain(reference: str, database: DbUrl = None) -> None:
    """Why a case went to its queue, team and agent: every rule tried, as decided."""
    from omnicase.routing.explain import explain_lines, find_any_case

    with _db(database).reading() as session:
        case = find_any_case(session, reference)
        if case is None:
            _fail(f"no case {reference!r}")
        for line in explain_lines(session, case):
            print(line)


@sla_app.command("check")
def sla_check(database: DbUrl = None) -> None:
    """Run the periodic SLA check once now: cases reaching at-risk or breached move, and
    their escalations fire (once: a stage already reached is never reached again)."""
    from omnicase.sla.check import do_check

    print(json.dumps(do_check(_db(database)).as_dict()))


@sla_app.command("explain")
def sla_explain(
    reference: str, as_json: Annotated[bool, typer.Option("--json")] = False, database: DbUrl = None
) -> None:
    """The policy a case is held to, its due times, pauses and SLA events."""
    from omnicase.sla.explain import case_by_reference, explain, render

    with _db(database).reading() as session:
        case = case_by_reference(session, reference)
        if case is None:
            _fail(f"no case {reference!r}")
        info = explain(session, case)
    print(json.dumps(info) if as_json else render(info))


@routing_app.command("recount")
def routing_recount(
    repair: Annotated[bool, typer.Option(help="set differing counters to the count")] = False,
    database: DbUrl = None,
) -> None:
    """Check agents' load counters against a count of their open cases (exit 1 on drift
    unless --repair)."""
    from omnicase.routing.loads import do_recount_loads

    with _db(database).write_engine.begin() as conn:
        drifts = do_recount_loads(conn, repair=repair)
    for d in drifts:
        print(f"agent {d.user_id} {d.kind}: counter {d.stored}, cases {d.counted}")
    if not drifts:
        print("load counters agree with the cases")
    elif repair:
        print(f"repaired {len(drifts)} counters")
    else:
        raise typer.Exit(1)


@eval_app.command("threading")
def eval_threading(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False)] = Path(
        "tests/data/journeys"
    ),
    verbose: Annotated[bool, typer.Option(help="list the dev split's mistakes")] = False,
    trace: Annotated[
        list[str] | None,
        typer.Option(help="print every decision of these dev journeys (e.g. --trace 07)"),
    ] = None,
    split: Annotated[
        list[str] | None,
        typer.Option(help="replay only this split (e.g. --split dev while tuning)"),
    ] = None,
) -> None:
    """Pairwise precision/recall of case grouping on labelled journeys."""
    from omnicase.ingest.evaluate import evaluate_threading

    report = evaluate_threading(
        directory, trace=frozenset(trace or ()), splits=frozenset(split) if split else None
    )
    if split and not report.splits:
        _fail(f"no journeys in split(s) {', '.join(split)} under {directory}")
    for line in report.trace:
        print(line)
    for name, figures in report.splits.items():
        print(
            f"{name:8s} journeys={figures.journeys:3d} messages={figures.messages:4d} "
            f"precision={figures.precision:.4f} recall={figures.recall:.4f} "
            f"(pairs: predicted={figures.predicted_pairs} true={figures.true_pairs})"
        )
    if verbose:
        for line in report.mistakes:
            print(line)


@eval_app.command("replies")
def eval_replies(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False)] = Path(
        "tests/channels/email/fixtures/replies"
    ),
    verbose: Annotated[bool, typer.Option(help="list the dev split's mistakes")] = False,
) -> None:
    """Accuracy of the new text found in labelled email replies (exact and token F1)."""
    from omnicase.channels.email.evaluate import evaluate_replies

    splits = evaluate_replies(directory)
    if not splits:
        _fail(f"no .eml fixtures in {directory}")
    for split, fig in splits.items():
        print(
            f"{split:8s} messages={fig.messages:3d} exact={fig.accuracy:.4f} "
            f"({fig.exact}/{fig.messages}) token_f1={fig.f1:.4f}"
        )
    if verbose and "dev" in splits:
        for line in splits["dev"].mistakes:
            print(line)


@eval_app.command("threading-synthetic")
def eval_threading_synthetic(
    messages: Annotated[int, typer.Option(min=100)] = 10_000,
    seed: int = 3,
    show: Annotated[int, typer.Option(help="print this many wrongly joined cases")] = 0,
) -> None:
    """Pairwise precision/recall on generated traffic (a larger, noisier check)."""
    from omnicase.ingest.evaluate import evaluate_synthetic

    fig, lines = evaluate_synthetic(messages, seed, show)
    for line in lines:
        print(line)
    print(
        f"synthetic requests={fig.journeys} messages={fig.messages} "
        f"precision={fig.precision:.4f} recall={fig.recall:.4f}"
    )


AsJson = Annotated[bool, typer.Option("--json", help="one JSON line")]
#: A benchmark drops and recreates what it finds there.
BenchDb = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="an empty database of its own (its schema is recreated); bench ingest: default "
        "a new SQLite file, bench cluster: OMNICASE_DATABASE_URL, PostgreSQL only",
    ),
]


@bench_app.command("ingest")
def bench_ingest(
    messages: Annotated[int, typer.Option(min=100)] = 100_000,
    batch_size: Annotated[int, typer.Option(min=1)] = 500,
    as_json: AsJson = False,
    database: BenchDb = None,
    seed: int = 7,
    workers: Annotated[int, typer.Option(min=0, help="processes preparing messages")] = 1,
) -> None:
    """Generate N seeded cross-channel messages and ingest them (batch path)."""
    from omnicase.benchmarks.ingest import run_ingest_bench

    result = run_ingest_bench(
        messages=messages,
        batch_size=batch_size,
        url=database,
        seed=seed,
        progress=not as_json,
        workers=workers,
    )
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("email-parse")
def bench_email_parse(
    messages: Annotated[int, typer.Option(min=10)] = 20_000,
    fixtures: Annotated[Path, typer.Option(exists=True, file_okay=False)] = Path(
        "tests/channels/email/fixtures"
    ),
    as_json: AsJson = False,
) -> None:
    """Parse, split and classify N emails made from the fixtures (no database)."""
    from omnicase.benchmarks.email import run_email_parse_bench

    result = run_email_parse_bench(messages=messages, fixtures=fixtures)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("email")
def bench_email(
    messages: Annotated[int, typer.Option(min=10)] = 20_000,
    batch_size: Annotated[int, typer.Option(min=1)] = 500,
    fixtures: Annotated[Path, typer.Option(exists=True, file_okay=False)] = Path(
        "tests/channels/email/fixtures"
    ),
    as_json: AsJson = False,
    database: BenchDb = None,
) -> None:
    """Parse N emails and ingest them through the pipeline into a fresh database."""
    from omnicase.benchmarks.email import run_email_bench

    result = run_email_bench(
        messages=messages, batch_size=batch_size, fixtures=fixtures, url=database
    )
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("email-inbox")
def bench_email_inbox(
    messages: Annotated[int, typer.Option(min=10)] = 5_000,
    batch_size: Annotated[int, typer.Option(min=1)] = 100,
    fixtures: Annotated[Path, typer.Option(exists=True, file_okay=False)] = Path(
        "tests/channels/email/fixtures"
    ),
    as_json: AsJson = False,
    database: BenchDb = None,
) -> None:
    """N emails through the inbox: accept_inbound, then the adapter's parse + pipeline."""
    from omnicase.benchmarks.email_inbox import run_email_inbox_bench

    result = run_email_inbox_bench(
        messages=messages, batch_size=batch_size, fixtures=fixtures, url=database
    )
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


bench_app.command("forecast")(bench_forecast)
bench_app.command("schedule")(bench_schedule)
bench_app.command("scenario")(bench_scenario)
bench_app.command("kpis")(bench_kpis)


@bench_app.command("sla")
def bench_sla(
    cases: Annotated[int, typer.Option(min=100)] = 50_000,
    as_json: AsJson = False,
    database: BenchDb = None,
    seed: int = 7,
) -> None:
    """N open cases: clock update cost per case (start, reply) and the periodic check's time
    (everything due moved, then nothing due)."""
    from omnicase.benchmarks.sla import run_sla_bench

    result = run_sla_bench(cases=cases, url=database, seed=seed)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("web")
def bench_web(
    cases: Annotated[int, typer.Option(min=100)] = 100_000,
    messages: Annotated[int, typer.Option(min=1, help="messages of the long case")] = 500,
    repeats: Annotated[int, typer.Option(min=1)] = 20,
    as_json: AsJson = False,
    database: BenchDb = None,
    seed: int = 7,
) -> None:
    """Server-side render of the inbox with N cases and of a case view with M messages
    (median and p95 of R requests through the whole app, logged in as an agent)."""
    from omnicase.benchmarks.web import run_web_bench

    result = run_web_bench(cases=cases, messages=messages, repeats=repeats, url=database, seed=seed)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("cluster")
def bench_cluster(
    web: Annotated[int, typer.Option(min=1, max=8, help="web processes (uvicorn)")] = 2,
    workers: Annotated[int, typer.Option(min=0, max=8, help="omnicase worker processes")] = 2,
    messages: Annotated[int, typer.Option(min=100)] = 50_000,
    clients: Annotated[int, typer.Option(min=1, max=64, help="concurrent HTTP clients")] = 8,
    as_json: AsJson = False,
    database: BenchDb = None,
    seed: int = 7,
) -> None:
    """Load N web + M worker processes over HTTP from a separate process; check that every
    message is stored once, retries answered 200, the grouping, one run per period."""
    from omnicase.benchmarks.cluster import run_cluster_bench

    url = database or _settings().database_url
    try:
        result = run_cluster_bench(
            url=url, web=web, workers=workers, messages=messages, clients=clients, seed=seed
        )
    except ValueError as exc:
        _fail(str(exc))
        return
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("staffing")
def bench_staffing(
    as_json: AsJson = False, repeats: Annotated[int, typer.Option(min=1)] = 20
) -> None:
    """Staffing of one week of 30-minute intervals × 6 channels (target < 50 ms)."""
    from omnicase.benchmarks.wfm import run_staffing_bench

    result = run_staffing_bench(repeats)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("simulate")
def bench_simulate(
    contacts: Annotated[int, typer.Option(min=1000)] = 1_000_000,
    as_json: AsJson = False,
    seed: int = 7,
) -> None:
    """Simulated contacts per second on an M/M/c (event loop and fast path) and their
    service level against Erlang C; plus a week of 6 channels (multi-skill, overflow)."""
    from omnicase.benchmarks.wfm import run_simulate_bench

    result = run_simulate_bench(contacts, seed=seed)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("erlang-peers")
def bench_erlang_peers(
    as_json: AsJson = False,
    ciw_contacts: Annotated[int, typer.Option(min=1000)] = 300_000,
    seed: int = 7,
) -> None:
    """Erlang C staffing against pyworkforce, M/M/c simulation against ciw (the
    ``bench-peers`` extra; says which is missing)."""
    from omnicase.benchmarks.wfm import run_peers_bench

    result = run_peers_bench(ciw_contacts, seed)
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


@bench_app.command("routing")
def bench_routing(
    agents: Annotated[int, typer.Option(min=1)] = 500,
    queues: Annotated[int, typer.Option(min=1)] = 20,
    open_cases: Annotated[int, typer.Option("--open-cases", min=1)] = 50_000,
    decisions: Annotated[int, typer.Option(min=1, help="cases to route")] = 5_000,
    batch_size: Annotated[int, typer.Option(min=1)] = 100,
    as_json: AsJson = False,
    database: BenchDb = None,
    seed: int = 7,
) -> None:
    """Push-assignment decisions per second and latency over N agents, M queues and a
    backlog of open cases."""
    from omnicase.benchmarks.routing import run_routing_bench

    result = run_routing_bench(
        agents=agents,
        queues=queues,
        open_cases=open_cases,
        decisions=decisions,
        batch_size=batch_size,
        url=database,
        seed=seed,
    )
    print(json.dumps(result) if as_json else json.dumps(result, indent=2))


# Understanding (issue 6): model build|train|list|rollback, eval reasons|language|signals,
# bench understand.
from omnicase.cli_understand import model_app, register  # noqa: E402

app.add_typer(model_app, name="model")

from omnicase.cli_quality import qa_app  # noqa: E402

app.add_typer(qa_app, name="qa")
register(eval_app, bench_app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()


@eval_app.command("consistency")
def eval_consistency(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False)] = Path(
        "data/consistency"
    ),
    verbose: Annotated[bool, typer.Option(help="list the dev split's mistakes")] = False,
) -> None:
    """Precision/recall of the answer-contradiction detector on labelled answer pairs."""
    from omnicase.quality.consistency.evaluate import KINDS, evaluate_consistency

    splits = evaluate_consistency(directory)
    if not splits:
        _fail(f"no {{dev,heldout}}/pairs.jsonl under {directory}")
    for split, fig in splits.items():
        print(
            f"{split:8s} pairs={fig.pairs:4d} contradictions={fig.positives:4d} "
            f"precision={fig.precision:.4f} recall={fig.recall:.4f} "
            f"(tp={fig.tp} fp={fig.fp} fn={fig.fn})"
        )
        for kind in KINDS:
            p, r, n = fig.per_kind(kind)
            print(f"  {kind:9s} n={n:3d} precision={p:.4f} recall={r:.4f}")
    if verbose and "dev" in splits:
        for line in splits["dev"].mistakes:
            print(line)
