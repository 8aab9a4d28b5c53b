"""The learning loop, on SQLite and PostgreSQL: an agent's correction is stored, ``model
train`` learns it (a brand's own reason too), activates the new version, the next ingested
message gets the corrected reason; a worse model is refused; rollback; triage and signals
on the case and in the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.api.app import create_app
from omnicase.ingest.pipeline import ingest, ingest_one
from omnicase.model import Case, Organisation, ReasonCorrection, ReasonModelVersion
from omnicase.services import reason_models
from omnicase.services.cases import ActionError, do_patch_case
from omnicase.store.db import Database
from omnicase.store.scope import Principal
from omnicase.understand.reason_model import ReasonModel
from omnicase.understand.taxonomy import TRIAGE, Taxonomy, TaxonomyError
from tests.factories import World, make_world, message
from tests.understand.conftest import write_sample

WARRANTY = [
    "Bonjour, ma cafetière est encore sous garantie ? Elle ne chauffe plus",
    "la garantie couvre la réparation de mon aspirateur ?",
    "Est-ce que la garantie marche si l'écran est rayé",
    "combien de temps dure la garantie constructeur",
    "Mon grille-pain est tombé en panne, je veux faire jouer la garantie",
    "extension de garantie possible pour le lave-linge ?",
    "garantie 2 ans ou 1 an sur le robot ?",
    "je voudrais activer la garantie de mon casque",
    "où envoyer le produit pour la garantie ?",
    "prise en charge sous garantie de la trottinette svp",
    "ma garantie a expiré hier, une solution ?",
    "la garantie commerciale est-elle incluse",
]


def agent(world: World, slug: str = "acme") -> Principal:
    return Principal(world.ids[f"{slug}:agent"], world.ids[slug], "brand", "agent", None)


@pytest.fixture(scope="module")
def loop_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 training rows per reason (a training run takes seconds) and the full held-out
    split, so that one row changing side moves macro-F1 by well under the refusal margin."""
    return write_sample(tmp_path_factory.mktemp("loop"), {"train": 30, "heldout": 10_000})


@pytest.fixture
def no_packaged_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The packaged model is trained on the whole corpus: beside it a 300-row model always
    looks worse. Here the first trained model is the yardstick."""
    monkeypatch.setattr(reason_models, "default_model", lambda: None)


def _set_settings(db: Database, world: World, **extra: object) -> None:
    with db.transaction() as s:
        acme = s.get(Organisation, world.ids["acme"])
        assert acme is not None
        acme.settings = {**acme.settings, **extra}


def _correct(db: Database, world: World, texts: list[str], reason: str, tag: str) -> None:
    results = ingest(
        db, [message(text=t, email=f"{tag}{i}@example.fr") for i, t in enumerate(texts)]
    )
    with db.transaction() as s:
        for r in results:
            case = s.get(Case, r.case_id)
            assert case is not None
            do_patch_case(s, case, {"reason": reason}, agent(world))


def test_taxonomy_from_brand_settings() -> None:
    t = Taxonomy.from_settings(
        {
            "reasons": {
                "rename": {"delivery": "livraison"},
                "remove": ["promotion"],
                "add": ["warranty"],
            }
        }
    )
    assert "livraison" in t.labels() and "delivery" not in t.labels()
    assert "promotion" not in t.labels() and t.labels()[-1] == "warranty"
    assert t.to_brand("delivery") == "livraison"
    assert t.to_brand("promotion") == "other"
    assert t.to_model("livraison") == "delivery" and t.to_model("warranty") == "warranty"
    assert t.to_model("delivery") is None  # renamed away: not one of this brand's labels
    for bad, field in (
        ({"reasons": {"remove": ["other"]}}, "settings.reasons.remove"),
        ({"reasons": {"rename": {"nope": "x"}}}, "settings.reasons.rename"),
        ({"reasons": {"add": [TRIAGE]}}, "settings.reasons.add"),
        ({"reasons": {"rename": {"order": "refund"}}}, "settings.reasons"),
    ):
        with pytest.raises(TaxonomyError) as exc:
            Taxonomy.from_settings(bad)
        assert exc.value.field == field


def test_agent_correction_is_stored_and_checked_against_the_brand(db: Database) -> None:
    world = make_world(db)
    _set_settings(db, world, reasons={"rename": {"delivery": "livraison"}})
    case_id = ingest_one(db, message(subject="Colis", text="Mon colis n'est pas arrivé")).case_id
    with db.transaction() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.reason == "livraison"  # the brand's label
        with pytest.raises(ActionError) as exc:
            do_patch_case(s, case, {"reason": "delivery"}, agent(world))
        assert exc.value.field == "reason" and exc.value.status == 422
        do_patch_case(s, case, {"reason": "refund"}, agent(world))
    with db.reading() as s:
        (corr,) = s.scalars(select(ReasonCorrection)).all()
        assert (corr.old_reason, corr.new_reason, corr.case_id) == ("livraison", "refund", case_id)
        assert corr.text == "Colis\nMon colis n'est pas arrivé"
        assert corr.user_id == world.ids["acme:agent"] and corr.old_confidence is not None
        assert reason_models.corrections_for(s, world.ids["acme"]) == [
            (corr.text, "refund", reason_models.CORRECTION_WEIGHT)
        ]


@pytest.mark.slow
@pytest.mark.usefixtures("no_packaged_model")
def test_corrections_train_activate_and_the_next_message_follows(
    db: Database, loop_corpus: Path
) -> None:
    world = make_world(db)
    _set_settings(db, world, reasons={"add": ["warranty"]})
    first = reason_models.do_train(db, None, loop_corpus)
    assert first.activated and first.version == 1

    with pytest.raises(reason_models.ModelError, match="corrections"):
        reason_models.do_train(db, "acme", loop_corpus, min_corrections=10)
    _correct(db, world, WARRANTY, "warranty", "w")
    brand = reason_models.do_train(db, "acme", loop_corpus, min_corrections=10)
    assert brand.activated, brand.note
    assert brand.corrections == len(WARRANTY) and brand.version == 1

    # the next message to acme is read by acme's model; globex keeps the global one
    text = "Bonjour, la garantie de ma bouilloire s'applique-t-elle ?"
    case_id = ingest_one(db, message(text=text, email="new@example.fr")).case_id
    other = ingest_one(db, message(brand="globex", text=text, email="new@example.co.uk"))
    with db.reading() as s:
        assert s.get(Case, case_id).reason == "warranty"  # type: ignore[union-attr]
        assert s.get(Case, other.case_id).reason != "warranty"  # type: ignore[union-attr]

    listed = reason_models.list_models(db)
    assert [(m.brand, m.version, m.active) for m in listed] == [
        (None, 1, True),
        ("acme", 1, True),
    ]
    said = reason_models.do_rollback(db, "acme")
    assert "global model" in said
    case_id = ingest_one(db, message(text=text, email="later@example.fr")).case_id
    with db.reading() as s:
        assert s.get(Case, case_id).reason != "warranty"  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.usefixtures("no_packaged_model")
def test_a_worse_model_is_refused_and_the_active_one_stays(db: Database, loop_corpus: Path) -> None:
    world = make_world(db)
    good = reason_models.do_train(db, None, loop_corpus)
    assert good.activated
    # agents (wrongly) relabel sixty delivery requests as payment
    texts = [
        f"{opening} mon colis {n} {request}"
        for n in range(20)
        for opening, request in (
            ("Bonjour,", "n'est toujours pas arrivé, le suivi ne bouge plus"),
            ("Salut", "n'est toujours pas arrivé, le suivi ne bouge plus"),
            ("Bonjour,", "est marqué livré mais je n'ai rien reçu"),
        )
    ]
    _correct(db, world, texts, "payment", "p")
    worse = reason_models.do_train(db, None, loop_corpus)
    assert not worse.activated
    assert worse.heldout_macro_f1 < good.heldout_macro_f1 - reason_models.WORSE_MARGIN
    assert worse.note.startswith("refused")
    with db.reading() as s:
        active = s.scalars(select(ReasonModelVersion).where(ReasonModelVersion.active)).all()
        assert [m.id for m in active] == [good.id]
    text = "Bonjour, mon colis 99 n'est toujours pas arrivé, le suivi ne bouge plus"
    with db.reading() as s:
        blobs = dict(s.execute(select(ReasonModelVersion.id, ReasonModelVersion.blob)).all())
    refused = ReasonModel.from_bytes(blobs[worse.id])
    kept = ReasonModel.from_bytes(blobs[good.id])
    assert refused.predict(text).reason == "payment" != kept.predict(text).reason
    case_id = ingest_one(db, message(text=text, email="z@example.fr")).case_id
    with db.reading() as s:
        reason = s.get(Case, case_id).reason  # type: ignore[union-attr]
        assert reason in (kept.predict(text).reason, TRIAGE)
    assert "packaged model" in reason_models.do_rollback(db)
    with pytest.raises(reason_models.ModelError):
        reason_models.do_rollback(db)


def test_triage_and_signals_on_the_case_and_in_the_api(db: Database) -> None:
    world = make_world(db)
    vague = ingest_one(db, message(text="bonjour j ai un souci", email="v@example.fr"))
    angry = ingest_one(
        db,
        message(
            text="C'est la troisième fois que j'écris, colis A-10492 jamais livré, "
            "je vais saisir l'UFC-Que Choisir",
            email="a@example.fr",
        ),
    )
    with db.reading() as s:
        v = s.get(Case, vague.case_id)
        a = s.get(Case, angry.case_id)
        assert v is not None and a is not None
        assert v.reason == TRIAGE
        assert a.reason == "delivery" and a.priority == 2
        assert a.signals == ["legal_threat", "repeat_contact"]
    headers = {"Authorization": f"Bearer {world.tokens['acme:agent']}"}
    with TestClient(create_app(db)) as client:
        listed = client.get("/api/v1/cases?reason=triage", headers=headers).json()["items"]
        assert [c["id"] for c in listed] == [vague.case_id]
        assert listed[0]["triage"] is True and listed[0]["reason_confidence"] < 1
        ref = listed[0]["reference"]
        bad = client.patch(f"/api/v1/cases/{ref}", json={"reason": "nope"}, headers=headers)
        assert bad.status_code == 422
        done = client.patch(f"/api/v1/cases/{ref}", json={"reason": "other"}, headers=headers)
        assert done.status_code == 200, done.text
        body = done.json()
        assert (body["reason"], body["triage"], body["reason_confidence"]) == ("other", False, None)
        items = client.get("/api/v1/cases", headers=headers).json()["items"]
        shown = next(c for c in items if c["id"] == angry.case_id)
        assert shown["signals"] == ["legal_threat", "repeat_contact"] and shown["priority"] == 2
    with db.reading() as s:
        assert len(s.scalars(select(ReasonCorrection)).all()) == 1


def test_retraining_is_a_job_and_the_cli_lists_models(db: Database) -> None:
    from typer.testing import CliRunner

    from omnicase.cli import app
    from omnicase.jobs.registry import get_spec

    assert get_spec("reasons.retrain").queue == "models"
    runner = CliRunner()
    listed = runner.invoke(app, ["model", "list"], env={"OMNICASE_DATABASE_URL": db.url})
    assert listed.exit_code == 0 and "packaged model is in use" in listed.output
    refused = runner.invoke(app, ["model", "rollback"], env={"OMNICASE_DATABASE_URL": db.url})
    assert refused.exit_code == 2 and "no active model" in refused.output
    signals = runner.invoke(app, ["eval", "signals"])
    assert signals.exit_code == 0 and "legal_threat" in signals.output
