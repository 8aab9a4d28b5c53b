"""Who sees which quality results: on top of the case access rule (``store/scope.py``),
results are per team. Brand staff see their brand's; a provider user sees their own
team's (a provider admin: their organisation's teams); another brand sees nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Organisation, Team
from omnicase.services.cases import ActionError
from omnicase.store.scope import Principal, visible_brand_ids


def visible_teams(session: Session, who: Principal) -> set[int] | None:
    """None: the whole brand (brand staff); else the provider teams ``who`` may see."""
    if who.is_brand_staff:
        return None
    if who.role == "admin":
        return set(
            session.scalars(select(Team.id).where(Team.organisation_id == who.organisation_id))
        )
    return {who.team_id} if who.team_id is not None else set()


def brand_for(session: Session, who: Principal, slug: str | None) -> Organisation:
    """The brand ``who`` asks about (default: their own); 404 for a brand they do not
    serve, as if it did not exist."""
    if slug is None:
        org = session.get(Organisation, who.organisation_id)
        if org is None or org.kind != "brand":
            raise ActionError("give the brand (slug) you serve", "brand", 422)
        return org
    brand = session.scalar(
        select(Organisation).where(Organisation.slug == slug, Organisation.kind == "brand")
    )
    if brand is None or brand.id not in visible_brand_ids(session, who):
        raise ActionError(f"no brand {slug!r}", "brand", 404)
    return brand
