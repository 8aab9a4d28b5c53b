"""POST /api/v1/wfm/scenario: internal vs outsourced vs hybrid over the next months, for
planners, supervisors and admins. Pure computation: nothing is read or written."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from omnicase.api.deps import Reader
from omnicase.api.errors import ERRORS
from omnicase.api.wfm import _allowed, _invalid
from omnicase.wfm.errors import WfmInputError
from omnicase.wfm.scenario_input import ScenarioRequest

router = APIRouter(prefix="/api/v1/wfm", tags=["workforce"])


@router.post("/scenario", responses=ERRORS)
def post_scenario(body: ScenarioRequest, auth: Reader) -> dict[str, Any]:
    """Month by month per option: FTE, hires, cost, service level per channel, occupancy,
    provider share, the ±risk evaluation, the hybrid's simulated week and the
    recommendation (the same JSON as ``omnicase wfm scenario --json``)."""
    from omnicase.wfm.scenario import run
    from omnicase.wfm.scenario_input import build_spec
    from omnicase.wfm.scenario_report import answer_json

    _allowed(auth[1])
    try:
        return answer_json(run(build_spec(body)))
    except WfmInputError as exc:
        raise _invalid(exc) from exc
