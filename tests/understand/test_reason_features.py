"""The reason model's feature strings: head words after the greeting, cross-boundary
character n-grams, and the cached decomposition inference uses."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest

from omnicase.understand._text import prepare
from omnicase.understand.corpus import load_split
from omnicase.understand.features import (
    MAX_TOKENS,
    context_features,
    cross_grams,
    pair_features,
    shape,
    spanning_grams,
    text_features,
)
from omnicase.understand.reason_model import default_model
from tests.understand.conftest import CORPUS


def test_head_words_skip_the_greeting() -> None:
    found = [f for f in text_features("Bonjour Madame, annuler ma cmd A-10492 svp") if f[0] == "^"]
    assert found == ["^annuler", "^annuler ma", "^annuler ma commande"]
    assert [f for f in text_features("Bonjour madame") if f[0] == "^"] == []
    assert "^where" in text_features("Hi team, where is my parcel?")


def test_cross_grams_hold_a_space_and_span_short_words() -> None:
    grams = cross_grams(["annuler", "ma", "commande"])
    assert all(len(g) == 5 and " " in g for g in grams)
    assert {"uler ", "er ma", "r ma ", " ma c", "ma co", " comm"} <= set(grams)
    assert "nnule" not in grams  # inside one word: that is char_grams' part
    assert cross_grams(["ab"]) == []


@pytest.mark.parametrize(
    "words",
    [[], ["a"], ["a", "b"], ["a", "b", "c", "d"], ["#5", "a", "b", "ccc", "d"], ["x" * 9] * 3],
)
def test_pairs_and_spanning_grams_are_the_cross_grams(words: list[str]) -> None:
    cached = [g for a, b in pairwise(words) for g in pair_features(a, b)[1:]]
    assert Counter(cached + spanning_grams(words)) == Counter(cross_grams(words))


def test_inference_indices_are_the_training_features() -> None:
    """``ReasonModel._indices`` (cached per token and per pair) looks up exactly the
    vocabulary entries of ``features.features``, as a multiset."""
    model = default_model()
    assert model is not None
    texts = [r.text for r in load_split(CORPUS, "train")[::7]] + ["", "?", "a b c", "ok"]
    for text in texts:
        tokens = prepare(text).tokens
        shaped = [shape(t) for t in tokens[:MAX_TOKENS]]
        assert Counter(f for f in context_features(tokens) if f[0] != "^" and f[0] != "=") == (
            Counter(cross_grams(shaped))
        )
        expected = Counter(
            i for i in map(model.vocabulary.get, text_features(text)) if i is not None
        )
        assert Counter(model._indices(tokens).tolist()) == expected
