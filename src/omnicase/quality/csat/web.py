"""The survey's pages: ``GET /csat/{token}`` (the email's links land here, the clicked
rating preselected) and ``POST /csat/{token}`` (rating + comment). Server-rendered,
no JavaScript.

The GET never records anything: mail security scanners open every link of a message, so
a rating recorded on GET would be the scanner's. One click on the rating in the mail,
one on "Send" here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from omnicase.model import Case, Organisation, Survey, SurveyStatus
from omnicase.model.base import utcnow
from omnicase.quality.csat.service import do_answer_survey, survey_by_token
from omnicase.quality.csat.texts import SCALE, language_of
from omnicase.services.cases import ActionError
from omnicase.store.references import format_reference

router = APIRouter(tags=["csat"], include_in_schema=False)
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
)
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
WORDS = {
    "fr": {
        "title": "Votre avis",
        "question": "Êtes-vous satisfait de notre réponse à votre demande ?",
        "scale": "1 = pas du tout satisfait, 5 = très satisfait",
        "comment": "Un commentaire ? (facultatif)",
        "send": "Envoyer",
        "thanks": "Merci pour votre avis !",
        "your_rating": "Votre note",
        "change": "Vous pouvez encore modifier votre réponse.",
        "missing": "Ce lien d'enquête n'existe pas.",
        "expired": "Cette enquête est close. Merci quand même !",
    },
    "en": {
        "title": "Your feedback",
        "question": "How satisfied are you with our answer to your request?",
        "scale": "1 = not at all satisfied, 5 = very satisfied",
        "comment": "Any comment? (optional)",
        "send": "Send",
        "thanks": "Thank you for your feedback!",
        "your_rating": "Your rating",
        "change": "You can still change your answer.",
        "missing": "This survey link does not exist.",
        "expired": "This survey is closed. Thank you anyway!",
    },
}


def _page(
    survey: Survey | None,
    brand: Organisation | None,
    reference: str,
    *,
    rating: int | None = None,
    done: bool = False,
    closed: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = _language(survey, brand)
    t = WORDS[lang]
    html = TEMPLATES.get_template("survey.html").render(
        lang=lang,
        t=t,
        brand=brand.name if brand else "",
        reference=reference,
        scale=SCALE,
        rating=rating,
        comment=survey.comment if survey and done else None,
        done=done,
        open=survey is not None and survey.status == SurveyStatus.answered,
        closed=closed,
        action=f"/csat/{survey.token}" if survey else "",
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _language(survey: Survey | None, brand: Organisation | None) -> str:
    """The survey's language (the case's), else the brand's; French for an unknown link."""
    if survey is None:
        return "fr"
    return language_of((survey.meta or {}).get("language") or (brand.language if brand else None))


def _load(request: Request, token: str) -> tuple[Survey | None, Organisation | None, str]:
    with request.app.state.db.reading() as s:
        survey = survey_by_token(s, token)
        if survey is None:
            return None, None, ""
        brand = s.get(Organisation, survey.brand_id)
        case = s.get(Case, survey.case_id)
        assert brand is not None and case is not None
        s.expunge_all()
        prefix = brand.case_prefix or brand.slug[:2].upper()
        return survey, brand, format_reference(prefix, case.id)


@router.get("/csat/{token}", response_class=HTMLResponse)
def survey_page(token: str, request: Request, rating: int | None = None) -> HTMLResponse:
    survey, brand, reference = _load(request, token)
    if survey is None:
        return _page(None, None, "", closed=WORDS["fr"]["missing"], status=404)
    lang = _language(survey, brand)
    if survey.status not in (SurveyStatus.sent, SurveyStatus.answered):
        return _page(survey, brand, reference, closed=WORDS[lang]["expired"], status=410)
    chosen = rating if rating in SCALE else survey.rating
    return _page(survey, brand, reference, rating=chosen, done=survey.rating is not None)


@router.post("/csat/{token}", response_class=HTMLResponse)
def answer_survey(
    token: str,
    request: Request,
    rating: Annotated[str, Form()] = "",
    comment: Annotated[str, Form(max_length=4000)] = "",
) -> HTMLResponse:
    db = request.app.state.db
    value = int(rating) if rating.strip().isdigit() else 0
    with db.transaction() as s:
        survey = survey_by_token(s, token)
        if survey is None:
            return _page(None, None, "", closed=WORDS["fr"]["missing"], status=404)
        brand = s.get(Organisation, survey.brand_id)
        lang = _language(survey, brand)
        reference = format_reference((brand.case_prefix if brand else None) or "CS", survey.case_id)
        try:
            do_answer_survey(s, survey, value, comment, utcnow(), via="link")
        except ActionError as exc:
            if exc.status == 422:
                return _page(survey, brand, reference, status=422)
            # returning (not raising) commits: an expiry found on the way is kept
            return _page(survey, brand, reference, closed=WORDS[lang]["expired"], status=410)
        page = _page(survey, brand, reference, rating=survey.rating, done=True)
    return page
