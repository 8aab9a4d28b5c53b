"""Planner screens (``/planner``): forecast chart, staffing per interval, the week's
schedule and the outsourcing scenarios, from the brand's history. Planners and admins."""

from __future__ import annotations

from omnicase.web.planner.pages import router

__all__ = ["router"]
