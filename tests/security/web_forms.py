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
}
#: Pages that stream forever (server-sent events): read for a moment, not walked.
WEB_STREAMS = frozenset({"GET /inbox/live", "GET /supervisor/stream"})
