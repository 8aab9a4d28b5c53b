"""``/qa``: the QA grading screen. The week's sample per agent (``quality.qa.service``
``sample``), one answer opened with its case and the automatic pre-checks highlighted,
the brand's grid to grade (``do_grade``), the week's scores per agent and team. The
service's access rule decides: a provider supervisor sees and grades its team only."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import select

from omnicase.model import Case, Message, Organisation, QaReview, User
from omnicase.quality.qa.grids import SCALES, check_criteria
from omnicase.quality.qa.service import (
    answer_filter,
    do_grade,
    grids_of,
    list_reviews,
    pre_checks,
    qa_summary,
    sample,
    week_bounds,
)
from omnicase.services.cases import ActionError
from omnicase.web.deps import Page, PageError, require_role, require_write_role
from omnicase.web.pages_case import case_url
from omnicase.web.quality.common import brand_of, brands_of, parse_day
from omnicase.web.templating import render

router = APIRouter(prefix="/qa", include_in_schema=False)
Supervisor = Annotated[Page, Depends(require_role("supervisor"))]
Grader = Annotated[Page, Depends(require_write_role("supervisor"))]
PER_AGENT = 3


def _week(org: Organisation, raw: str | None) -> date:
    try:
        day = parse_day(raw)
    except ValueError:
        day = None
    day = day or datetime.now(ZoneInfo(org.timezone)).date()
    return day - timedelta(days=day.weekday())


@router.get("")
def qa(
    request: Request, page: Supervisor, brand: str | None = None, week: str | None = None
) -> Response:
    org = brand_of(page, brand)
    monday = _week(org, week)
    start, end = week_bounds(monday)
    drawn = sample(page.db, page.who, org.id, monday, PER_AGENT)
    ids = [m for ms in drawn.values() for m in ms]
    messages = {
        m.id: m for m in page.db.scalars(select(Message).where(Message.id.in_(ids or [-1])))
    }
    agents = {
        u.id: u for u in page.db.scalars(select(User).where(User.id.in_(list(drawn) or [-1])))
    }
    cases = {
        c.id: c
        for c in page.db.scalars(
            select(Case).where(Case.id.in_({m.case_id for m in messages.values()} or {-1}))
        )
    }
    flags = {mid: pre_checks(page.db, m, cases[m.case_id])["flags"] for mid, m in messages.items()}
    graded = set(
        page.db.scalars(select(QaReview.message_id).where(QaReview.message_id.in_(ids or [-1])))
    )
    return render(
        request,
        "quality/qa.html",
        page,
        brand=org,
        brands=brands_of(page),
        monday=monday,
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
        drawn=sorted(drawn.items(), key=lambda kv: agents[kv[0]].name if kv[0] in agents else ""),
        messages=messages,
        agents=agents,
        graded=graded,
        flags=flags,
        by_agent=qa_summary(page.db, page.who, org.id, start, end, "agent"),
        by_team=qa_summary(page.db, page.who, org.id, start, end, "team"),
        reviews=list_reviews(page.db, page.who, org.id, start=start, end=end, limit=50),
    )


def _answer(page: Page, message_id: int) -> tuple[Message, Case, User]:
    row = page.db.execute(
        select(Message, Case, User)
        .join(Case, Case.id == Message.case_id)
        .join(User, User.id == Message.author_user_id)
        .where(answer_filter(page.db, page.who), Message.id == message_id)
    ).first()
    if row is None:
        raise PageError(404, "error.not_found")
    return row[0], row[1], row[2]


def highlighted(text: str, mistakes: list[dict[str, Any]]) -> Markup:
    """The answer with each misspelt word (its first occurrence, where the check found
    it) wrapped in ``<mark class="misspelt">``; everything else escaped."""
    out: list[str] = []
    pos = 0
    for m in sorted(mistakes, key=lambda x: int(x.get("at", 0))):
        at, word = int(m.get("at", 0)), str(m.get("word", ""))
        if at < pos or text[at : at + len(word)] != word:
            continue
        hint = m.get("suggestion") or ""
        out.append(str(escape(text[pos:at])))
        out.append(f'<mark class="misspelt" title="{escape(hint)}">{escape(word)}</mark>')
        pos = at + len(word)
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def answer_page(
    request: Request,
    page: Page,
    message_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    message, case, agent = _answer(page, message_id)
    grids = grids_of(page.db, case.brand_id)
    criteria = grids[0].criteria if grids else check_criteria(None)
    checks = pre_checks(page.db, message, case)
    thread = list(
        page.db.scalars(
            select(Message).where(Message.case_id == case.id).order_by(Message.received_at)
        )
    )
    reviews = list(
        page.db.scalars(
            select(QaReview).where(QaReview.message_id == message.id).order_by(QaReview.id)
        )
    )
    return render(
        request,
        "quality/qa_answer.html",
        page,
        message=message,
        case=case,
        case_href=case_url(page, case.id),
        agent=agent,
        thread=thread,
        checks=checks,
        text=highlighted(message.text or "", checks.get("spelling") or []),
        criteria=criteria,
        scales=SCALES,
        reviews=reviews,
        form=form or {},
        errors=errors or {},
        status=status,
    )


@router.get("/answers/{message_id}")
def answer(request: Request, message_id: int, page: Supervisor, graded: str = "") -> Response:
    return answer_page(request, page, message_id, form={"graded": graded})


@router.post("/answers/{message_id}/grade")
async def grade(request: Request, message_id: int, page: Grader) -> Response:
    """Scores per criterion (numbers), a note per criterion and a general comment, all
    kept in the review's one comment. Any error re-shows the form, nothing written."""
    message, case, _ = _answer(page, message_id)
    grids = grids_of(page.db, case.brand_id)
    criteria = grids[0].criteria if grids else check_criteria(None)
    data = await request.form()
    form = {k: v for k, v in data.items() if isinstance(v, str) and k != "csrf_token"}
    scale = form.get("scale", "100")
    errors: dict[str, str] = {}
    scores: dict[str, float] = {}
    for c in criteria:
        name = f"scores.{c['key']}"
        raw = form.get(name, "").strip().replace(",", ".")
        if not raw:
            errors[name] = page.t("qa.score_missing")
            continue
        try:
            scores[c["key"]] = float(raw)
        except ValueError:
            errors[name] = page.t("qa.score_number")
    notes = [
        f"{c['label']}: {note}"
        for c in criteria
        if (note := form.get("note." + str(c["key"]), "").strip())
    ]
    comment = "\n".join([*notes, form.get("comment", "").strip()]).strip() or None
    if not errors:
        try:
            do_grade(
                page.db,
                page.who,
                message.id,
                scores,
                scale,
                comment,
                grids[0].id if grids else None,
            )
        except ActionError as exc:
            if exc.status in (403, 404):
                raise PageError(exc.status, "error.not_found", str(exc)) from None
            errors[exc.field or "comment"] = str(exc)
    if errors:
        page.db.rollback()
        return answer_page(request, page, message_id, form=form, errors=errors, status=422)
    page.db.commit()
    return RedirectResponse(f"/qa/answers/{message_id}?graded=1", status_code=303)
