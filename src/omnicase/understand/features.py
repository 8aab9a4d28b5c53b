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
  request, its value never is;
* head words (``^annuler``, ``^annuler ma``): the request's first one to three words once
  the greeting is skipped, apart from the same words further down, because the request's
  verb usually comes first;
* character 5-grams across word boundaries (``e com`` in "annule commande"): word pairs
  still recognisable when one of the two words is misspelt or inflected.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Final

from omnicase.understand._text import prepare, words

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

#: How many words of the request's head become ``^`` features.
HEAD_WORDS: Final = 3
#: Length of the character n-grams taken across word boundaries.
CROSS_N: Final = 5

#: Greetings, forms of address and subject markers skipped before the head words (folded).
GREETING: Final = frozenset(
    words(
        "bonjour bonsoir salut coucou rebonjour re hello hi hey hiya dear cher chere chers"
        " madame monsieur mme mr mrs ms mx sir madam messieurs mesdames all everyone there"
        " good morning afternoon evening hallo guten tag morgen abend liebe lieber sehr"
        " geehrte geehrter damen herren hola buenos buenas dias tardes estimados estimado"
        " buongiorno buonasera ciao salve gentile gentili goedemorgen goedemiddag goedendag"
        " hoi beste geachte ola oi bom boa dia tarde prezados caros equipe team service"
        " client clients clientele customer support sav objet subject tr fw fwd"
    )
)


def shape(token: str) -> str:
    """The word a token stands for: a digit run's shape, an SMS spelling's word."""
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
    word = shape(token)
    return ["=" + word, *char_grams(word)]


def head_words(shaped: Sequence[str]) -> list[str]:
    """The request's first one, two and ``HEAD_WORDS`` words after the greeting, as
    ``^`` features (``^annuler``, ``^annuler ma``, ``^annuler ma commande``)."""
    start = 0
    while start < len(shaped) and shaped[start] in GREETING:
        start += 1
    head = shaped[start : start + HEAD_WORDS]
    return ["^" + " ".join(head[:k]) for k in range(1, len(head) + 1)]


def cross_grams(shaped: Sequence[str]) -> list[str]:
    """The definition: character n-grams of the words joined by spaces that hold a space
    (the ones inside a word are already ``char_grams``). ``context_features`` computes
    the same multiset as ``pair_features`` + ``spanning_grams``, which inference caches."""
    text = " ".join(shaped)
    n = CROSS_N
    return [g for g in (text[i : i + n] for i in range(len(text) - n + 1)) if " " in g]


def pair_features(a: str, b: str) -> list[str]:
    """What two neighbouring words give: their bigram and the cross-boundary n-grams that
    hold only the space between them (a function of the pair alone: cached at inference)."""
    pair = f"{a} {b}"
    cut, n = len(a), CROSS_N
    first, last = max(0, cut - n + 1), min(cut, len(pair) - n)
    return ["=" + pair, *(pair[i : i + n] for i in range(first, last + 1))]


def spanning_grams(shaped: Sequence[str]) -> list[str]:
    """The cross-boundary n-grams that hold two spaces or more, i.e. enclose a whole short
    word ("r ma c"): the rest of ``cross_grams`` beyond ``pair_features``."""
    n = CROSS_N
    offsets: list[int] = []
    end = -1
    for word in shaped:
        offsets.append(end + 1)
        end += len(word) + 1
    starts: set[int] = set()
    for k in range(1, len(shaped) - 1):
        if len(shaped[k]) <= n - 2:  # the space before and after it fit in one n-gram
            before, after = offsets[k] - 1, offsets[k] + len(shaped[k])
            starts.update(range(max(0, after - n + 1), min(before, end - n) + 1))
    if not starts:
        return []
    text = " ".join(shaped)
    return [text[i : i + n] for i in sorted(starts)]


def context_features(tokens: Sequence[str]) -> list[str]:
    """The features that depend on a token's neighbours or position: word bigrams and
    cross-boundary n-grams, then head words (the per-token part is ``token_features``)."""
    shaped = [shape(t) for t in tokens[:MAX_TOKENS]]
    out = [f for a, b in pairwise(shaped) for f in pair_features(a, b)]
    out.extend(spanning_grams(shaped))
    out.extend(head_words(shaped))
    return out


def features(tokens: Sequence[str]) -> list[str]:
    """Feature strings of a message's folded tokens (repeats kept: counts are features)."""
    out: list[str] = []
    for token in tokens[:MAX_TOKENS]:
        out.extend(token_features(token))
    out.extend(context_features(tokens))
    return out


def text_tokens(text: str) -> list[str]:
    """Folded tokens of a raw text, as ``analyse`` computes them."""
    return prepare(text).tokens


def text_features(text: str) -> list[str]:
    """The analyzer handed to scikit-learn: raw text → feature strings."""
    return features(text_tokens(text))
