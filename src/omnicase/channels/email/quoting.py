"""Split a reply into what the sender wrote this time, the quoted history and the signature.

French, English, German and Spanish mail clients: attribution lines ("Le … a écrit :",
"On … wrote:", "Am … schrieb …:", "El … escribió:", wrapped over up to three lines),
separators ("-----Original Message-----", "-------- Message d'origine --------",
forwarded-message banners), Outlook header blocks (From/Sent/To/Subject in the four
languages, plain or from HTML, with or without the rule above them), ``>`` quoting with
the answers between quotes kept (inline and bottom posting), and signatures: the ``-- ``
delimiter, "Sent from my iPhone" and its translations, a closing formula ("Cordialement",
"Best regards", "Mit freundlichen Grüßen", "Saludos") with what follows, a legal
disclaimer, or the sender's own name with contact lines at the end.

Labelling rules (tests/channels/email/fixtures/replies/README.md) decide the borderline
cases: a thank-you line ("Merci d'avance,", "Thanks,") is part of the text, the name under
it is signature. Nothing here reads a database: a line list in, three strings out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["ReplyParts", "reply_text", "split_reply", "unquoted"]


@dataclass(frozen=True, slots=True)
class ReplyParts:
    new_text: str  #: what the sender wrote this time (may be empty: a bare forward)
    quoted_text: str  #: the history: attribution lines, quoted or forwarded messages
    signature: str  #: closing formula, name, contact lines, disclaimer, "Sent from …"


_VERBS = r"(?:a\s+[ée]crit|wrote|schrieb|geschrieben|escribi[óo]|ha\s+escrito)"
#: "Le 3 févr. 2025 à 10:12, Julie <j@x.fr> a écrit :" and its siblings (needs a digit:
#: a date), or any line that ends with an address and the verb.
_ATTRIBUTION = re.compile(
    rf"""^\s*(?:
        (?:le|on|am|el|the)\s.{{0,300}}?\d.{{0,300}}?{_VERBS}[^:]{{0,40}}:?\s*$
      | .{{0,300}}?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*>?\)?\s*:?\s*{_VERBS}\s*:?\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
#: Yahoo on mobile puts the attribution and the quoted text on one line: a time or an
#: address before the verb makes it an attribution even with text after it.
_ATTRIBUTION_INLINE = re.compile(
    rf"^\s*(?:le|on|am|el)\s.{{0,200}}?(?:\d{{1,2}}:\d{{2}}|@).{{0,200}}?{_VERBS}\s*:",
    re.IGNORECASE,
)
_STARTS_ATTRIBUTION = re.compile(r"^\s*(?:le|on|am|el)\s", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"""^\s*(?:
        [-_=*\s]{2,}\s*(?:original\s+message|message\s+d'origine|ursprüngliche\s+nachricht
          |original-nachricht|mensaje\s+original|forwarded\s+message|message\s+transf[ée]r[ée]
          |weitergeleitete\s+nachricht|mensaje\s+reenviado)\s*[-_=*\s]{2,}
      | (?:begin\s+forwarded\s+message|d[ée]but\s+du\s+message\s+r[ée]exp[ée]di[ée]
          |anfang\s+der\s+weitergeleiteten\s+nachricht|inicio\s+del\s+mensaje\s+reenviado)\s*:
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_HEADER_FROM = re.compile(r"^\s*\*?\s*(?:from|de|von)\s*\*?\s*:\s*\*?\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"""^\s*\*?\s*(?:sent|date|to|cc|subject|envoy[ée]|[àa]|cc|copie\s+[àa]|objet|gesendet
        |datum|an|betreff|enviado(?:\s+el)?|fecha|para|asunto)\s*\*?\s*:""",
    re.IGNORECASE | re.VERBOSE,
)
_RULE = re.compile(r"^\s*(?:[_\-=]\s?){5,}\s*$")
_QUOTED = re.compile(r"^\s*>")

_MOBILE = re.compile(
    r"""^\s*(?:
        (?:sent|envoy[ée]|enviado)\s+(?:from|de(?:puis)?|desde|[àa]\s+partir\s+de)\s
          .{0,60}?(?:iphone|ipad|android|galaxy|samsung|outlook|mobile|smartphone|phone
          |yahoo|mail|huawei|xiaomi|pixel|appareil|t[ée]l[ée]phone|m[óo]vil|bluemail)
      | von\s+meinem\s.{0,40}?gesendet
      | gesendet\s+von\s.{0,40}?(?:iphone|ipad|android|samsung|mobil|handy|outlook)
      | (?:get|obtenir|holen\s+sie\s+sich|obtener)\s+outlook\s+(?:for|pour|f[üu]r|para)\s
    ).{0,120}$""",
    re.IGNORECASE | re.VERBOSE,
)
#: A closing formula on a line of its own (optionally followed by the name).
_VALEDICTION = re.compile(
    r"""^\s*(?:
        (?:bien\s+|tr[èe]s\s+|tr[èe]s\s+bien\s+)?cordialement
      | bien\s+[àa]\s+(?:vous|toi)|salutations(?:\s+distingu[ée]es)?|sinc[èe]res\s+salutations
      | bonne\s+(?:journ[ée]e|soir[ée]e|fin\s+de\s+journ[ée]e)|belle\s+journ[ée]e|amicalement
      | (?:best|kind|warm|warmest|many)?\s*regards|best(?:\s+wishes)?|cheers
      | yours\s+(?:sincerely|faithfully|truly)
      | sincerely|all\s+the\s+best|thanks\s+and\s+regards|with\s+(?:best|kind)\s+regards
      | mit\s+freundlichen\s+gr[üu](?:ß|ss)en|(?:viele|beste|liebe|herzliche)\s+gr[üu](?:ß|ss)e
      | freundliche\s+gr[üu](?:ß|ss)e|gru(?:ß|ss)|lg|mfg|vg
      | (?:un\s+)?saludos?(?:\s+cordiales)?|un\s+cordial\s+saludo|atentamente|cordialmente
      | un\s+abrazo
    )\s*[,.!]?\s*(?:[\w.'-]+\s*){0,3}$""",
    re.IGNORECASE | re.VERBOSE,
)
#: A thank-you closing the text: part of it, but the short lines under it are a signature.
_THANKS = re.compile(
    r"""^\s*(?:merci(?:\s+(?:d'avance|beaucoup|par\s+avance|encore|pour\s+votre\s+aide))?
      |(?:many\s+)?thanks(?:\s+(?:in\s+advance|again|a\s+lot))?|thank\s+you(?:\s+(?:in\s+advance|again))?
      |(?:vielen\s+)?dank(?:e)?(?:\s+im\s+voraus)?|(?:muchas\s+)?gracias(?:\s+de\s+antemano)?
    )\s*[,!.]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_DISCLAIMER = re.compile(
    r"""(?:
        ce\s+(?:message|courriel|e-?mail)\s.{0,80}?(?:confidentiel|destin[ée]|intention)
      | this\s+(?:e-?mail|message)\s.{0,80}?(?:confidential|privileged|intended)
      | diese\s+(?:e-?mail|nachricht)\s.{0,80}?(?:vertraulich|bestimmt)
      | este\s+(?:mensaje|correo)\s.{0,80}?(?:confidencial|destinatario)
      | pensez\s+[àa]\s+l'environnement|please\s+consider\s+the\s+environment
      | avis\s+de\s+confidentialit[ée]|confidentiality\s+notice|disclaimer\s*:
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_CONTACT_LINE = re.compile(
    r"(?:\+?\d[\d .()/-]{6,}\d|@|www\.|https?://|\b(?:t[ée]l|tel|phone|mobile?|mob|fax"
    r"|portable|handy|m[óo]vil)\b)",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w'’.-]*$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_header_block(lines: list[str], i: int) -> bool:
    """An Outlook-style block: a From line and two more header lines right below it."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    others = 0
    for line in lines[i + 1 : i + 7]:
        if not line.strip():
            if others:
                break
            continue
        if _HEADER_OTHER.match(line):
            others += 1
        else:
            break
    return others >= 2


def _attribution_span(lines: list[str], i: int) -> int:
    """How many lines (1-3) an attribution starting at ``i`` takes, 0 when it is none."""
    line = lines[i]
    if _ATTRIBUTION.match(line) or _ATTRIBUTION_INLINE.match(line):
        return 1
    if not _STARTS_ATTRIBUTION.match(line) and "@" not in line:
        return 0
    joined = line
    for extra in (1, 2):
        if i + extra >= len(lines) or not lines[i + extra].strip():
            return 0
        joined = f"{joined.rstrip()} {lines[i + extra].strip()}"
        if _ATTRIBUTION.match(joined):
            return extra + 1
    return 0


def _followed_by_quote(lines: list[str], start: int) -> bool:
    for line in lines[start : start + 3]:
        if line.strip():
            return _QUOTED.match(line) is not None
    return False


def _split_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Unquoted lines (blocks kept apart by one blank line) and the quoted ones."""
    new: list[str] = []
    quoted: list[str] = []
    i = 0
    in_quote = False
    while i < len(lines):
        line = lines[i]
        if _SEPARATOR.match(line) or _is_header_block(lines, i):
            while new and not new[-1].strip():
                new.pop()
            if new and _RULE.match(new[-1]):  # Outlook's rule above its header block
                quoted.append(new.pop())
            quoted.extend(lines[i:])
            break
        span = _attribution_span(lines, i)
        if span:
            if _followed_by_quote(lines, i + span):
                quoted.extend(lines[i : i + span])
                i += span
                in_quote = True
                continue
            quoted.extend(lines[i:])
            break
        if _QUOTED.match(line):
            quoted.append(line)
            in_quote = True
        elif not line.strip() and in_quote:
            quoted.append(line)
        else:
            if in_quote and new and new[-1].strip():
                new.append("")
            in_quote = False
            new.append(line)
        i += 1
    return new, quoted


def _name_tokens(sender_name: str | None) -> set[str]:
    if not sender_name:
        return set()
    parts = re.split(r"[\s,\"'()<>]+", _fold(sender_name))
    return {p.strip(".-") for p in parts if len(p.strip(".-")) >= 2}


def _looks_like_name(line: str, names: set[str]) -> bool:
    tokens = line.strip().rstrip(",").split()
    if not names or not 1 <= len(tokens) <= 4:
        return False
    if not all(_NAME_TOKEN.match(t) for t in tokens):
        return False
    return any(_fold(t).strip(".-") in names for t in tokens)


def _marker_start(lines: list[str], content: list[int]) -> int | None:
    """The first delimiter, "Sent from …", disclaimer or closing formula below the text."""
    first = content[0]
    for i in content:
        stripped = lines[i].strip()
        if _MOBILE.match(stripped) or (i > first and stripped in ("--", "—", "__")):
            return i
        if i == first:
            continue
        if _DISCLAIMER.search(stripped):
            return i
        if _VALEDICTION.match(stripped) and sum(1 for j in content if j > i) <= 15:
            return i
        below = [j for j in content if j > i]
        if (
            _THANKS.match(stripped)
            and 1 <= len(below) <= 4
            and all(len(lines[j].strip()) <= 60 for j in below)
        ):
            return below[0]
    return None


def _name_start(lines: list[str], content: list[int], names: set[str]) -> int | None:
    """The sender's own name closing the text, with only contact lines under it."""
    tail = [i for i in content[1:]][-6:]
    for k, i in enumerate(tail):
        if _looks_like_name(lines[i], names) and all(
            len(lines[j].strip()) <= 80 and (_CONTACT_LINE.search(lines[j]) or len(lines[j]) <= 60)
            for j in tail[k + 1 :]
        ):
            return i
    return None


def _signature_start(lines: list[str], names: set[str]) -> int | None:
    """Index of the first signature line, when something was written above it."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return None
    marker = _marker_start(lines, content)
    above = [i for i in content if marker is None or i < marker]
    name = _name_start(lines, above, names) if above else None
    return name if name is not None else marker


def _join(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def split_reply(text: str, *, sender_name: str | None = None) -> ReplyParts:
    """Split ``text`` (plain text, or HTML already rendered to text) of one email.

    ``sender_name`` (the From display name) lets a bare name at the end ("Julie") be
    recognised as a signature.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    new, quoted = _split_quotes(lines)
    signature: list[str] = []
    start = _signature_start(new, _name_tokens(sender_name))
    if start is not None:
        new, signature = new[:start], new[start:]
    return ReplyParts(_join(new).strip(), _join(quoted), _join(signature))


def reply_text(parts: ReplyParts, full_text: str) -> str:
    """What the timeline shows: the new text, or the whole text when nothing new is left
    (a bare forward: what was forwarded is the request)."""
    return parts.new_text if parts.new_text else full_text.strip()


#: Something every quote marker needs (a ">", a verb, a rule, a From line…): most
#: messages of the other channels have none and skip the line-by-line pass.
_MAYBE_QUOTED = re.compile(
    r""">|wrote|[ée]crit|schrieb|geschrieben|escri|[-_=*]{2}|original|origine|ursprüngliche
      |mensaje|forward|transf[ée]r|weitergeleitet|reenviado|^\s*\*?\s*(?:from|de|von)\s*\*?\s*:""",
    re.IGNORECASE | re.MULTILINE | re.VERBOSE,
)


def unquoted(text: str) -> str:
    """The text without its quoted history, signature kept (names and phone numbers in a
    signature are identity evidence); the text unchanged when nothing is quoted, the whole
    text when nothing else is left."""
    if _MAYBE_QUOTED.search(text) is None:
        return text
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    new, quoted = _split_quotes(lines)
    if not quoted:
        return text
    head = _join(new).strip()
    return head if head else text
