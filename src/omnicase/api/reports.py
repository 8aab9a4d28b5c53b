"""Daily reports: the archive (list, download: every download audit-logged) and provider
contracts (objectives, penalty/bonus rules, recipients; brand admins)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from omnicase.api.deps import Reader, Writer, get_db
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.api.paging import before_id
from omnicase.model import EngagementContract, Report
from omnicase.reports.archive import do_record_export, get_report, list_reports, report_file
from omnicase.reports.render import MEDIA_TYPES
from omnicase.reports.service import do_set_contract, get_contract
from omnicase.store.queries import encode_cursor

router = APIRouter(prefix="/api/v1", tags=["reports"])
Format = Literal["html", "pdf", "csv", "xlsx"]


class FileOut(BaseModel):
    name: str
    sha256: str
    size: int


class ReportOut(BaseModel):
    id: int
    brand_id: int
    engagement_id: int | None = Field(
        description="None: the brand's report; else a provider engagement's"
    )
    day: date
    kind: str
    files: dict[str, FileOut]
    emailed: int = Field(description="recipients the PDF was sent to")
    created_at: datetime

    @classmethod
    def of(cls, row: Report) -> ReportOut:
        files = {
            k: FileOut(name=v["name"], sha256=v["sha256"], size=v["size"])
            for k, v in (row.files or {}).items()
        }
        return cls(
            id=row.id,
            brand_id=row.brand_id,
            engagement_id=row.engagement_id,
            day=row.day,
            kind=row.kind,
            files=files,
            emailed=row.emailed,
            created_at=row.created_at,
        )


class ReportPage(BaseModel):
    items: list[ReportOut]
    next_cursor: str | None


@router.get("/reports", response_model=ReportPage, responses=ERRORS)
def get_reports(
    auth: Reader,
    day: date | None = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReportPage:
    """Reports you may read, newest first: brand staff their brand's (and its providers'
    engagement reports), provider staff their own engagements' only."""
    session, who = auth
    rows = list_reports(session, who, day=day, before=before_id(cursor), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return ReportPage(
        items=[ReportOut.of(r) for r in rows],
        next_cursor=encode_cursor(rows[-1].id) if more and rows else None,
    )


@router.get(
    "/reports/{report_id}/{fmt}",
    responses={**ERRORS, **NOT_FOUND, 200: {"content": {t: {} for t in MEDIA_TYPES.values()}}},
    response_class=FileResponse,
)
def download_report(report_id: int, fmt: Format, auth: Reader, request: Request) -> FileResponse:
    """One file of a report (html, pdf, csv, xlsx); the download is written to the
    brand's audit log (``access.export``)."""
    session, who = auth
    row = get_report(session, who, report_id)
    path, info = report_file(request.app.state.settings, row, fmt)
    do_record_export(
        get_db(request), who, row, fmt, request.client.host if request.client else None
    )
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        filename=info["name"],
        headers={"X-Content-SHA256": info["sha256"]},
    )


class ContractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    objectives: dict[str, float] = Field(
        examples=[
            {"response_rate_within_objective": 0.9, "first_response_median_s": 14400, "csat": 4.2}
        ]
    )
    rules: dict[str, Any] = Field(
        default_factory=dict,
        examples=[
            {
                "currency": "EUR",
                "penalty_cap": 5000,
                "bonus_cap": 2000,
                "kpis": {
                    "response_rate_within_objective": {
                        "per_point_below": 150,
                        "per_point_above": 50,
                        "cap": 3000,
                    }
                },
            }
        ],
    )
    recipients: list[str] = Field(default_factory=list, max_length=50)


class ContractOut(BaseModel):
    engagement_id: int
    objectives: dict[str, float]
    rules: dict[str, Any]
    recipients: list[str]
    updated_at: datetime

    @classmethod
    def of(cls, row: EngagementContract) -> ContractOut:
        return cls(
            engagement_id=row.engagement_id,
            objectives=row.objectives,
            rules=row.rules,
            recipients=row.recipients,
            updated_at=row.updated_at,
        )


@router.put(
    "/engagements/{engagement_id}/contract",
    response_model=ContractOut,
    responses={**ERRORS, **NOT_FOUND},
)
def put_contract(engagement_id: int, body: ContractIn, auth: Writer) -> ContractOut:
    """Set (or replace) what a provider engagement's contract promises: objectives per
    KPI, the penalty/bonus per point, caps, currency, and who gets its daily report."""
    session, who = auth
    row = do_set_contract(
        session,
        who,
        engagement_id,
        objectives=body.objectives,
        rules=body.rules,
        recipients=body.recipients,
    )
    out = ContractOut.of(row)
    session.commit()
    return out


@router.get(
    "/engagements/{engagement_id}/contract",
    response_model=ContractOut,
    responses={**ERRORS, **NOT_FOUND},
)
def read_contract(engagement_id: int, auth: Reader) -> ContractOut:
    session, who = auth
    return ContractOut.of(get_contract(session, who, engagement_id))
