"""Supervision screens of quality: ``/kpis`` (KPI table and 30-day trend), ``/reports``
(the daily report archive) and ``/qa`` (the QA grading screen), on the same services and
access rule as the API (``quality.kpis``, ``reports.archive``, ``quality.qa.service``)."""

from __future__ import annotations

from fastapi import APIRouter

from omnicase.web.quality import kpis_page, qa_page, reports_page

router = APIRouter(include_in_schema=False)
router.include_router(kpis_page.router)
router.include_router(reports_page.router)
router.include_router(qa_page.router)

__all__ = ["router"]
