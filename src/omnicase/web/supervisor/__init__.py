"""Supervisor screens: the live dashboard (``/supervisor``) and the brand's configuration
(``/supervisor/config/...``). Supervisors and admins only (``require_role``)."""

from __future__ import annotations

from fastapi import APIRouter

from omnicase.web.supervisor import (
    config,
    config_channels,
    config_people,
    config_routing,
    config_sla,
    dashboard,
    macros,
)

router = APIRouter(include_in_schema=False)
router.include_router(dashboard.router)
router.include_router(config.router)
router.include_router(config_routing.router)
router.include_router(macros.router)
router.include_router(config_people.router)
router.include_router(config_sla.router)
router.include_router(config_channels.router)
