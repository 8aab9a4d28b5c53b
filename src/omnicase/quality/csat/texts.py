"""What the survey says on each channel, in French or English (pure)."""

from __future__ import annotations

from html import escape

SCALE = (1, 2, 3, 4, 5)

_ASK = {
    "fr": (
        "Votre demande {ref} est résolue. Êtes-vous satisfait de notre réponse ? "
        "Notez-nous de 1 (pas du tout) à 5 (très satisfait) en répondant à ce message, "
        "avec un commentaire si vous le souhaitez."
    ),
    "en": (
        "Your request {ref} is resolved. How satisfied are you with our help? "
        "Rate us 1 (not at all) to 5 (very satisfied) by replying to this message, "
        "with a comment if you like."
    ),
}
_SUBJECT = {"fr": "Votre avis sur notre réponse ({ref})", "en": "How did we do? ({ref})"}
_EMAIL = {
    "fr": (
        "Bonjour,\n\nVotre demande {ref} est résolue. Êtes-vous satisfait de notre réponse ?"
        "\nCliquez sur une note de 1 (pas du tout) à 5 (très satisfait) :\n\n{links}\n\n"
        "Merci pour votre avis.\n{brand}"
    ),
    "en": (
        "Hello,\n\nYour request {ref} is resolved. How satisfied are you with our help?\n"
        "Click a rating from 1 (not at all) to 5 (very satisfied):\n\n{links}\n\n"
        "Thank you for your feedback.\n{brand}"
    ),
}


def language_of(value: str | None) -> str:
    return "fr" if (value or "").lower().startswith("fr") else "en"


def chat_text(language: str, reference: str) -> str:
    """The prompt for chat, SMS, WhatsApp, Messenger, Instagram, X: answered by a reply."""
    return _ASK[language_of(language)].format(ref=reference)


def rating_url(base_url: str, token: str, rating: int | None = None) -> str:
    url = f"{base_url.rstrip('/')}/csat/{token}"
    return f"{url}?rating={rating}" if rating is not None else url


def email_parts(
    language: str, reference: str, brand: str, base_url: str, token: str
) -> tuple[str, str, str]:
    """Subject, text and HTML of the email survey: one link per rating."""
    lang = language_of(language)
    links = "\n".join(f"{n} : {rating_url(base_url, token, n)}" for n in SCALE)
    text = _EMAIL[lang].format(ref=reference, links=links, brand=brand)
    buttons = " ".join(
        f'<a href="{escape(rating_url(base_url, token, n))}" '
        f'style="display:inline-block;padding:8px 14px;margin:2px;border:1px solid #888;'
        f'text-decoration:none">{n}</a>'
        for n in SCALE
    )
    head, _, tail = text.partition(links)
    html = (
        "<p>" + escape(head).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
        f"<p>{buttons}</p>"
        "<p>" + escape(tail.strip()).replace("\n", "<br>") + "</p>"
    )
    return _SUBJECT[lang].format(ref=reference), text, html
