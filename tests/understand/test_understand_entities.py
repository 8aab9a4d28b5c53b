"""Entity extraction: what must be found, in canonical form, and what must not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from omnicase.understand import (
    Amount,
    Entities,
    OrderMatcher,
    compile_order_patterns,
    extract_entities,
)

A5 = compile_order_patterns([r"A-\d{5}"])
GX6 = compile_order_patterns([r"GX\d{6}"])


# ----------------------------------------------------------------------------- order numbers


@pytest.mark.parametrize(
    "text",
    [
        "A-10492",
        "a10492",
        "A 10492",
        "a-10492",
        "A.10492",
        "commande n°A-10492",
        "commande n° A10492 svp",
        "cde A10492",
        "Ma commande A-10492 n'est pas arrivée",
        "ma cmd a10492 tjrs pas recue",
        "Order #A-10492 still missing",
        "(A-10492)",
        "réf. A10492.",
        "Commande: A-10492, merci",
        "\u00a0A-10492\u00a0",
    ],
)
def test_brand_order_number_is_canonicalised(text: str) -> None:
    assert extract_entities(text, A5).order_numbers == ("A-10492",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gx123456", ("GX123456",)),
        ("GX 123456", ("GX123456",)),
        ("GX-123456", ("GX123456",)),
        ("commande Gx123456 et GX654321", ("GX123456", "GX654321")),
        ("GX123456 GX123456 gx 123456", ("GX123456",)),
    ],
)
def test_letter_prefix_pattern_without_separator(text: str, expected: tuple[str, ...]) -> None:
    assert extract_entities(text, GX6).order_numbers == expected


@pytest.mark.parametrize(
    "text",
    [
        "AA-10492",  # longer prefix
        "A-104921",  # too many digits
        "A-1049",  # too few digits
        "XA10492",
        "A-10492B",
        "il y a 10492 raisons",  # the French word "a", not the prefix A
        "there's a 10492 chance",
        "GX12345",
    ],
)
def test_brand_order_number_negatives(text: str) -> None:
    found = extract_entities(text, A5).order_numbers + extract_entities(text, GX6).order_numbers
    assert found == ()


def test_several_brand_patterns_in_text_order() -> None:
    matcher = compile_order_patterns([r"GX\d{6}", r"A-\d{5}"])
    ents = extract_entities("j'ai A-10492 et aussi gx123456 puis a-20000", matcher)
    assert ents.order_numbers == ("A-10492", "GX123456", "A-20000")


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"[A-Z]{2}\d{6}", "commande ab123456", "AB123456"),
        (r"[A-Z]{2}\d{6}", "commande AB 123456", "AB123456"),
        (r"\d{8}", "commande 12345678", "12345678"),
        (r"CMD-\d{4}-\d{3}", "cmd 2024 123", "CMD-2024-123"),
        (r"CMD-\d{4}-\d{3}", "CMD-2024-123", "CMD-2024-123"),
        (r"FR\d{3}[A-Z]{2}", "fr123ab", "FR123AB"),
        (r"^W\d{7}$", "w1234567", "W1234567"),
        (r"(?:X|Y)\d{5}", "y12345", "Y12345"),  # fallback for group syntax
    ],
)
def test_other_brand_pattern_shapes(pattern: str, text: str, expected: str) -> None:
    assert extract_entities(text, compile_order_patterns([pattern])).order_numbers == (expected,)


def test_compile_order_patterns_is_cached_and_validates() -> None:
    assert compile_order_patterns([r"A-\d{5}"]) is compile_order_patterns((r"A-\d{5}",))
    assert isinstance(A5, OrderMatcher)
    with pytest.raises(ValueError, match="invalid order-number pattern"):
        compile_order_patterns([r"A-(\d{5}"])


def test_order_matcher_normalise_whole_field() -> None:
    assert A5.normalise(" A 10492 ") == "A-10492"
    assert A5.normalise("a10492") == "A-10492"
    assert A5.normalise("see A-10492") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Commande 123456 pas reçue", ("123456",)),
        ("ma commande n° 784512 est en retard", ("784512",)),
        ("numéro de commande : AB12345", ("AB12345",)),
        ("cde 45871 svp", ("45871",)),
        ("cmd a10492", ("A10492",)),
        ("order #45821", ("45821",)),
        ("Order no. 99812 still not here", ("99812",)),
        ("order number 4567-8890", ("4567-8890",)),
        ("#98765", ("98765",)),
        ("n°556677", ("556677",)),
        ("réf 2024-00123", ("2024-00123",)),
    ],
)
def test_generic_order_fallback(text: str, expected: tuple[str, ...]) -> None:
    assert extract_entities(text).order_numbers == expected


@pytest.mark.parametrize(
    "text",
    [
        "ma commande du 12/03 n'est pas arrivée",
        "commande de 2 articles",
        "order 3 items",
        "j'ai commandé 12345 choses",  # no order word directly before
        "recommande 12345",
        "mon n° 0612345678",  # phone, not an order
        "#1 fan",
        "c'est bon? 12345",
        "12345",
    ],
)
def test_generic_order_fallback_negatives(text: str) -> None:
    assert extract_entities(text).order_numbers == ()


def test_empty_matcher_falls_back_to_generic() -> None:
    assert extract_entities("commande 123456", compile_order_patterns([])).order_numbers == (
        "123456",
    )


# -------------------------------------------------------------------------- tracking numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("suivi colissimo 6A12345678901", "6A12345678901"),
        ("n° de suivi 8R12345678901", "8R12345678901"),
        ("colis 6a12345678901", "6A12345678901"),
        ("Chronopost XX123456789FR", "XX123456789FR"),
        ("lettre suivie RR123456785FR", "RR123456785FR"),
        ("Royal Mail tracking AB123456789GB", "AB123456789GB"),
        ("ab123456789gb", "AB123456789GB"),
        ("UPS 1Z999AA10123456784", "1Z999AA10123456784"),
        ("tracking: 1z999aa10123456784.", "1Z999AA10123456784"),
        ("DHL 1234567890", "1234567890"),
        ("numéro de suivi : 1234567890", "1234567890"),
        ("my tracking number is 9876543210", "9876543210"),
    ],
)
def test_tracking_numbers(text: str, expected: str) -> None:
    assert extract_entities(text).tracking_numbers == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "1234567890",  # 10 digits with no carrier word: not DHL
        "appelez-moi au 0612345678",
        "suivi : appelez-moi au 0612345678",  # a phone after "suivi"
        "6A1234567890",  # Colissimo needs 11 digits
        "1Z999AA1012345678",  # UPS needs 16 after 1Z
        "ABC123456789FR",
    ],
)
def test_tracking_negatives(text: str) -> None:
    assert extract_entities(text).tracking_numbers == ()


def test_tracking_number_is_not_an_order_or_phone() -> None:
    ents = extract_entities("commande 6A12345678901 suivi 6A12345678901")
    assert ents.tracking_numbers == ("6A12345678901",)
    assert ents.order_numbers == ()
    assert ents.phones == ()


# ------------------------------------------------------------------------------------ emails


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon mail : Julie.Martin@Example.FR", ("julie.martin@example.fr",)),
        ("écrivez à j.smith+shop@mail.co.uk.", ("j.smith+shop@mail.co.uk",)),
        ("a@b.io et c_d@e-f.com", ("a@b.io", "c_d@e-f.com")),
        ("<john@example.com>", ("john@example.com",)),
        ("mail: marie@exemple.fr,merci", ("marie@exemple.fr",)),
    ],
)
def test_emails(text: str, expected: tuple[str, ...]) -> None:
    assert extract_entities(text).emails == expected


@pytest.mark.parametrize("text", ["@julie", "julie@", "julie@example", "rdv @ 10h", "a@b.c"])
def test_email_negatives(text: str) -> None:
    assert extract_entities(text).emails == ()


# ------------------------------------------------------------------------------------ phones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appelez-moi au 06 12 34 56 78", "06 12 34 56 78"),
        ("tel 0612345678", "0612345678"),
        ("tél. : 06.12.34.56.78", "06.12.34.56.78"),
        ("06-12-34-56-78 svp", "06-12-34-56-78"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("+33612345678", "+33612345678"),
        ("0033 6 12 34 56 78", "0033 6 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78"),
        ("fixe 01 23 45 67 89", "01 23 45 67 89"),
        ("call me on 07700 900123", "07700 900123"),
        ("+44 7700 900123", "+44 7700 900123"),
        ("+44 (0)7700 900123", "+44 (0)7700 900123"),
        ("office 020 7946 0958", "020 7946 0958"),
        ("+1 415 555 0132", "+1 415 555 0132"),
    ],
)
def test_phones_as_written(text: str, expected: str) -> None:
    assert extract_entities(text).phones == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "commande A-10492",
        "j'ai payé 49,90 €",
        "le 01/02/2024",
        "le 01.02.2024 à 10h",
        "total 1 299,00 €",
        "ref 123456789",
        "6A12345678901",
        "12345678901234567890",
        "version 0.12.34",
    ],
)
def test_phone_negatives(text: str) -> None:
    assert extract_entities(text, A5).phones == ()


def test_phone_that_looks_like_brand_order_is_an_order() -> None:
    matcher = compile_order_patterns([r"\d{10}"])
    ents = extract_entities("commande 0612345678", matcher)
    assert ents.order_numbers == ("0612345678",)
    assert ents.phones == ()


# ----------------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("j'ai payé 49,90 €", "49.90", "EUR"),
        ("49.90€", "49.90", "EUR"),
        ("€49.90", "49.90", "EUR"),
        ("€ 49,90", "49.90", "EUR"),
        ("49€90", "49.90", "EUR"),
        ("12 euros", "12", "EUR"),
        ("12 EUR", "12", "EUR"),
        ("EUR 35", "35", "EUR"),
        ("1 299,00 €", "1299.00", "EUR"),
        ("1.299,00 €", "1299.00", "EUR"),
        ("£35", "35", "GBP"),
        ("£ 35.50", "35.50", "GBP"),
        ("35 GBP", "35", "GBP"),
        ("20 pounds", "20", "GBP"),
        ("$20", "20", "USD"),
        ("US$20", "20", "USD"),
        ("1,299.99 USD", "1299.99", "USD"),
        ("20 dollars", "20", "USD"),
        ("30 balles", "30", "EUR"),
    ],
)
def test_amounts(text: str, value: str, currency: str) -> None:
    assert extract_entities(text).amounts == (Amount(Decimal(value), currency),)


def test_several_amounts_in_order_and_deduplicated() -> None:
    ents = extract_entities("débité 2 fois 49,90 € (49,90€) au lieu de 39,90 €, et £5")
    assert ents.amounts == (
        Amount(Decimal("49.90"), "EUR"),
        Amount(Decimal("39.90"), "EUR"),
        Amount(Decimal("5"), "GBP"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "commande A-10492",
        "taille 38",
        "sous 48h",
        "depuis 3 semaines",
        "2 articles",
        "0612345678",
        "j'ai 30 ans",
        "un euro symbolique",
        "neuro 12",
        "€",
        "Europe 12",
    ],
)
def test_amount_negatives(text: str) -> None:
    assert extract_entities(text, A5).amounts == ()


# ------------------------------------------------------------------------------------ delays


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("livraison sous 48h", "sous 48h"),
        ("pas reçu depuis 3 semaines", "depuis 3 semaines"),
        ("depuis plus de trois semaines !", "depuis plus de trois semaines"),
        ("ça fait 10 jours", "ça fait 10 jours"),
        ("ca fait 10 jours", "ca fait 10 jours"),
        ("il y a 2 semaines", "il y a 2 semaines"),
        ("d’ici 2 jours", "d’ici 2 jours"),
        ("sous 5 jours ouvrés", "sous 5 jours ouvrés"),
        ("depuis hier", "depuis hier"),
        ("depuis lundi dernier", "depuis lundi dernier"),
        ("depuis le 3 mars", "depuis le 3 mars"),
        ("depuis le 03/03", "depuis le 03/03"),
        ("3 semaines de retard", "3 semaines de retard"),
        ("depuis un mois", "depuis un mois"),
        ("en 24h", "en 24h"),
        ("I've been waiting for 2 weeks", "for 2 weeks"),
        ("it's been over a month", "it's been over a month"),
        ("ordered 10 days ago", "10 days ago"),
        ("within 5 working days", "within 5 working days"),
        ("for a couple of weeks", "for a couple of weeks"),
        ("since Monday", "since Monday"),
        ("since the 3rd", "since the 3rd"),
        ("for weeks now", "for weeks"),
        ("DEPUIS 3 SEMAINES", "DEPUIS 3 SEMAINES"),
        ("depuis  3\nsemaines", "depuis 3 semaines"),
    ],
)
def test_delays_as_written(text: str, expected: str) -> None:
    assert extract_entities(text).delays == (expected,)


def test_several_delays() -> None:
    ents = extract_entities("commandé il y a 3 jours, promis sous 48h, I waited for 2 weeks")
    assert ents.delays == ("il y a 3 jours", "sous 48h", "for 2 weeks")


@pytest.mark.parametrize(
    "text",
    [
        "3 jours",  # a quantity, not a delay
        "j'ai 3 jours de congé",
        "48h",
        "taille 38",
        "en 3 fois sans frais",
        "pour 2 personnes",
        "an order",
        "dans ma boîte",
    ],
)
def test_delay_negatives(text: str) -> None:
    assert extract_entities(text).delays == ()


# ------------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize("text", ["", " ", "\n\n", "?", "😀😀", "Привет, как дела?", "你好"])
def test_nothing_to_extract(text: str) -> None:
    assert extract_entities(text) == Entities()


def test_everything_at_once_keeps_spans_apart() -> None:
    text = (
        "Bonjour, commande A-10492 (49,90 €) pas livrée depuis 3 semaines, suivi "
        "6A12345678901. Joignable au 06 12 34 56 78 ou julie@example.fr."
    )
    assert extract_entities(text, A5) == Entities(
        order_numbers=("A-10492",),
        tracking_numbers=("6A12345678901",),
        emails=("julie@example.fr",),
        phones=("06 12 34 56 78",),
        amounts=(Amount(Decimal("49.90"), "EUR"),),
        delays=("depuis 3 semaines",),
    )


def test_spans_stay_aligned_after_non_ascii_text() -> None:
    # Emoji, ligatures, Cyrillic and accents before the entities must not shift the
    # "as written" slices.
    text = "Œuvre 😀 Привет façon — «naïve» … tél 06 12 34 56 78, depuis 2 jours, 1 299,00 €"
    ents = extract_entities(text)
    assert ents.phones == ("06 12 34 56 78",)
    assert ents.delays == ("depuis 2 jours",)
    assert ents.amounts == (Amount(Decimal("1299.00"), "EUR"),)


def test_turkish_dotted_capital_keeps_alignment() -> None:
    # "İ".lower() is two characters; slices must still come from the right place.
    ents = extract_entities("İİİ appelez le 06 12 34 56 78 depuis 2 jours")
    assert ents.phones == ("06 12 34 56 78",)
    assert ents.delays == ("depuis 2 jours",)


def test_adversarial_inputs_stay_fast() -> None:
    # Shapes that make naive email/number regexes backtrack badly.
    for text in ("a@" + "b." * 5000, "1," * 5000, "0 " * 5000, "depuis " * 3000):
        extract_entities(text)
