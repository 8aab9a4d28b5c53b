"""Cut the quoted part of a reply ("Le … a écrit :", "On … wrote:", "> …").

What a customer quotes is not what they say: an address or an order number in the quoted
history must not link identities or threads. This is the minimal, conservative cut the
pipeline needs; the email channel refines it (signatures, Outlook blocks, per-client
styles) with its own evaluation.
"""

from __future__ import annotations

import re

_QUOTE_START = re.compile(
    r"""^(?:
        \s*>                                                    # > quoted line
      | \s*-{2,}\s*(?:original\s+message|message\s+d'origine|ursprüngliche\s+nachricht
                    |mensaje\s+original)\s*-{2,}                # Outlook separators
      | \s*(?:le|on|am|el)\s.{4,200}?(?:a\s+écrit|a\s+ecrit|wrote|schrieb|escribió)\s*:?\s*$
      | \s*(?:de|from|von)\s*:\s.+$\n\s*(?:envoyé|sent|gesendet|enviado)\s*:     # header block
    )""",
    re.IGNORECASE | re.MULTILINE | re.VERBOSE,
)


def strip_quoted(text: str) -> str:
    """The text before the first quoted block (the whole text when nothing is quoted)."""
    match = _QUOTE_START.search(text)
    if match is None:
        return text
    head = text[: match.start()].rstrip()
    return head if head else text
