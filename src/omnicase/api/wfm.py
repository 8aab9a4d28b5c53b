"""POST /api/v1/wfm/staff and /api/v1/wfm/simulate: the workforce models over HTTP.

Pure computation (nothing is read or written but the caller's token): planners,
supervisors and admins of any organisation may use them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from omnicase.api.deps import Reader
from omnicase.api.errors import ERRORS
from omnicase.store.scope import Principal
from omnicase.wfm.errors import WfmInputError
from omnicase.wfm.interface import (
    MAX_SIMULATED_CONTACTS,
    ScenarioIn,
    StaffRequest,
    run_simulation,
    run_staffing,
    simulation_answer,
    staffing_answer,
)

router = APIRouter(prefix="/api/v1/wfm", tags=["workforce"])

WFM_ROLES = frozenset({"planner", "supervisor", "admin"})


def _allowed(who: Principal) -> None:
    if who.role not in WFM_ROLES:
        raise HTTPException(403, f"the {who.role} role may not use workforce planning")


def _invalid(exc: WfmInputError) -> HTTPException:
    error = {"field": exc.field, "reason": exc.reason}
    return HTTPException(422, {"detail": f"invalid input: {exc.field}", "errors": [error]})


@router.post("/staff", responses=ERRORS)
def post_staff(body: StaffRequest, auth: Reader) -> dict[str, Any]:
    """Agents per interval and channel (Erlang C/A for the phone, concurrency-aware Erlang C
    for chat, deadline-driven backlog for asynchronous channels), FTE per day and week."""
    _allowed(auth[1])
    try:
        return staffing_answer(*run_staffing(body))
    except WfmInputError as exc:
        raise _invalid(exc) from exc


@router.post("/simulate", responses=ERRORS)
def post_simulate(body: ScenarioIn, auth: Reader) -> dict[str, Any]:
    """Seeded discrete-event simulation of the scenario (at most 1,000,000 expected
    contacts per request): service level, ASA, abandonment, occupancy per channel."""
    _allowed(auth[1])
    try:
        return simulation_answer(run_simulation(body, max_contacts=MAX_SIMULATED_CONTACTS))
    except WfmInputError as exc:
        raise _invalid(exc) from exc
