"""``omnicase qa sample``: the answers to grade this week (registered by ``cli.py``)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from sqlalchemy import select

qa_app = typer.Typer(no_args_is_help=True, help="QA scorecards: the weekly sample.")

DbUrl = Annotated[
    str | None,
    typer.Option("--database", envvar="OMNICASE_DATABASE_URL", help="database URL"),
]


@qa_app.command("sample")
def qa_sample(
    user: Annotated[str, typer.Option(help="email of the supervisor who grades")],
    brand: Annotated[str | None, typer.Option(help="brand slug (default: the user's)")] = None,
    week: Annotated[
        str | None, typer.Option(help="any day of the ISO week (default: today)")
    ] = None,
    per_agent: Annotated[int, typer.Option(help="answers per agent")] = 3,
    seed: Annotated[int, typer.Option(help="same seed, same sample")] = 0,
    database: DbUrl = None,
) -> None:
    """One JSON line per agent: the answers (message ids) drawn for grading, within what
    the user may grade (a provider supervisor: its own team's agents)."""
    from omnicase import cli
    from omnicase.model import User
    from omnicase.quality.access import brand_for
    from omnicase.quality.qa.service import sample
    from omnicase.services.cases import ActionError
    from omnicase.store.scope import principal_for

    try:
        day = date.fromisoformat(week) if week else date.today()
    except ValueError:
        cli._fail(f"--week: not a date (YYYY-MM-DD): {week!r}")
    db = cli._db(database)
    with db.reading() as s:
        row = s.scalar(select(User).where(User.email == user.strip().lower()))
        if row is None or not row.active:
            cli._fail(f"--user: no active user {user!r}")
        who = principal_for(s, row)
        try:
            org = brand_for(s, who, brand)
            picked = sample(s, who, org.id, day, per_agent, seed)
        except ActionError as exc:
            cli._fail(f"--{(exc.field or 'user').replace('_', '-')}: {exc}")
    for agent, ids in sorted(picked.items()):
        print(json.dumps({"brand": org.slug, "week": day.isoformat(), "agent_id": agent,
                          "message_ids": ids}))  # fmt: skip
