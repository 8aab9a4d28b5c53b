"""HTML for messages we send: sanitised with nh3 (no script, no handler, no style
trickery), or generated from the agent's text when none is given."""

from __future__ import annotations

import html as _html
import re

import nh3

#: nh3's defaults minus images (no tracking pixels or remote content in our replies).
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img"}


def sanitize_html(value: str) -> str:
    return nh3.clean(value, tags=set(ALLOWED_TAGS), link_rel="noopener noreferrer nofollow")


_URL = re.compile(r"\bhttps?://[^\s<>\"']+")


def text_to_html(text: str) -> str:
    """Paragraphs on blank lines, ``<br>`` on line breaks, links for http(s) URLs."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    out = []
    for para in paragraphs:
        escaped = _html.escape(para.strip("\n"))
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        out.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return sanitize_html("\n".join(out))
