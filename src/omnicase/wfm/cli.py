"""``omnicase wfm staff`` and ``omnicase wfm simulate``: files in, files out, no database.
(numpy and scipy are imported by the commands, not by ``omnicase --help``.)

Errors are printed as ``field: reason`` lines and exit with code 2, like the other commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from omnicase.wfm.errors import WfmInputError

wfm_app = typer.Typer(
    no_args_is_help=True, help="Workforce management: forecast, staff, schedule, simulate."
)
console = Console(stderr=True)


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        console.print(f"[red]error:[/red] {escape(line)}", soft_wrap=True, highlight=False)
    raise typer.Exit(2)


def _validation_lines(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()]


def _read(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail([f"{path}: {exc.strerror or exc}"])


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")


Fmt = Annotated[str, typer.Option("--format", help="csv or json (default: the input's)")]


@wfm_app.command("staff")
def staff_command(
    source: Annotated[Path, typer.Argument(help="CSV or JSON file ('-' = stdin)")],
    config: Annotated[
        Path | None,
        typer.Option(help="JSON: {channel: policy} overrides (kind, service_level, deadline …)"),
    ] = None,
    interval_seconds: Annotated[float, typer.Option(help="interval length (s)")] = 1800,
    service_level: Annotated[
        float | None, typer.Option(help="target for every live channel (0.8 = 80 %)")
    ] = None,
    answer_within: Annotated[float | None, typer.Option(help="seconds, live channels")] = None,
    shrinkage: Annotated[float | None, typer.Option(help="every channel (0.3 = 30 %)")] = None,
    max_occupancy: Annotated[float | None, typer.Option(help="every channel")] = None,
    fte_hours_per_week: Annotated[float, typer.Option(help="a contract's weekly hours")] = 35,
    out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
    fmt: Fmt = "",
) -> None:
    """Agents per interval and channel, and FTE per day and week.

    CSV columns: interval (index or ISO start time), channel, volume, aht_seconds. JSON: a
    list of such rows, or {"rows": [...], "channels": {...}, "interval_seconds": ...}.
    """
    from omnicase.wfm.interface import (
        StaffRequest,
        rows_from_csv,
        run_staffing,
        staffing_answer,
        staffing_csv,
    )

    text = _read(source)
    is_json = source.suffix.lower() == ".json" or text.lstrip().startswith(("{", "["))
    body: dict[str, Any]
    try:
        if is_json:
            try:
                loaded = json.loads(text)
            except json.JSONDecodeError as exc:
                _fail([f"{source}: not JSON ({exc.msg}, line {exc.lineno})"])
            body = {"rows": loaded} if isinstance(loaded, list) else dict(loaded)
        else:
            body = {"rows": rows_from_csv(text)}
        body.setdefault("interval_seconds", interval_seconds)
        body.setdefault("fte_hours_per_week", fte_hours_per_week)
        channels: dict[str, Any] = dict(body.get("channels") or {})
        if config is not None:
            try:
                channels.update(json.loads(_read(config)))
            except json.JSONDecodeError as exc:
                _fail([f"{config}: not JSON ({exc.msg}, line {exc.lineno})"])
        common = {
            "service_level": service_level,
            "answer_within": answer_within,
            "shrinkage": shrinkage,
            "max_occupancy": max_occupancy,
        }
        common = {k: v for k, v in common.items() if v is not None}
        if common:
            names = {str(r.get("channel")) for r in body["rows"] if isinstance(r, dict)}
            for name in names:
                given = dict(channels.get(name) or {})
                channels[name] = {**given, **common}
        body["channels"] = channels
        request = StaffRequest.model_validate(body)
        answer = staffing_answer(*run_staffing(request))
    except ValidationError as exc:
        _fail(_validation_lines(exc))
    except WfmInputError as exc:
        _fail([str(exc)])
    kind = fmt or ("json" if is_json else "csv")
    if kind not in ("csv", "json"):
        _fail([f"--format: csv or json, not {kind}"])
    _write(staffing_csv(answer) if kind == "csv" else json.dumps(answer), out)
    week = answer["fte_per_week"].get("total") or []
    console.print(f"FTE per week: {', '.join(f'{w:.1f}' for w in week)}", highlight=False)


@wfm_app.command("simulate")
def simulate_command(
    source: Annotated[Path, typer.Argument(help="JSON scenario ('-' = stdin)")],
    seed: Annotated[int | None, typer.Option(help="overrides the scenario's seed")] = None,
    out: Annotated[Path | None, typer.Option(help="write here instead of stdout")] = None,
) -> None:
    """Simulate a scenario (channels with volumes per interval, agent groups with skills and
    schedules); print service level, ASA, abandonment, occupancy per channel as JSON."""
    from omnicase.wfm.interface import ScenarioIn, run_simulation, simulation_answer

    text = _read(source)
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        _fail([f"{source}: not JSON ({exc.msg}, line {exc.lineno})"])
    try:
        if seed is not None and isinstance(body, dict):
            body["seed"] = seed
        scenario = ScenarioIn.model_validate(body)
        answer = simulation_answer(run_simulation(scenario))
    except ValidationError as exc:
        _fail(_validation_lines(exc))
    except WfmInputError as exc:
        _fail([str(exc)])
    _write(json.dumps(answer), out)
