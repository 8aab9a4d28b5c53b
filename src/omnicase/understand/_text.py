"""Text primitives shared by every analyser: folding, tokenising, the aligned ASCII view.

Everything is built once at import so that preparing a message is a handful of C-level
calls. The key structure is ``Prepared.view``: the text lowercased and accent-folded to
ASCII *character for character*, so a regex run on the view (fast: plain ASCII, no
IGNORECASE, literal first characters) returns spans that slice the raw text "as written".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple


def _build_fold_table() -> dict[int, str | None]:
    """Map accented Latin letters to their base letter, ligatures to two letters.

    Built from Unicode decomposition over the Latin blocks so it is complete without a
    hand-written list; applied to already-lowercased text.
    """
    table: dict[int, str | None] = {}
    for code in range(0x00C0, 0x0250):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if base and base != ch and base.isascii():
            table[code] = base.lower()
    table.update(
        {
            ord("œ"): "oe",
            ord("æ"): "ae",
            ord("ß"): "ss",
            ord("ø"): "o",
            ord("ł"): "l",
            ord("đ"): "d",
            ord("ı"): "i",
            ord("’"): "'",
            ord("‘"): "'",
            ord("ʼ"): "'",
        }
    )
    # Combining marks (text typed in decomposed form, e.g. "e" + U+0301) simply vanish.
    for code in range(0x0300, 0x0370):
        table[code] = None
    return table


_FOLD_TABLE: Final = _build_fold_table()


def words(text: str) -> tuple[str, ...]:
    """Split a space-separated word list: keeps long lexicons readable in the source."""
    return tuple(text.split())


def fold(text: str) -> str:
    """Lowercase and strip accents, so "Livrée" and "livree" compare equal.

    Customers type without accents on phones; every lexicon in this package is folded too.
    Characters without an ASCII base (€, emoji, other scripts) are kept.
    """
    low = text.lower()
    return low if low.isascii() else low.translate(_FOLD_TABLE)


#: A token is a run of letters or digits (any script); "_" and punctuation separate tokens,
#: so "n'est" gives "n", "est" and "A-10492" gives "a", "10492".
TOKEN_RE: Final = re.compile(r"[^\W_]+")

#: ASCII punctuation to spaces: on ASCII text ``translate`` + ``split`` tokenises several
#: times faster than a regex ``findall``.
_ASCII_SPLIT: Final = str.maketrans(
    {c: " " for c in map(chr, range(128)) if not (c.isascii() and c.isalnum())}
)

#: One-for-one replacements applied before decomposition, so that common non-ASCII
#: punctuation keeps the view aligned; "€", "£" and "°" become "?" (the raw text tells
#: which one it was).
_PRE_FOLD: Final = (
    ("’", "'"),
    ("‘", "'"),
    ("€", "?"),
    ("£", "?"),
    ("«", '"'),
    ("»", '"'),
    ("“", '"'),
    ("”", '"'),
    ("–", "-"),
    ("—", "-"),
    ("…", "."),
    ("°", "?"),
    ("\u00a0", " "),
    ("\u202f", " "),
)
_MARKS: Final = re.compile("[\u0300-\u036f]+")
_NON_ASCII: Final = re.compile("[^\x00-\x7f]")


def _ascii_view(low: str) -> tuple[str, bool]:
    """(view, lossy): ``low`` folded to ASCII one character for one.

    Accented Latin letters become their base letter; anything else non-ASCII becomes "?".
    ``lossy`` says letters of another script (or ligatures) were turned into "?", so
    tokens must be taken from the Unicode text instead.
    """
    for src, dst in _PRE_FOLD:
        if src in low:
            low = low.replace(src, dst)
    decomposed = unicodedata.normalize("NFD", low)
    view = decomposed.encode("ascii", "ignore").decode("ascii")
    if len(view) == len(low):
        # NFD only added combining marks and ``ignore`` dropped exactly those.
        return view, False
    stripped = _MARKS.sub("", decomposed)
    if len(stripped) != len(low):  # e.g. Hangul decomposes into several letters
        stripped = low
    lossy = any(c.isalnum() for c in _NON_ASCII.findall(stripped))
    return stripped.encode("ascii", "replace").decode("ascii"), lossy


class Prepared(NamedTuple):
    """One message pre-processed once and shared by all analysers of ``analyse()``."""

    text: str
    """The raw text, for extractors that must return substrings as written."""
    lowered: str
    """``text.lower()`` with accents kept (they are language evidence)."""
    view: str
    """Lowercase ASCII fold of ``text``, aligned character for character with it."""
    spaced: str
    """``view`` with every non-alphanumeric character turned into a space (still aligned)."""
    tokens: list[str]
    """Folded tokens in order."""
    unique: dict[str, None]
    """Distinct tokens in order of first appearance (cheaper than a ``Counter``)."""
    norm: str
    """``" " + " ".join(tokens)``: the string phrase lexicons are matched against."""


def prepare(text: str) -> Prepared:
    """Fold, align and tokenise ``text`` once for all analysers."""
    low = text.lower()
    if low.isascii():
        view, lossy = low, False
    else:
        if len(low) != len(text):  # "İ".lower() is two characters: keep alignment
            low = "".join(c.lower()[0] for c in text)
        view, lossy = _ascii_view(low)
    spaced = view.translate(_ASCII_SPLIT)
    if lossy:
        tokens: list[str] = TOKEN_RE.findall(low.translate(_FOLD_TABLE))
    else:
        tokens = spaced.split()
    return Prepared(text, low, view, spaced, tokens, dict.fromkeys(tokens), " " + " ".join(tokens))


def normalise_phrase(phrase: str) -> str:
    """Bring a lexicon phrase to the form of ``Prepared.norm`` (keeps a trailing ``*``)."""
    star = phrase.endswith("*")
    body = " ".join(prepare(phrase.rstrip("*")).tokens)
    return body + ("*" if star else "")


#: Bytes that are not ASCII digits / not uppercase letters, for counting with
#: ``bytes.translate(None, delete)`` (a C loop, no per-character objects).
_NOT_DIGIT: Final = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)
_NOT_UPPER: Final = bytes(
    b for b in range(256) if not (0x41 <= b <= 0x5A or (0xC0 <= b <= 0xDE and b != 0xD7))
)


def count_digits(view: str) -> int:
    """Number of ASCII digits in an ASCII view."""
    return len(view.encode("ascii").translate(None, _NOT_DIGIT))


def count_upper(text: str) -> int:
    """Number of uppercase letters in ``text`` (ASCII and Latin-1 accented capitals)."""
    return len(text.encode("latin-1", "replace").translate(None, _NOT_UPPER))
