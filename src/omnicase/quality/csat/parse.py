"""Reading a customer's answer to "rate us 1–5" (pure, French and English).

Returns ``(rating, comment)``: the rating 1–5 or None when the text is not an answer
(then the message is an ordinary contact and nothing is recorded). Conservative on
purpose: a long message or a question is a new request, never a rating, because a rating
keeps the case resolved and a question hidden in it would go unanswered.
"""

from __future__ import annotations

import re
import unicodedata

MAX_ANSWER = 280

# "4/5", "4 sur 5", "8/10", "4 out of 5", "4 on 5"
_SCALED = re.compile(
    r"(?<![\d.,])(\d{1,2}(?:[.,]5)?)\s*(?:/|sur|out of|of|on)\s*(5|10)(?![\d])", re.IGNORECASE
)
_NOTE = re.compile(
    r"(?:note|rating|score|rate|je mets|i give|i'd give|i would give)\D{0,6}(\d{1,2})\b"
)
_LEADING = re.compile(r"^\s*(\d{1,2})(?:\s*(?:[-–—:,.!)]|étoiles?|etoiles?|stars?|\*)|\s|$)")
_STARS = re.compile(r"[★⭐🌟]")
_EMPTY_STARS = re.compile(r"[☆]")

# phrases, longest first matters: "pas du tout satisfait" before "satisfait"
_PHRASES: tuple[tuple[str, int], ...] = (
    ("pas du tout satisfait", 1),
    ("pas du tout contente", 1),
    ("pas du tout content", 1),
    ("pas satisfait du tout", 1),
    ("not at all satisfied", 1),
    ("very dissatisfied", 1),
    ("tres insatisfait", 1),
    ("tres decu", 1),
    ("tres mecontent", 1),
    ("extremely disappointed", 1),
    ("very disappointed", 1),
    ("tres satisfait", 5),
    ("tres satisfaite", 5),
    ("tres content", 5),
    ("very satisfied", 5),
    ("extremely satisfied", 5),
    ("very happy", 5),
    ("super merci", 5),
    ("parfait", 5),
    ("excellent", 5),
    ("genial", 5),
    ("top", 5),
    ("perfect", 5),
    ("great service", 5),
    ("amazing", 5),
    ("brilliant", 5),
    ("awesome", 5),
    ("au top", 5),
    ("pas satisfait", 2),
    ("pas content", 2),
    ("not satisfied", 2),
    ("insatisfait", 2),
    ("dissatisfied", 2),
    ("unhappy", 2),
    ("decu", 2),
    ("disappointed", 2),
    ("mecontent", 2),
    ("plutot satisfait", 4),
    ("assez satisfait", 4),
    ("fairly satisfied", 4),
    ("quite satisfied", 4),
    ("satisfait", 4),
    ("satisfaite", 4),
    ("satisfied", 4),
    ("content", 4),
    ("contente", 4),
    ("happy", 4),
    ("bien", 4),
    ("good", 4),
    ("tres bien", 5),
    ("very good", 5),
    ("moyen", 3),
    ("bof", 3),
    ("mouais", 3),
    ("average", 3),
    ("so-so", 3),
    ("so so", 3),
    ("meh", 3),
    ("ok", 3),
    ("okay", 3),
    ("correct", 3),
    ("nul", 1),
    ("nulle", 1),
    ("horrible", 1),
    ("terrible", 1),
    ("awful", 1),
    ("catastrophique", 1),
    ("lamentable", 1),
    ("mauvais", 2),
    ("bad", 2),
    ("poor", 2),
)
_PHRASES_BY_LENGTH = sorted(_PHRASES, key=lambda p: -len(p[0]))
_NEGATORS = ("pas ", "not ", "n'est pas ", "isn't ", "wasn't ", "ne ")
_EMOJI = {
    "👍": 5,
    "👌": 5,
    "😍": 5,
    "🥰": 5,
    "😀": 5,
    "😃": 5,
    "😊": 5,
    "🙂": 4,
    "😐": 3,
    "😕": 2,
    "🙁": 2,
    "☹": 2,
    "😞": 2,
    "👎": 1,
    "😡": 1,
    "😠": 1,
    "🤬": 1,
}
_WORD_NUMBERS = {
    "un": 1,
    "une": 1,
    "one": 1,
    "deux": 2,
    "two": 2,
    "trois": 3,
    "three": 3,
    "quatre": 4,
    "four": 4,
    "cinq": 5,
    "five": 5,
}


def _fold(text: str) -> str:
    """Lower case without accents (``très`` → ``tres``), apostrophes unified."""
    text = text.replace("’", "'").lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _scale(value: float, top: int) -> int | None:
    if value < 0 or value > top:
        return None
    if top == 10:
        value = value / 2
    rating = int(value + 0.5)  # 4.5/5 → 5, 7/10 → 4
    return min(5, max(1, rating))


def _phrase_rating(folded: str) -> tuple[int | None, tuple[int, int] | None]:
    for phrase, rating in _PHRASES_BY_LENGTH:
        m = re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w])", folded)
        if m is None:
            continue
        before = folded[max(0, m.start() - 12) : m.start()]
        if rating >= 3 and any(before.endswith(n) for n in _NEGATORS):
            return 2, m.span()  # "pas bien", "not good"
        return rating, m.span()
    return None, None


def _strip_span(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return text
    return (text[: span[0]] + " " + text[span[1] :]).strip()


def _clean_comment(text: str) -> str | None:
    text = re.sub(r"^[\s\-–—:,.!/)*]+", "", text).strip()
    return text or None


def parse_rating(text: str | None) -> tuple[int | None, str | None]:
    """The rating 1–5 a reply gives, and the rest of it as the comment."""
    raw = (text or "").strip()
    if not raw or len(raw) > MAX_ANSWER:
        return None, None
    folded = _fold(raw)
    # a question is a new request (the rating itself may end with "?" on its own: "5?")
    if "?" in re.sub(r"^\s*\d+\s*\?\s*$", "", folded):
        return None, None
    stars = len(_STARS.findall(raw))
    if 1 <= stars <= 5:
        comment = _clean_comment(_EMPTY_STARS.sub("", _STARS.sub("", raw)))
        return stars, comment
    m = _SCALED.search(folded)
    if m is not None:
        rating = _scale(float(m.group(1).replace(",", ".")), int(m.group(2)))
        if rating is not None:
            return rating, _clean_comment(_strip_span(raw, m.span()))
    m = _LEADING.match(folded)
    if m is not None:
        n = int(m.group(1))
        if 1 <= n <= 5:
            return n, _clean_comment(raw[m.end() :])
        if n == 0:
            return 1, _clean_comment(raw[m.end() :])
        if n <= 10:
            return _scale(n, 10), _clean_comment(raw[m.end() :])
        return None, None
    m = _NOTE.search(folded)
    if m is not None and 1 <= int(m.group(1)) <= 5:
        return int(m.group(1)), raw
    first = re.match(r"^\s*([a-z]+)\b", folded)
    if first is not None and first.group(1) in _WORD_NUMBERS and len(folded.split()) <= 4:
        return _WORD_NUMBERS[first.group(1)], _clean_comment(raw[first.end() :])
    rating, _span = _phrase_rating(folded)
    if rating is not None:
        return rating, raw if len(raw.split()) > 2 else None
    for emoji, value in _EMOJI.items():
        if emoji in raw:
            rest = _clean_comment(raw.replace(emoji, ""))
            return value, rest
    return None, None
