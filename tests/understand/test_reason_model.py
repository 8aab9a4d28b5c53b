"""The trained reason model: safe format, numpy inference equal to scikit-learn's, the
shipped model built from the shipped corpus, accuracy floors, triage."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from omnicase.understand import analyse, classify_reason
from omnicase.understand._text import prepare
from omnicase.understand.analysis import analyse_many
from omnicase.understand.corpus import corpus_digest, load_split
from omnicase.understand.reason_model import (
    ModelFormatError,
    ReasonModel,
    default_model,
    default_model_bytes,
)
from tests.understand.conftest import CORPUS


@pytest.fixture(scope="module")
def small(mini_corpus):  # type: ignore[no-untyped-def]
    from omnicase.understand import training

    rows = load_split(mini_corpus, "train")
    texts, labels = [r.text for r in rows], [r.reason for r in rows]
    model, cv = training.train_model(rows)
    pipeline = training.fit_pipeline(texts, labels)
    return model, pipeline, cv, load_split(mini_corpus, "heldout")


def test_numpy_inference_equals_the_sklearn_pipeline(small) -> None:  # type: ignore[no-untyped-def]
    from omnicase.understand.training import softmax

    model, pipeline, _, heldout = small
    texts = [r.text for r in heldout] + ["", "?", "A-10492", "colis" * 50]
    expected = softmax(pipeline.decision_function(texts), model.temperature)
    batch = model.probabilities(texts)
    single = np.array([model.scores_tokens(prepare(t).tokens) for t in texts])
    assert np.abs(batch - expected).max() < 1e-4
    assert np.abs(single - batch).max() < 1e-9
    assert list(pipeline.classes_[expected.argmax(axis=1)]) == [
        model.labels[i] for i in batch.argmax(axis=1)
    ]


def test_archive_round_trip_and_refusals(small) -> None:  # type: ignore[no-untyped-def]
    model = small[0]
    data = model.to_bytes()
    again = ReasonModel.from_bytes(data)
    assert again.digest == model.digest and again.labels == model.labels
    texts = ["mon colis n'est pas arrivé", "I want a refund"]
    assert np.allclose(again.probabilities(texts), model.probabilities(texts))
    with pytest.raises(ModelFormatError):
        ReasonModel.from_bytes(pickle.dumps({"coef": [1, 2]}))
    # an object array would need pickle to load: refused, never executed
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ModelFormatError):
        ReasonModel.from_bytes(buffer.getvalue())
    tampered = {name: arr for name, arr in np.load(io.BytesIO(data)).items()}
    tampered["intercept"] = tampered["intercept"] + 1.0
    buffer = io.BytesIO()
    np.savez(buffer, **tampered)
    with pytest.raises(ModelFormatError, match="digest"):
        ReasonModel.from_bytes(buffer.getvalue())


def test_triage_threshold_chosen_by_cross_validation(small) -> None:  # type: ignore[no-untyped-def]
    model, _, cv, _ = small
    assert 0.0 <= model.threshold < 1.0
    assert model.meta["cv_precision_above_threshold"] >= 0.95 or (
        model.meta["cv_triage_share"] >= 0.29
    )
    assert model.meta["cv_macro_f1"] == cv.macro_f1()


def test_shipped_model_is_built_from_the_shipped_corpus() -> None:
    model = default_model()
    assert model is not None
    assert model.meta["corpus_digest"] == corpus_digest(CORPUS, "train"), (
        "data/reasons/train changed: run `omnicase model build` and commit the model"
    )
    assert sum(model.meta["authors"].values()) == len(load_split(CORPUS, "train"))
    assert ReasonModel.from_bytes(default_model_bytes()).digest == model.digest


@pytest.mark.slow
def test_training_command_reproduces_the_shipped_model() -> None:
    from omnicase.understand.evaluate import build_default

    shipped = default_model()
    assert shipped is not None
    rebuilt = build_default(CORPUS)
    assert rebuilt.labels == shipped.labels
    assert list(rebuilt.vocabulary) == list(shipped.vocabulary)
    assert np.allclose(rebuilt.coef, shipped.coef, atol=1e-5)
    assert rebuilt.threshold == pytest.approx(shipped.threshold, abs=1e-3)
    heldout = [r.text for r in load_split(CORPUS, "heldout")]
    assert [p.reason for p in rebuilt.predict_many(heldout)] == [
        p.reason for p in shipped.predict_many(heldout)
    ]


def test_shipped_model_on_the_heldout_split() -> None:
    """A floor at today's figure (docs/benchmarks.md), not the target: it catches a
    model that got worse."""
    from omnicase.understand.training import scores

    model = default_model()
    assert model is not None
    heldout = load_split(CORPUS, "heldout")
    predicted = [p.reason for p in model.predict_many(r.text for r in heldout)]
    assert scores([r.reason for r in heldout], predicted).macro_f1 >= 0.905


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bjr mon colis est tjrs pas arrivé", "delivery"),
        ("MON COLIS EST TOUJOURS PAS ARRIVE", "delivery"),
        ("rembourssement svp ça fait 3 semaines", "refund"),
        ("where is my refund??", "refund"),
        ("mot de passe oublié impossible de me connecter", "account"),
        ("I can't log in to my account", "account"),
        ("mon code promo ne fonctionne pas", "promotion"),
        ("la taille 38 sera dispo quand ?", "availability"),
        ("comment retourner un article ?", "return"),
        ("paiement refusé avec ma carte", "payment"),
    ],
)
def test_clear_requests(text: str, expected: str) -> None:
    assert classify_reason(text)[0] == expected
    assert analyse(text).reason == expected


def test_no_words_is_other_and_never_triage() -> None:
    for text in ("", "?", "😀 !!"):
        result = analyse(text)
        assert (result.reason, result.triage) == ("other", False)


def test_vague_text_goes_to_triage() -> None:
    model = default_model()
    assert model is not None and model.threshold > 0
    vague = analyse("bonjour j ai un souci")
    assert vague.triage and vague.reason_confidence < model.threshold
    clear = analyse("Bonjour, mon colis n'est toujours pas livré, le suivi ne bouge plus")
    assert not clear.triage


def test_batch_analysis_equals_one_by_one() -> None:
    texts = [r.text for r in load_split(CORPUS, "heldout")[:80]] + ["", "ok merci"]
    assert analyse_many(texts) == [analyse(t) for t in texts]
