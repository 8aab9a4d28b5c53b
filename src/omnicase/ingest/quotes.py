"""Cut the quoted part of a reply ("Le … a écrit :", "On … wrote:", "> …").

What a customer quotes is not what they say: an address or an order number in the quoted
history must not link identities or threads. The cut is the email channel's reply
splitter (``channels/email/quoting.py``, evaluated by ``omnicase eval replies``) without
its signature stripping: a signature's name and phone number are evidence of who wrote.
"""

from __future__ import annotations

from omnicase.channels.email.quoting import unquoted


def strip_quoted(text: str) -> str:
    """The text before the first quoted block (the whole text when nothing is quoted)."""
    return unquoted(text)
