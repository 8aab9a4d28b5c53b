"""Inbox and case pages through the access rule: a provider agent never reaches a case
outside its engagement, by URL guess or by search; filters, paging, actions, escaping."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, CaseLink, Message
from omnicase.store.db import Database
from omnicase.web.i18n import LANG_COOKIE
from tests.factories import World, message
from tests.web.conftest import login


def seed(db: Database) -> dict[str, str]:
    """acme: an email case (provider-visible) and a WhatsApp case (not engaged);
    globex: an email case. Returns name → reference."""
    results = ingest(
        db,
        [
            message(
                channel="email",
                subject="Commande A-10492 pas livrée",
                text="Bonjour, ma commande A-10492 n'est pas arrivée. Julie",
                email="julie.martin@example.fr",
                name="Julie Martin",
            ),
            message(
                channel="whatsapp",
                minutes=5,
                text="Le remboursement du manteau rouge svp",
                whatsapp="+33698765432",
                name="Marc Petit",
            ),
            message(
                brand="globex",
                channel="email",
                minutes=7,
                subject="Refund for the red coat",
                text="Where is my refund? Order GX123456",
                email="tom@example.co.uk",
                name="Tom Baker",
            ),
        ],
    )
    refs = [r.reference for r in results]
    assert all(refs)
    return {"email": str(refs[0]), "whatsapp": str(refs[1]), "globex": str(refs[2])}


def listed(html: str) -> set[str]:
    """The references of the inbox's rows (not the search box's echo)."""
    return set(re.findall(r'data-open href="/cases/([A-Z]+-\d+)"', html))


def test_inbox_lists_what_the_user_may_see(world: World, web: TestClient, db: Database) -> None:
    refs = seed(db)
    login(web, "agent@acme.test")
    html = web.get("/inbox").text
    assert refs["email"] in html and refs["whatsapp"] in html and refs["globex"] not in html
    assert "Julie Martin" in html and "Marc Petit" in html

    web.cookies.clear()
    login(web, "agent@callpro.test")  # engaged on acme email + chat only
    html = web.get("/inbox").text
    assert refs["email"] in html
    assert refs["whatsapp"] not in html and refs["globex"] not in html


def test_a_provider_agent_gets_404_for_a_case_outside_its_engagement(
    world: World, web: TestClient, db: Database
) -> None:
    refs = seed(db)
    login(web, "agent@callpro.test")
    assert web.get(f"/cases/{refs['email']}").status_code == 200
    for ref in (refs["whatsapp"], refs["globex"], "AC-999999", "GX-000001"):
        r = web.get(f"/cases/{ref}")
        assert r.status_code == 404, ref
        assert "Marc Petit" not in r.text and "Tom Baker" not in r.text
    # every action on it is a 404 too, and writes nothing
    csrf = login(web, "agent@callpro.test")
    with db.reading() as s:
        case_id = int(refs["whatsapp"].split("-")[1])
        before = s.scalar(select(Case.status).where(Case.id == case_id))
    for path, data in (
        (f"/cases/{refs['whatsapp']}/update", {"status": "resolved"}),
        (f"/cases/{refs['whatsapp']}/reply", {"text": "hello"}),
        (f"/cases/{refs['email']}/merge", {"into": refs["whatsapp"]}),
        (f"/cases/{refs['whatsapp']}/messages/1/frame", None),
    ):
        r = web.get(path) if data is None else web.post(path, data={**data, "csrf_token": csrf})
        assert r.status_code == 404, path
    with db.reading() as s:
        assert s.scalar(select(Case.status).where(Case.id == case_id)) == before
        assert s.scalar(select(CaseLink.id)) is None


def test_search_never_returns_out_of_scope_cases(
    world: World, web: TestClient, db: Database
) -> None:
    refs = seed(db)
    login(web, "agent@acme.test")
    for q, found in (
        (refs["email"], "email"),
        ("julie.martin@example.fr", "email"),
        ("JULIE.MARTIN@example.fr", "email"),
        ("06 98 76 54 32", "whatsapp"),
        ("Marc", "whatsapp"),
        ("manteau rouge", "whatsapp"),
        ("A-10492", "email"),
    ):
        assert listed(web.get("/inbox", params={"q": q}).text) == {refs[found]}, q

    web.cookies.clear()
    login(web, "agent@callpro.test")
    for q in (
        refs["whatsapp"],
        refs["globex"],
        "tom@example.co.uk",
        "Tom Baker",
        "red coat",
        "refund",
        "Marc",
        "+33698765432",
        "manteau",
    ):
        html = web.get("/inbox", params={"q": q, "status": "any"}).text
        assert listed(html) == set(), q
        rows = html.split("<tbody")[1]
        assert "Tom Baker" not in rows and "Marc Petit" not in rows, q
    # and what it may see, it finds
    assert listed(web.get("/inbox", params={"q": "julie.martin@example.fr"}).text) == {
        refs["email"]
    }


def test_filters_and_paging(world: World, web: TestClient, db: Database) -> None:
    refs = seed(db)
    ingest(
        db,
        [
            message(channel="chat", minutes=30 + i, text=f"question {i}", chat=f"visitor-{i}")
            for i in range(55)
        ],
    )
    login(web, "agent@acme.test")
    html = web.get("/inbox", params={"channel": "whatsapp"}).text
    assert refs["whatsapp"] in html and refs["email"] not in html
    first = web.get("/inbox").text
    assert first.count("data-case-row") == 50 and "/inbox/rows?" in first
    more = first.split('hx-get="')[-1].split('"')[0].replace("&amp;", "&")
    rest = web.get(more)
    assert rest.status_code == 200 and rest.text.count("data-case-row") == 7
    assert refs["email"] in rest.text
    assert web.get("/inbox", params={"sla": "late"}).status_code == 422
    assert web.get("/inbox/rows", params={"cursor": "bogus"}).status_code == 422
    assert web.get("/inbox", params={"sla": "breached"}).text.count("data-case-row") == 0


def test_message_text_is_escaped_and_html_only_in_a_sandboxed_frame(
    world: World, web: TestClient, db: Database
) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    ingest(
        db,
        [
            message(
                subject="<b>hi</b>",
                text=hostile,
                email="eve@example.fr",
            )
        ],
    )
    with db.transaction() as s:
        m = s.scalars(select(Message)).one()
        m.html = '<p>Hello <img src="https://tracker.example/p.gif"></p>'
        ref_id = m.case_id
    login(web, "agent@acme.test")
    ref = f"AC-{ref_id:06d}"
    html = web.get(f"/cases/{ref}").text
    assert "<script>alert(1)" not in html and 'onerror="alert' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "sandbox title=" in html or "sandbox " in html
    frame = web.get(f"/cases/{ref}/messages/{m.id}/frame")
    assert frame.status_code == 200
    csp = frame.headers["content-security-policy"]
    assert "img-src data:;" in csp and "default-src 'none'" in csp and "script" not in csp
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    shown = web.get(f"/cases/{ref}/messages/{m.id}/frame", params={"images": "1"})
    assert "img-src https: data:" in shown.headers["content-security-policy"]


def test_merge_split_undo_and_reason_from_the_case_page(
    world: World, web: TestClient, db: Database
) -> None:
    refs = seed(db)
    csrf = login(web, "agent@acme.test")
    r = web.post(
        f"/cases/{refs['whatsapp']}/merge", data={"into": refs["email"], "csrf_token": csrf}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{refs['email']}"
    # the merged case redirects to the one it joined
    assert web.get(f"/cases/{refs['whatsapp']}").headers["location"] == f"/cases/{refs['email']}"
    page = web.get(f"/cases/{refs['email']}").text
    assert "Le remboursement du manteau rouge" in page  # one timeline, both channels
    assert "ch-whatsapp" in page and "ch-email" in page
    with db.reading() as s:
        link = s.scalars(select(CaseLink)).one()
    r = web.post(f"/case-links/{link.id}/undo", data={"csrf_token": csrf})
    assert r.status_code == 303
    with db.reading() as s:
        assert s.get(Case, int(refs["whatsapp"].split("-")[1])).merged_into_id is None  # type: ignore[union-attr]
    # merging into a case of another brand: 404 (not visible), nothing written
    r = web.post(f"/cases/{refs['email']}/merge", data={"into": refs["globex"], "csrf_token": csrf})
    assert r.status_code == 404
    # the reason correction path
    r = web.post(f"/cases/{refs['email']}/update", data={"reason": "refund", "csrf_token": csrf})
    assert r.status_code == 303
    r = web.post(f"/cases/{refs['email']}/update", data={"reason": "no-such", "csrf_token": csrf})
    assert r.status_code == 422
    with db.reading() as s:
        case = s.get(Case, int(refs["email"].split("-")[1]))
        assert case is not None and case.reason == "refund" and case.reason_confidence is None


def test_internal_note_and_reply_refusals(world: World, web: TestClient, db: Database) -> None:
    refs = seed(db)
    csrf = login(web, "agent@acme.test")
    r = web.post(
        f"/cases/{refs['email']}/reply",
        data={"text": "Vu avec le transporteur", "internal_note": "1", "csrf_token": csrf},
    )
    assert r.status_code == 303
    page = web.get(f"/cases/{refs['email']}").text
    assert "Vu avec le transporteur" in page and "tl-note" in page
    # no sending account for the brand: refused, shown, draft kept, nothing written
    r = web.post(
        f"/cases/{refs['whatsapp']}/reply",
        data={"text": "Bonjour Marc, draft", "channel": "whatsapp", "csrf_token": csrf},
    )
    assert r.status_code in (409, 422)
    assert 'role="alert"' in r.text and "Bonjour Marc, draft" in r.text
    with db.reading() as s:
        assert s.scalar(select(Message.id).where(Message.direction == "outbound")) is None


def test_the_case_view_names_rules_and_queues_in_the_users_language(
    world: World, web: TestClient, db: Database
) -> None:
    """Why a message joined its case, how an identity was linked and the queue are shown
    by name (``same order number``), not by the stored key (``order_number``)."""
    refs = seed(db)
    ingest(
        db,
        [
            message(
                channel="whatsapp",
                minutes=30,
                text="Toujours rien pour la commande A-10492 ?",
                whatsapp="+33611223344",
                name="Julie Martin",
            )
        ],
    )
    login(web, "agent@acme.test")
    web.cookies.set(LANG_COOKIE, "fr")
    fr = web.get(f"/cases/{refs['email']}").text
    assert "même numéro de commande" in fr and "nouvelle demande" in fr
    assert "identifiant du canal" in fr and "Par défaut" in fr
    for key in ("order_number", "new_request", "channel_identity", ">default<"):
        assert key not in fr, key
    web.cookies.set(LANG_COOKIE, "en")
    en = web.get(f"/cases/{refs['email']}").text
    assert "same order number" in en and "own id" in en and "Default" in en
