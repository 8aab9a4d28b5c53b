"""Both catalogues carry the same keys, every literal key a template uses exists, and the
language is chosen as documented."""

from __future__ import annotations

import re
from importlib import resources

from omnicase.web.i18n import catalogue, choose_language, from_accept_language


def test_catalogues_have_the_same_keys_and_no_empty_text() -> None:
    fr, en = catalogue("fr"), catalogue("en")
    assert set(fr) == set(en)
    assert all(v.strip() for v in (*fr.values(), *en.values()))


def test_every_literal_key_in_the_templates_exists() -> None:
    used: set[str] = set()
    folders = [resources.files("omnicase.web").joinpath("templates")]
    while folders:  # every screen's folder too (supervisor/, planner/)
        for item in folders.pop().iterdir():
            if item.is_dir():
                folders.append(item)
            elif item.name.endswith(".html"):
                text = item.read_text("utf-8")
                used |= set(re.findall(r"(?<![\w.])t\('([a-z_.]+)'\)", text))
    missing = sorted(k for k in used if k not in catalogue("en"))
    assert missing == []


def test_language_choice_then_browser_then_brand() -> None:
    assert from_accept_language("de-DE,de;q=0.9,en;q=0.8,fr;q=0.7") == "en"
    assert from_accept_language("fr-CH, en;q=0.5") == "fr"
    assert from_accept_language("en;q=0, fr;q=0.1") == "fr"
    assert from_accept_language("de, es") is None
    assert choose_language("en", "fr", "fr") == "en"
    assert choose_language(None, "fr-FR", "en") == "fr"
    assert choose_language(None, "de", "en-GB") == "en"
    assert choose_language("xx", None, None) == "en"
