"""Supervisor screens: the live dashboard (``/supervisor``) and the brand's configuration
(``/supervisor/config/...``). Supervisors and admins only (``require_role``)."""

from __future__ import annotations

from fastapi import APIRouter

from omnicase.web.supervisor import config, config_routing, dashboard, macros

router = APIRouter(include_in_schema=False)
router.include_router(dashboard.router)
router.include_router(config.router)
router.include_router(config_routing.router)
router.include_router(macros.router)
