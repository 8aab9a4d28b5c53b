"""HTML of an email: sanitised for display (nh3) and turned into plain text.

A sender controls every byte of the HTML, so what an agent's browser is given keeps only
harmless markup: no scripts, event handlers, ``style`` (CSS expressions), ``javascript:``
URLs, forms or frames; remote images are tracking pixels until someone asks to see them,
so they are removed by default and listed. ``cid:`` images (parts of the same message)
stay. The text rendering keeps what the sender sees as structure: a ``<blockquote>``
becomes ``> `` lines and an ``<hr>`` a rule, which is what the reply splitter reads.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

_TAGS = nh3.ALLOWED_TAGS - {"map", "area"}
_ATTRIBUTES = deepcopy(nh3.ALLOWED_ATTRIBUTES)
_ATTRIBUTES["img"] = {*_ATTRIBUTES.get("img", set()), "title"}
_ATTRIBUTES["*"] = {"dir", "lang", "title"}
_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"cid"}
_DROP_WITH_CONTENT = {"script", "style", "title", "noscript", "template", "iframe", "object"}
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SanitisedHtml:
    html: str
    blocked_images: tuple[str, ...]  #: remote image URLs removed (tracking pixels)


def sanitise_html(html: str, *, remote_images: bool = False) -> SanitisedHtml:
    """Markup safe to show in the agent's browser; remote images kept only on request."""
    blocked: list[str] = []

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and _REMOTE.match(value) and not remote_images:
            blocked.append(value)
            return None
        return value

    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        attribute_filter=keep,
        strip_comments=True,
    )
    return SanitisedHtml(cleaned, tuple(blocked))


_BLOCK = frozenset(
    {
        *("address", "article", "aside", "center", "dd", "div", "dl", "dt", "figcaption"),
        *("figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "li"),
        *("main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead", "tfoot"),
        *("tr", "ul"),
    }
)
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "xml"})
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")


class _TextRenderer(HTMLParser):
    """Lines of ``(quote depth, text)``; inline text flows, blocks break lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self._current: list[str] = []
        self._depth = 0
        self._skip = 0
        self._pre = 0
        self._tight: list[bool] = []  #: per open <p>: Outlook's MsoNormal has no margins

    def _break(self) -> None:
        text = "".join(self._current).strip(" ")
        self._current = []
        self.lines.append((self._depth, text))

    def _soft_break(self) -> None:
        """A block boundary: end the current line unless it is empty already."""
        if "".join(self._current).strip():
            self._break()
        else:
            self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "br":
            self._break()
        elif tag == "blockquote":
            self._soft_break()
            self._depth += 1
        elif tag == "hr":
            self._soft_break()
            self.lines.append((self._depth, "________________________________"))
        elif tag in ("td", "th"):
            self._current.append(" ")
        elif tag in _BLOCK:
            self._soft_break()
            if tag == "li":
                self._current.append("- ")
            elif tag == "p":
                css = dict(attrs).get("class") or ""
                self._tight.append("msonormal" in css.lower())
            elif tag == "pre":
                self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr"):
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "blockquote":
            self._soft_break()
            self._depth = max(0, self._depth - 1)
        elif tag in _BLOCK:
            self._soft_break()
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
            tight = self._tight.pop() if tag == "p" and self._tight else True
            if not tight and self.lines and self.lines[-1][1]:
                self.lines.append((self._depth, ""))

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            parts = data.replace("\r\n", "\n").split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._break()
                self._current.append(part.replace("\u00a0", " "))
            return
        self._current.append(_SPACES.sub(" ", data))

    def text(self) -> str:
        self._soft_break()
        out: list[str] = []
        blank = True
        for depth, line in self.lines:
            line = line.rstrip()
            if not line:
                if depth:
                    out.append(">" * depth)
                elif not blank:
                    out.append("")
                blank = not depth
                continue
            out.append(("> " * depth) + line if depth else line)
            blank = False
        return "\n".join(out).strip("\n")


def html_to_text(html: str) -> str:
    """What a reader sees, as plain text (quoted blocks as ``> `` lines)."""
    renderer = _TextRenderer()
    try:
        renderer.feed(html)
        renderer.close()
    except (AssertionError, ValueError):  # a parser give-up on broken markup: keep what we have
        pass
    return renderer.text()
