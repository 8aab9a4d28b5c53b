"""Compile a phrase lexicon into one trie-shaped regex over ``Prepared.norm``.

A naive alternation of hundreds of phrases makes the regex engine try every phrase at every
position; a trie shares prefixes, and a leading literal space lets the engine jump from
word start to word start. One pass then finds every lexicon phrase of a message (measured
faster than a Python loop over tokens, whose per-token overhead dominates).

Keys are normalised phrases (``normalise_phrase``): a trailing ``*`` matches any word
continuation ("livr*" matches "livraison"), otherwise the phrase must end on a word
boundary. At one position the longest phrase wins ("code promo" beats "code").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_Node = dict[str, "_Node | str"]

_END = ""  # key of the terminal marker inside a trie node


def _insert(root: _Node, key: str) -> None:
    prefix = key.endswith("*")
    word = key.rstrip("*")
    node = root
    for ch in word:
        child = node.setdefault(ch, {})
        assert isinstance(child, dict)
        node = child
    # A prefix key subsumes an exact key on the same word.
    if prefix or node.get(_END) != "*":
        node[_END] = "*" if prefix else "$"


def _to_regex(node: _Node) -> str:
    alts: list[str] = []
    for ch in sorted(k for k in node if k != _END):
        child = node[ch]
        assert isinstance(child, dict)
        alts.append(re.escape(ch) + _to_regex(child))
    terminal = node.get(_END)
    if terminal == "$":
        alts.append(r"(?![^ ])")  # next char is a space or the end: a whole word
    elif terminal == "*":
        alts.append("")  # any continuation: the empty alternative, tried last
    if not alts:
        return ""
    if len(alts) == 1:
        return alts[0]  # never has a top-level "|": children are wrapped below
    return "(?:" + "|".join(alts) + ")"


def compile_trie(keys: Iterable[str]) -> re.Pattern[str]:
    """Regex matching ``" " + key`` for any key, longest key first at one position.

    The matched text minus its leading space is the key without its ``*``.
    """
    root: _Node = {}
    for key in keys:
        if key.rstrip("*"):
            _insert(root, key)
    return re.compile(" " + _to_regex(root))
