"""Features of the reason model, shared by training (scikit-learn) and inference (numpy).

One function turns a message's folded tokens (``_text.prepare``: lowercase, accents
stripped, punctuation gone) into feature strings, so the model cannot drift between the
two: the exported vocabulary is the one scikit-learn learnt from these strings.

* SMS spellings are mapped to words first ("bjr", "cmd", "rbt", "pk"), so "cmd pas recu"
  and "commande pas reçue" share their word features;
* word unigrams (``=word``) and bigrams (``=w1 w2``): the phrasing;
* character 3- to 5-grams inside each word with its boundaries (``<livr``, ``aison>``):
  typos, plurals and conjugations ("remboursé", "rembourssement") still share most of them;
* digit runs become their shape (``=#5``): an order number is evidence of an order-ish
  request, its value never is.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from omnicase.understand._text import prepare

#: Only the head of a message feeds the model: what the customer asks is at the top, and a
#: pasted thread must not cost more than a paragraph.
MAX_TOKENS: Final = 256

#: SMS / chat spellings → the word they stand for (folded). Short on purpose: only forms
#: frequent enough in customer chats to matter; char n-grams catch the long tail.
SMS: Final[dict[str, str]] = {
    "bjr": "bonjour",
    "bjour": "bonjour",
    "bsr": "bonsoir",
    "slt": "salut",
    "cmd": "commande",
    "cde": "commande",
    "comande": "commande",
    "rbt": "remboursement",
    "rmb": "remboursement",
    "remb": "remboursement",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pcq": "parce",
    "tjrs": "toujours",
    "tjr": "toujours",
    "tjs": "toujours",
    "qd": "quand",
    "qnd": "quand",
    "pr": "pour",
    "ds": "dans",
    "bcp": "beaucoup",
    "dsl": "desole",
    "mtn": "maintenant",
    "jsuis": "suis",
    "chui": "suis",
    "stp": "svp",
    "mdp": "motdepasse",
    "cb": "carte",
    "colissimo": "transporteur",
    "chronopost": "transporteur",
    "mondial": "transporteur",
    "ups": "transporteur",
    "dpd": "transporteur",
    "gls": "transporteur",
    "dhl": "transporteur",
    "fedex": "transporteur",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "u": "you",
    "ur": "your",
    "r": "are",
    "pwd": "password",
    "acct": "account",
    "wat": "what",
    "wen": "when",
    "recieved": "received",
    "recived": "received",
    "refnd": "refund",
    "pkg": "package",
}

_MIN_N: Final = 3
_MAX_N: Final = 5


def _shape(token: str) -> str:
    if token.isdigit():
        return f"#{min(len(token), 9)}"
    return SMS.get(token, token)


def char_grams(word: str) -> list[str]:
    """Character n-grams of ``<word>``; a digit shape has none (its word feature is enough)."""
    if word.startswith("#"):
        return []
    padded = f"<{word}>"
    size = len(padded)
    return [padded[i : i + n] for n in range(_MIN_N, _MAX_N + 1) for i in range(size - n + 1)]


def token_features(token: str) -> list[str]:
    """Everything one token contributes on its own: its word feature and its char n-grams."""
    word = _shape(token)
    return ["=" + word, *char_grams(word)]


def features(tokens: Sequence[str]) -> list[str]:
    """Feature strings of a message's folded tokens (repeats kept: counts are features)."""
    head = tokens[:MAX_TOKENS]
    out: list[str] = []
    for token in head:
        out.extend(token_features(token))
    shaped = [_shape(t) for t in head]
    out.extend(f"={a} {b}" for a, b in pairwise(shaped))
    return out


def bigrams(tokens: Sequence[str]) -> list[str]:
    """Only the word bigram features (the per-token part is cached at inference)."""
    shaped = [_shape(t) for t in tokens[:MAX_TOKENS]]
    return [f"={a} {b}" for a, b in pairwise(shaped)]


def text_tokens(text: str) -> list[str]:
    """Folded tokens of a raw text, as ``analyse`` computes them."""
    return prepare(text).tokens


def text_features(text: str) -> list[str]:
    """The analyzer handed to scikit-learn: raw text → feature strings."""
    return features(text_tokens(text))
