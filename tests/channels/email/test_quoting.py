"""The reply splitter on the styles of the four languages' mail clients."""

from __future__ import annotations

import pytest

from omnicase.channels.email.quoting import reply_text, split_reply, unquoted
from omnicase.ingest.quotes import strip_quoted


@pytest.mark.parametrize(
    ("text", "new"),
    [
        (
            "Merci !\n\nLe lun. 3 févr. 2025 à 10:12, Acme <s@acme.example> a écrit :\n> Bonjour",
            "Merci !",
        ),
        (
            "Thanks.\n\nOn Mon, 3 Feb 2025 at 10:12, Globex <s@globex.example> wrote:\n> Hi",
            "Thanks.",
        ),
        ("Danke.\n\nAm 03.02.25 um 10:12 schrieb Globex:\n> Hallo", "Danke."),
        (
            "Gracias.\n\nEl lun, 3 feb 2025 a las 10:12, Acme (<s@acme.example>) escribió:\n> Hola",
            "Gracias.",
        ),
        ("Ok.\n\n-----Original Message-----\nFrom: a\nSent: b\n\nold", "Ok."),
        ("Ok.\n\n-------- Message d'origine --------\nDe : a\nDate : b\n\nold", "Ok."),
        ("Ok.\n\n-----Ursprüngliche Nachricht-----\nVon: a\n\nalt", "Ok."),
        ("Ok.\n\nDe : Acme <s@acme.example>\nEnvoyé : lundi\nÀ : moi\nObjet : x\n\nold", "Ok."),
        ("Ok.\n\nVon: Globex\nGesendet: Montag\nAn: ich\nBetreff: x\n\nalt", "Ok."),
        ("Ok.\n\nDe: Acme\nEnviado: lunes\nPara: yo\nAsunto: x\n\nviejo", "Ok."),
        ("Ok.\n________________________________\nFrom: Globex\nSent: Monday\nTo: me\n\nold", "Ok."),
        # wrapped attribution (Gmail at 78 columns)
        (
            "Oui.\n\nLe lun. 3 févr. 2025 à 09:02, Service client Acme <support@acme.example>"
            " a\nécrit :\n\n> q",
            "Oui.",
        ),
    ],
)
def test_quoted_history_is_cut(text: str, new: str) -> None:
    parts = split_reply(text)
    assert parts.new_text == new
    assert parts.quoted_text


@pytest.mark.parametrize(
    ("text", "signature_start"),
    [
        ("Merci de votre aide.\n\nEnvoyé de mon iPhone", "Envoyé de mon iPhone"),
        ("Thanks for the help.\n\nSent from my Galaxy", "Sent from my Galaxy"),
        ("Danke für die Hilfe.\n\nVon meinem iPhone gesendet", "Von meinem iPhone gesendet"),
        ("Gracias por la ayuda.\n\nEnviado desde mi iPhone", "Enviado desde mi iPhone"),
        ("Where is it?\n\nGet Outlook for Android", "Get Outlook for Android"),
        ("Où est-il ?\n\nCordialement,\nJulie Martin\n06 12 34 56 78", "Cordialement,"),
        ("Where is it?\n\nKind regards,\nTom", "Kind regards,"),
        ("Wo ist es?\n\nMit freundlichen Grüßen\nKlaus", "Mit freundlichen Grüßen"),
        ("¿Dónde está?\n\nUn saludo,\nCarmen", "Un saludo,"),
        ("Where is it?\n\n-- \nTom Ellis\n+44 7700 900123", "--"),
        ("Où est-il ?\n\nCe message et ses pièces jointes sont confidentiels.", "Ce message"),
    ],
)
def test_signature_is_cut(text: str, signature_start: str) -> None:
    parts = split_reply(text)
    assert parts.signature.startswith(signature_start)
    assert parts.new_text == text.split("\n\n")[0]


def test_bare_name_is_a_signature_only_when_it_is_the_senders() -> None:
    text = "Is it shipped yet?\nMargaret"
    assert split_reply(text, sender_name="Margaret Hughes").new_text == "Is it shipped yet?"
    assert split_reply(text, sender_name="Tom Baker").new_text == text
    assert split_reply(text).new_text == text


def test_thank_you_stays_the_name_under_it_goes() -> None:
    parts = split_reply("Pouvez-vous vérifier ?\n\nMerci d'avance,\nL'équipe Fleurs")
    assert parts.new_text == "Pouvez-vous vérifier ?\n\nMerci d'avance,"
    assert parts.signature == "L'équipe Fleurs"


def test_inline_answers_are_kept_in_order() -> None:
    text = (
        "On Fri, Mar 07, 2025 at 04:02PM, Globex wrote:\n> Address?\n\n"
        "14 Elm St.\n\n> Colour?\n\nBlue."
    )
    parts = split_reply(text)
    assert parts.new_text == "14 Elm St.\n\nBlue."
    assert "> Address?" in parts.quoted_text and "> Colour?" in parts.quoted_text


@pytest.mark.parametrize(
    "text",
    [
        "Le livreur a écrit :\n« déposé chez le gardien » mais je n'ai pas de gardien.",
        "The price is > £549 with delivery.",
        "Merci beaucoup !",
        "Cordialement",  # only a closing formula: nothing else was written
    ],
)
def test_no_false_cut(text: str) -> None:
    assert split_reply(text).new_text == text


def test_nothing_new_falls_back_to_the_whole_text() -> None:
    text = "---------- Forwarded message ---------\nDe : Acme\nDate: hier\n\nVotre commande."
    parts = split_reply(text)
    assert parts.new_text == ""
    assert reply_text(parts, text) == text


def test_pipeline_cut_keeps_the_signature() -> None:
    """The pipeline reads names and phone numbers in signatures: only quotes are cut."""
    text = "Où est ma commande ?\n\nCordialement,\nJulie Martin\n06 12 34 56 78\n\n"
    text += "Le lun. 3 févr. 2025 à 10:12, Acme <s@acme.example> a écrit :\n> Bonjour"
    assert strip_quoted(text) == unquoted(text)
    assert strip_quoted(text).endswith("06 12 34 56 78")
    assert "a écrit" not in strip_quoted(text)
    assert strip_quoted("> only quoted") == "> only quoted"
