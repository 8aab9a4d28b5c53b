"""The navigation: which screens each role may use (the pages check it too)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str  # translation key nav.<key>
    href: str
    roles: frozenset[str]


AGENT_ROLES = frozenset({"agent", "supervisor", "admin", "viewer"})
SUPERVISION = frozenset({"supervisor", "admin"})
PLANNING = frozenset({"planner", "admin"})
REPORT_READERS = frozenset({"supervisor", "admin", "viewer", "planner"})

NAV: tuple[NavItem, ...] = (
    NavItem("inbox", "/inbox", AGENT_ROLES),
    NavItem("dashboard", "/supervisor", SUPERVISION),
    NavItem("kpis", "/kpis", SUPERVISION),
    NavItem("qa", "/qa", SUPERVISION),
    NavItem("reports", "/reports", REPORT_READERS),
    NavItem("planning", "/planner", PLANNING),
    NavItem("settings", "/supervisor/config", SUPERVISION),
)


def nav_for(role: str) -> list[NavItem]:
    return [item for item in NAV if role in item.roles]


def home_for(role: str) -> str:
    """Where a user lands after login."""
    return "/planner" if role == "planner" else "/inbox"
