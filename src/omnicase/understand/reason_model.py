"""The trained reason model at run time: a safe file format and inference in plain numpy.

A model is one ``.npz`` archive (``numpy.load(allow_pickle=False)``: arrays only, nothing
executable) holding the vocabulary, the idf weights, the linear classifier's coefficients
and a JSON metadata blob (labels, softmax temperature, triage threshold, training figures,
hashes). Inference repeats what the scikit-learn pipeline it was exported from does
(TF-IDF over ``features.features``, L2 norm, ``X·W + b``, softmax of the scores divided by
the temperature fitted by cross-validation), so scikit-learn is needed to train,
never to classify. Each distinct token's feature indices are cached, so one message is a
handful of dictionary look-ups and one small gather from the coefficient matrix; so are
each pair of neighbouring tokens' (their bigram and cross-boundary n-grams).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from omnicase.understand._text import prepare
from omnicase.understand.features import (
    MAX_TOKENS,
    head_words,
    pair_features,
    shape,
    spanning_grams,
    token_features,
)

FORMAT: Final = "omnicase-reasons/1"
#: The packaged default model (built by ``omnicase model build`` from ``data/reasons``).
DEFAULT_MODEL_FILE: Final = "reasons.npz"
#: Distinct tokens (and token pairs) whose feature indices are kept per model; cleared when
#: full.
_TOKEN_CACHE_SIZE: Final = 200_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_EMPTY: Final[IntArray] = np.zeros(0, dtype=np.int64)


class ModelFormatError(ValueError):
    """The bytes are not a reason model this code can read."""


@dataclass(frozen=True, slots=True)
class Prediction:
    reason: str
    confidence: float


def _arrays_digest(arrays: dict[str, np.ndarray[Any, Any]]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        arr = np.ascontiguousarray(arrays[name])
        digest.update(name.encode() + str(arr.dtype).encode() + str(arr.shape).encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()


class ReasonModel:
    """A linear TF-IDF classifier over ``features.features``; immutable once built."""

    def __init__(
        self,
        labels: Sequence[str],
        vocabulary: Sequence[str],
        idf: FloatArray,
        coef: npt.NDArray[np.float32],
        intercept: FloatArray,
        meta: dict[str, Any],
    ) -> None:
        if coef.shape != (len(vocabulary), len(labels)) or idf.shape != (len(vocabulary),):
            raise ModelFormatError("coefficient, idf and vocabulary sizes disagree")
        self.labels: tuple[str, ...] = tuple(labels)
        self.vocabulary: dict[str, int] = dict(zip(vocabulary, range(len(vocabulary)), strict=True))
        self._terms = tuple(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.ascontiguousarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.meta = dict(meta)
        self.sublinear = bool(meta.get("sublinear_tf", True))
        self.threshold = float(meta.get("triage_threshold", 0.0))
        #: Softmax temperature fitted by cross-validation (calibrated probabilities).
        self.temperature = float(meta.get("temperature", 1.0))
        self.digest: str = meta.get("digest") or self._compute_digest()
        self._cache: dict[str, IntArray] = {}
        self._pairs: dict[tuple[str, str], IntArray] = {}
        self._intercept_t = self.intercept / self.temperature

    # ---- format ---------------------------------------------------------------------

    def _arrays(self) -> dict[str, np.ndarray[Any, Any]]:
        return {
            "labels": np.array(self.labels, dtype=np.str_),
            "vocabulary": np.array(self._terms, dtype=np.str_),
            "idf": self.idf,
            "coef": self.coef,
            "intercept": self.intercept,
        }

    def _compute_digest(self) -> str:
        return _arrays_digest(self._arrays())

    def to_bytes(self) -> bytes:
        """The ``.npz`` archive (compressed); metadata carries the arrays' digest."""
        meta = {**self.meta, "format": FORMAT, "digest": self._compute_digest()}
        buffer = io.BytesIO()
        blob = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
        np.savez_compressed(buffer, **{"meta": blob, **self._arrays()})  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ReasonModel:
        """Load an archive written by ``to_bytes``; refuses anything else (no pickles)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (OSError, ValueError) as exc:
            raise ModelFormatError(f"not a model archive: {exc}") from exc
        missing = {"meta", "labels", "vocabulary", "idf", "coef", "intercept"} - arrays.keys()
        if missing:
            raise ModelFormatError(f"model archive lacks {sorted(missing)}")
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        if meta.get("format") != FORMAT:
            raise ModelFormatError(f"unknown model format {meta.get('format')!r}")
        # The digest of the arrays as read (what ``to_bytes`` hashed): rebuilding the
        # vocabulary array from the model's strings to hash it cost more than the load.
        stored = {
            name: arrays[name] for name in ("labels", "vocabulary", "idf", "coef", "intercept")
        }
        if _arrays_digest(stored) != meta.get("digest"):
            raise ModelFormatError("model archive digest mismatch (corrupt or edited)")
        model = cls(
            arrays["labels"].tolist(),
            arrays["vocabulary"].tolist(),
            arrays["idf"],
            arrays["coef"],
            arrays["intercept"],
            meta,
        )
        return model

    # ---- inference ------------------------------------------------------------------

    def _remember(self, cache: dict[Any, IntArray], key: Any, found: Sequence[str]) -> IntArray:
        """The vocabulary indices of ``found``, kept in ``cache`` under ``key``."""
        vocab = self.vocabulary
        indices = np.fromiter((i for i in map(vocab.get, found) if i is not None), dtype=np.int64)
        if len(cache) >= _TOKEN_CACHE_SIZE:
            cache.clear()
        cache[key] = indices
        return indices

    def _token_indices(self, token: str) -> IntArray:
        found = self._cache.get(token)
        if found is None:
            found = self._remember(self._cache, token, token_features(token))
        return found

    def _pair_indices(self, pair: tuple[str, str]) -> IntArray:
        found = self._pairs.get(pair)
        if found is None:
            found = self._remember(self._pairs, pair, pair_features(*map(shape, pair)))
        return found

    def _indices(self, tokens: Sequence[str]) -> IntArray:
        """Feature indices of ``features.features(tokens)`` (as a multiset, any order)."""
        head = tokens[:MAX_TOKENS]
        vocab = self.vocabulary
        parts = [self._token_indices(t) for t in head]
        parts.extend(map(self._pair_indices, pairwise(head)))
        shaped = [shape(t) for t in head]
        found = map(vocab.get, spanning_grams(shaped) + head_words(shaped))
        rest = [i for i in found if i is not None]
        if rest:
            parts.append(np.array(rest, dtype=np.int64))
        return np.concatenate(parts) if parts else _EMPTY

    def _tf(self, counts: npt.NDArray[Any]) -> FloatArray:
        tf = counts.astype(np.float64)
        return np.log(tf) + 1.0 if self.sublinear else tf

    def scores_tokens(self, tokens: Sequence[str]) -> FloatArray:
        """Class probabilities for one message's folded tokens (a few small numpy calls:
        this runs once per ingested message)."""
        idx = self._indices(tokens)
        if idx.size:
            terms, counts = np.unique(idx, return_counts=True)
            weights = self.idf[terms]
            weights = weights * (np.log(counts) + 1.0) if self.sublinear else weights * counts
            scale = 1.0 / (math.sqrt(weights @ weights) * self.temperature)
            z = (weights @ self.coef[terms]) * scale + self._intercept_t
        else:
            z = self._intercept_t
        e = np.exp(z - z.max())
        return e / e.sum()  # type: ignore[no-any-return]

    def predict_tokens(self, tokens: Sequence[str]) -> Prediction:
        p = self.scores_tokens(tokens)
        best = int(p.argmax())
        return Prediction(self.labels[best], round(float(p[best]), 4))

    def predict(self, text: str) -> Prediction:
        return self.predict_tokens(prepare(text).tokens)

    def probabilities(self, texts: Iterable[str]) -> FloatArray:
        """Class probabilities of many texts at once (rows in input order), vectorised."""
        token_lists = [prepare(t).tokens for t in texts]
        return self.probabilities_tokens(token_lists)

    def probabilities_tokens(self, token_lists: Sequence[Sequence[str]]) -> FloatArray:
        """Many messages at once: one sparse TF-IDF matrix (scipy's CSR, whose product
        runs in C without an nnz x K temporary), one product with the coefficients."""
        from scipy.sparse import csr_matrix

        n, v = len(token_lists), len(self._terms)
        per_message = [self._indices(tokens) for tokens in token_lists]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(i) for i in per_message], out=indptr[1:])
        indices = np.concatenate(per_message) if indptr[-1] else _EMPTY
        x = csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, v))
        x.sum_duplicates()  # data = each feature's count in its message
        x.data = self._tf(x.data) * self.idf[x.indices]
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        z = np.asarray(x @ self.coef, dtype=np.float64) / (norms[:, None] * self.temperature)
        z += self._intercept_t
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return np.asarray(p / p.sum(axis=1, keepdims=True), dtype=np.float64)

    def predict_many(self, texts: Iterable[str]) -> list[Prediction]:
        p = self.probabilities(texts)
        best = p.argmax(axis=1)
        return [Prediction(self.labels[b], round(float(p[i, b]), 4)) for i, b in enumerate(best)]


#: Loaded models of this process by digest. Messages prepared in worker processes name
#: their brand's model by digest (pickling 2 MB of arrays with every message would cost
#: more than classifying it); ``register`` / ``registered`` resolve it on either side.
_REGISTRY: dict[str, ReasonModel] = {}
_ARCHIVES: dict[str, bytes] = {}


def register(model: ReasonModel, archive: bytes | None = None) -> str:
    _REGISTRY.setdefault(model.digest, model)
    if archive is not None:
        _ARCHIVES.setdefault(model.digest, archive)
    return model.digest


def registered(digest: str) -> ReasonModel:
    """The model with this digest, loaded in this process (the packaged one on demand)."""
    model = _REGISTRY.get(digest)
    if model is None:
        packaged = default_model()
        if packaged is None or packaged.digest != digest:
            raise KeyError(f"reason model {digest[:12]} is not loaded in this process")
        model = packaged
    return model


def archives(digests: Iterable[str]) -> dict[str, bytes]:
    """The archives of these registered models (for handing them to worker processes)."""
    return {d: _ARCHIVES[d] for d in digests if d in _ARCHIVES}


def load_archives(blobs: dict[str, bytes]) -> None:
    for blob in blobs.values():
        model_from_bytes(blob)


@lru_cache(maxsize=64)
def model_from_bytes(data: bytes) -> ReasonModel:
    """One loaded model per distinct archive and process (versions are immutable)."""
    model = ReasonModel.from_bytes(data)
    register(model, data)
    return model


def default_model_bytes() -> bytes:
    return (resources.files("omnicase.understand.models") / DEFAULT_MODEL_FILE).read_bytes()


@lru_cache(maxsize=1)
def default_model() -> ReasonModel | None:
    """The packaged model, or ``None`` if this install has none (the lexicon then decides)."""
    try:
        data = default_model_bytes()
    except FileNotFoundError:
        return None
    return ReasonModel.from_bytes(data)
