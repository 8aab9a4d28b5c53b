"""The web pages' write routes and a plausible form for each (so a refusal is about
scope, not shape). The second argument is the out-of-scope value of the route's first
path parameter. A new web POST must be listed here (test_every_route_is_classified)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Form = Callable[[Any, str], dict[str, str]]

WEB_FORMS: dict[str, Form] = {
    "POST /cases/{reference}/reply": lambda w, v: {"text": "walk reply", "channel": "email"},
    "POST /cases/{reference}/merge": lambda w, v: {"into": v},
    "POST /cases/{reference}/split": lambda w, v: {"message_id": "1"},
    "POST /cases/{reference}/update": lambda w, v: {"priority": "2", "status": "pending"},
    "POST /case-links/{link_id}/undo": lambda w, v: {},
    "POST /supervisor/config/queues/{queue_id}/move": lambda w, v: {"direction": "up"},
    "POST /cases/{reference}/inconsistencies/{row_id}/{decision}": lambda w, v: {},
    "POST /cases/{reference}/macros/{macro_id}/insert": lambda w, v: {"text": "draft"},
    "POST /qa/answers/{message_id}/grade": lambda w, v: {"accuracy": "4", "tone": "4"},
    "POST /supervisor/config/macros/{macro_id}": lambda w, v: {"title": "walk", "body": "x"},
    "POST /supervisor/config/macros/{macro_id}/active": lambda w, v: {"active": "0"},
    "POST /supervisor/config/users/{user_id}/team": lambda w, v: {"team_id": ""},
    "POST /supervisor/config/users/{user_id}/role": lambda w, v: {"role": "viewer"},
    "POST /supervisor/config/users/{user_id}/active": lambda w, v: {"active": "0"},
    "POST /supervisor/config/teams/{team_id}": lambda w, v: {"name": "walk"},
    "POST /supervisor/config/teams/{team_id}/delete": lambda w, v: {},
    "POST /supervisor/config/sla/policies/{policy_id}": lambda w, v: {
        "channel": "email",
        "first_response_minutes": "30",
    },
    "POST /supervisor/config/sla/policies/{policy_id}/delete": lambda w, v: {},
    "POST /supervisor/config/sla/calendars/{calendar_id}": lambda w, v: {
        "name": "walk",
        "timezone": "Europe/Paris",
        "hours_mon": "09:00-18:00",
    },
    "POST /supervisor/config/sla/calendars/{calendar_id}/delete": lambda w, v: {},
    "POST /supervisor/config/channels/{account_id}": lambda w, v: {"name": "walk"},
    "POST /supervisor/config/overflow/{rule_id}": lambda w, v: {
        "kind": "wait_over",
        "wait_minutes": "5",
    },
    "POST /supervisor/config/overflow/{rule_id}/active": lambda w, v: {"active": "on"},
    "POST /supervisor/config/overflow/{rule_id}/delete": lambda w, v: {},
    "POST /supervisor/config/overflow/{rule_id}/move": lambda w, v: {"direction": "up"},
    "POST /supervisor/config/teams/{team_id}/hours": lambda w, v: {"hours_mon": "09:00-18:00"},
    "POST /supervisor/config/engagements/{engagement_id}": lambda w, v: {"channels": "email"},
    "POST /supervisor/config/engagements/{engagement_id}/end": lambda w, v: {
        "ends_on": "2024-01-01"
    },
    # the user's own things (no object of another scope named): classified, not walked
    "POST /logout": lambda w, v: {},
    "POST /presence": lambda w, v: {"presence": "available"},
    "POST /account/password": lambda w, v: {
        "current_password": "x",
        "new_password": "y",
        "confirm_password": "y",
    },
    "POST /supervisor/config/queues": lambda w, v: {"key": "walk", "name": "walk"},
    "POST /supervisor/config/sla/policies": lambda w, v: {},
    "POST /supervisor/config/users": lambda w, v: {},
    "POST /supervisor/config/teams": lambda w, v: {"team_name": "walk"},
    "POST /supervisor/config/sla/calendars": lambda w, v: {},
    "POST /supervisor/config/channels": lambda w, v: {},
    "POST /supervisor/config/macros": lambda w, v: {"title": "walk", "body": "x"},
    "POST /supervisor/config/overflow": lambda w, v: {"kind": "wait_over", "wait_minutes": "5"},
    "POST /supervisor/config/engagements": lambda w, v: {"channels": "email"},
    "POST /reports/generate": lambda w, v: {"day": "2026-11-01"},
}
#: Form posts that only read a brand-wide object (a macro inserted into a draft: nothing is
#: written), which staff engaged on the brand may read.
BRAND_READABLE = frozenset({"POST /cases/{reference}/macros/{macro_id}/insert"})
#: Pages that stream forever (server-sent events): read for a moment, not walked.
WEB_STREAMS = frozenset({"GET /inbox/live", "GET /supervisor/stream"})
