"""``omnicase wfm scenario``: internal vs outsourced vs hybrid over the next months, as an
HTML report, CSV/XLSX tables and JSON (the same answer as POST /api/v1/wfm/scenario)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from omnicase.wfm.cli import _fail, _validation_lines, console, wfm_app
from omnicase.wfm.errors import WfmInputError


@wfm_app.command("scenario")
def scenario_cmd(
    input: Annotated[Path | None, typer.Argument(help="scenario JSON (see docs)")] = None,
    demo: Annotated[
        str | None, typer.Option(help="growth, new-channel or merger: a generated input")
    ] = None,
    months: Annotated[int | None, typer.Option(help="override the horizon")] = None,
    out: Annotated[Path | None, typer.Option(help="the HTML report")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="the monthly table as CSV")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="the monthly table as XLSX")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="the answer as JSON")] = None,
) -> None:
    """Compare internal-only, fully outsourced and hybrid month by month (FTE, hires, cost,
    service level, ±20 % risk) and recommend one; the recommendation goes to stderr."""
    from omnicase.wfm.scenario import run
    from omnicase.wfm.scenario_input import ScenarioRequest, build_spec, demo_request
    from omnicase.wfm.scenario_report import answer_json, csv_text, html_report, write_xlsx

    if (input is None) == (demo is None):
        _fail(["give exactly one of INPUT.json, --demo growth|new-channel|merger"])
    try:
        if demo is not None:
            request = demo_request(demo)
        else:
            assert input is not None
            text = sys.stdin.read() if str(input) == "-" else input.read_text(encoding="utf-8")
            request = ScenarioRequest.model_validate_json(text)
        if months is not None:
            request = request.model_copy(update={"months": months})
        result = run(build_spec(request))
    except ValidationError as exc:
        _fail(_validation_lines(exc))
    except WfmInputError as exc:
        _fail([str(exc)])
    except OSError as exc:
        _fail([f"{input}: {exc.strerror}"])
    console.print(result.recommendation, highlight=False, soft_wrap=True)
    if out is not None:
        out.write_text(html_report(result), encoding="utf-8")
    if csv is not None:
        csv.write_text(csv_text(result), encoding="utf-8")
    if xlsx is not None:
        write_xlsx(result, xlsx)
    body = json.dumps(answer_json(result))
    if json_out is not None:
        json_out.write_text(body + "\n", encoding="utf-8")
    elif out is None and csv is None and xlsx is None:
        sys.stdout.write(body + "\n")


def bench_scenario(
    as_json: Annotated[bool, typer.Option("--json", help="one JSON line")] = True,
    repeats: Annotated[int, typer.Option(min=1)] = 3,
) -> None:
    """Time of a 12-month, 6-channel, 3-option scenario with the ±20 % risk (and the
    hybrid's simulated week)."""
    from omnicase.benchmarks.wfm_scenario import run_scenario_bench

    print(json.dumps(run_scenario_bench(repeats)))
