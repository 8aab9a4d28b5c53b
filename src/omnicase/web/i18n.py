"""French and English interface texts: one JSON catalogue per language
(``web/locales/{fr,en}.json``), ``t(key)`` in templates.

The language is the user's choice (the ``omnicase_lang`` cookie, set by the language
switch), else the browser's Accept-Language, else the brand's language. A key missing
from a catalogue falls back to English, then to the key itself (a test checks that both
catalogues have the same keys).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("fr", "en")
DEFAULT = "en"
LANG_COOKIE = "omnicase_lang"


@cache
def catalogue(lang: str) -> dict[str, str]:
    folder = resources.files("omnicase.web").joinpath("locales")
    data: dict[str, str] = json.loads(folder.joinpath(f"{lang}.json").read_text("utf-8"))
    # screens' own catalogues (``supervisor.fr.json``...): one file per team of screens
    for part in sorted(folder.iterdir(), key=lambda p: p.name):
        if part.name.endswith(f".{lang}.json"):
            data.update(json.loads(part.read_text("utf-8")))
    return data


def translate(lang: str, key: str, **values: Any) -> str:
    text = catalogue(lang).get(key) or catalogue(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def translator(lang: str) -> Callable[..., str]:
    def t(key: str, **values: Any) -> str:
        return translate(lang, key, **values)

    return t


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of ``fr-FR,fr;q=0.9,en;q=0.8``, by quality."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        fields = part.strip().split(";")
        tag = fields[0].strip().lower().split("-")[0]
        quality = 1.0
        for f in fields[1:]:
            name, _, value = f.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag in LANGUAGES and quality > 0:
            ranked.append((-quality, position, tag))
    return min(ranked)[2] if ranked else None


def choose_language(
    chosen: str | None, accept_language: str | None, brand_language: str | None
) -> str:
    if chosen in LANGUAGES:
        return str(chosen)
    accepted = from_accept_language(accept_language)
    if accepted:
        return accepted
    brand = (brand_language or "").lower()[:2]
    return brand if brand in LANGUAGES else DEFAULT
