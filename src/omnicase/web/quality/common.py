"""What the quality screens share: the brand a page is about (the user's own, or for
provider staff one they are engaged with; another is a 404) and form-number parsing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from omnicase.model import Organisation
from omnicase.store.scope import visible_brand_ids
from omnicase.web.deps import Page, PageError


def brands_of(page: Page) -> list[Organisation]:
    """The brands the user may look at (own brand; a provider's engaged brands)."""
    ids = visible_brand_ids(page.db, page.who)
    return list(
        page.db.scalars(
            select(Organisation)
            .where(Organisation.id.in_(ids), Organisation.kind == "brand")
            .order_by(Organisation.slug)
        )
    )


def brand_of(page: Page, slug: str | None) -> Organisation:
    """The brand asked for (``?brand=slug``) or the first visible one; 404 otherwise."""
    for org in brands_of(page):
        if slug in (None, "", org.slug):
            return org
    raise PageError(404, "error.not_found")


def parse_day(raw: str | None) -> date | None:
    """``YYYY-MM-DD`` or None; ValueError for anything else."""
    if raw is None or raw == "":
        return None
    return date.fromisoformat(raw)
