"""Language identification for fr, en, de, es, it, nl, pt from stopwords and character cues.

Customer messages are short and noisy, so the detector works from the few words that carry
most evidence: function words, SMS abbreviations, greetings and the domain's own vocabulary
(commande, parcel, Bestellung...), plus accented letters. Only when that is not enough does
it look at word-ending trigrams. Shared words split their weight between languages, and
nothing is guessed without evidence: "?" or "A-10492" give ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

from omnicase.understand._text import prepare

LANGUAGES: Final = ("fr", "en", "de", "es", "it", "nl", "pt")

_WORDS: Final[dict[str, str]] = {
    "fr": (
        "le la les un une des du de et est en que qui je tu il elle nous vous ils elles ne pas"
        " plus pour par sur dans avec mais ou donc ce cet cette ces mon ma mes ton ta tes son"
        " sa ses notre votre vos leur leurs au aux y a ai avait avez avons ont suis sommes"
        " etes sont etait ete fait faire comme tout tous toute toutes tres bien aussi encore"
        " toujours deja rien jamais quand comment pourquoi quoi depuis sous chez vers apres"
        " avant alors ici merci bonjour bonsoir salut madame monsieur cordialement svp stp"
        " bjr slt cmd cde mme qd pr ds tjrs tjr bcp dsl jai jsuis pk pcq cdlt cdt j qu c l d n"
        " commande colis livraison livre livree recu recue arrive arrivee voudrais veux"
        " souhaite souhaiterais aimerais pouvez pourriez nouvelles reponse article"
        " remboursement rembourse semaine semaines jours mois taille adresse numero suivi"
        " aucun aucune peux dois faut cela ca celle celui ceux quel quelle quels quelles"
        " lorsque puis sinon car ni moi toi lui eux leur ete etre avoir votre"
        # the domain's short requests ("paiement refusé", "dispo en 38 ?", "code promo ?")
        " paiement refuse refusee retour etiquette dispo promo oublie passe mot compte"
        " suppression annulation notice perdue casse cadeau cest coucou vs prenez allo"
        " rembourse remboursee envoye annule echange abime"
    ),
    "en": (
        "the a an and is are was were be been being to of in on at for with my your i you he"
        " she it we they this that these those not no do does did don t have has had will"
        " would can could should please thanks thank hello hi hey dear regards where what"
        " when why how still yet any just order parcel package delivery delivered received"
        " refund item also but or from by there their me our us am im ive dont cant didnt"
        " wont isnt its wasnt havent hasnt doesnt get got want need help sent week weeks"
        " days today yesterday tomorrow which who would if so than then about after before"
        " again more some one nothing anything someone cheers kind best sincerely thx pls"
        " plz u ur asap waiting arrived tracking address shoes size money back account"
        " payment declined failed wrong sorry number unsubscribe cancel stock broken"
        " charged twice password login"
    ),
    "de": (
        "der die das den dem des ein eine einen einem einer und ist sind war waren nicht"
        " ist kein keine ich du er sie es wir ihr mein meine meinen meinem mit von zu zum zur"
        " auf fur bei aus nach wie wo was wann warum noch schon aber oder auch hallo danke"
        " bitte guten tag bestellung paket lieferung habe hat haben wurde werden sehr gruss"
        " grusse freundlichen ihre ihren ihnen geld zuruck immer bis heute wochen woche"
        " tage leider bekommen erhalten ware sendung konto mfg lg vg dass weil wenn dann"
        " kann konnen mochte mochten uber vom im ins am"
        " zahlung abgelehnt rechnung gutschein rucksendung kaputt passwort"
    ),
    "es": (
        "el la los las un una unos unas y es son esta estan de del en que por para con no"
        " mi mis tu su sus pedido paquete hola gracias buenos buenas dias todavia aun ya"
        " pero muy donde cuando como porque quiero necesito recibido llegado envio saludos"
        " usted ustedes le lo se me ha he han hace hasta desde semana semanas nada nadie"
        " tengo tiene pude puedo puede devolucion reembolso dinero cuenta compra al eso"
        " esto estoy sido mas"
        " pago rechazado talla zapatos roto contrasena envio factura"
    ),
    "it": (
        "il lo la i gli le un una uno e di da in con su per non che mio mia miei mie tuo suo"
        " sono ho hai ha abbiamo avete hanno ordine pacco spedizione ciao grazie buongiorno"
        " buonasera salve ancora gia ma molto dove quando come perche voglio vorrei"
        " ricevuto arrivato cordiali saluti sto questo questa del della dei delle al alla"
        " nel nella sul sulla mi ti ci si ordinato rimborso reso settimana settimane giorni"
        " niente nessun nessuna sempre essere stato stata"
        " pagamento rifiutato taglia codice sconto scarpe funziona siete qualcuno"
        " lampada rimborso scaduto"
    ),
    "nl": (
        "de het een en is zijn was niet geen ik jij je u hij zij wij we mijn met van voor op"
        " aan bij uit naar hoe waar wat wanneer waarom nog al maar ook hallo dank bedankt"
        " alstublieft graag bestelling pakket levering heb heeft hebben werd worden zeer"
        " groeten vriendelijke mvg dag goedemorgen goedemiddag er dit dat deze die toch"
        " ontvangen geleverd verzonden retour terugbetaling geld week weken dagen kan kunt"
        " wil zou omdat of als dan"
        " betaling mislukt kortingscode maat voorraad kapot niks inloggen"
    ),
    "pt": (
        "o a os as um uma e de do da dos das em no na nos nas que por para com nao meu minha"
        " seu sua encomenda pedido pacote ola obrigado obrigada bom boa dia ainda ja mas"
        " muito onde quando como porque quero preciso recebi chegou envio voce voces tem"
        " tenho esta estou foi ate desde semana semanas nada reembolso dinheiro conta"
        " devolucao compra isso isto ao pelo pela"
        " pagamento recusado reembolso faz vem moro aceitam oi tudo bem tamanho"
        " sapatos obrigado defeito"
    ),
}

#: Accented letters as evidence, looked up in the lowercased (not folded) text.
_CHAR_HINTS: Final[dict[str, tuple[tuple[int, float], ...]]] = {
    "é": ((0, 0.6), (3, 0.2), (6, 0.2), (4, 0.1)),
    "è": ((0, 0.6), (4, 0.3)),
    "ê": ((0, 0.6), (6, 0.3)),
    "à": ((0, 0.5), (4, 0.3), (6, 0.2)),
    "ç": ((0, 0.6), (6, 0.5)),
    "ù": ((0, 0.5), (4, 0.3)),
    "ô": ((0, 0.5), (6, 0.3)),
    "î": ((0, 0.6),),
    "û": ((0, 0.6),),
    "ï": ((0, 0.5), (5, 0.3)),
    "ë": ((5, 0.5), (0, 0.3)),
    "ñ": ((3, 1.2),),
    "¿": ((3, 1.2),),
    "¡": ((3, 1.2),),
    "á": ((3, 0.5), (6, 0.5)),
    "í": ((3, 0.5), (6, 0.4)),
    "ó": ((3, 0.5), (6, 0.4)),
    "ú": ((3, 0.5), (6, 0.3)),
    "ã": ((6, 1.2),),
    "õ": ((6, 1.2),),
    "ß": ((2, 1.2),),
    "ä": ((2, 0.8),),
    "ö": ((2, 0.8),),
    "ü": ((2, 0.8),),
    "ì": ((4, 0.8),),
    "ò": ((4, 0.8),),
}
#: Every byte except the Latin-1 hint letters: ``bytes.translate(None, _NOT_HINT)`` keeps
#: only those, in one C loop instead of one ``in`` scan per letter.
_NOT_HINT: Final = bytes(b for b in range(256) if chr(b) not in _CHAR_HINTS)

#: Word-final character trigrams typical of a language ("lieferung", "livrées",
#: "shipping", "spedizione"), for texts with too few function words.
_ENDINGS: Final[dict[str, str]] = {
    "fr": "ais ait eux ees oir ier rai ons tre que",
    "en": "ing ght ith ful ess ous ody ays ked ved ped",
    "de": "ung eit ich cht sch ten gen ach ert",
    "es": "ado ido ida ada dad ion mos ndo",
    "it": "are ere ire ato ata zza zia ggi tto one",
    "nl": "ijk aar oor ijn eer oek aan eld",
    "pt": "cao oes ado ido nha lho mos nte",
}


def _vectors(words_by_lang: dict[str, str], total: float) -> dict[str, tuple[float, ...]]:
    """word -> per-language weights; a word shared by n languages gives each total / n."""
    owners: dict[str, list[int]] = {}
    for idx, lang in enumerate(LANGUAGES):
        for word in words_by_lang[lang].split():
            langs = owners.setdefault(word, [])
            if idx not in langs:
                langs.append(idx)
    return {
        word: tuple(total / len(langs) if i in langs else 0.0 for i in range(len(LANGUAGES)))
        for word, langs in owners.items()
    }


_WORD_VECTORS: Final = _vectors(_WORDS, 1.0)
_ENDING_VECTORS: Final = _vectors(_ENDINGS, 0.35)
_HINT_VECTORS: Final = {
    ord(char): tuple(dict(pairs).get(i, 0.0) for i in range(len(LANGUAGES)))
    for char, pairs in _CHAR_HINTS.items()
}
_ZERO: Final = (0.0,) * len(LANGUAGES)

#: Below this much evidence, look at word endings too.
_LOW_EVIDENCE: Final = 1.5
#: Minimum score, and lead over the runner-up, to name a language at all.
_MIN_SCORE: Final = 0.9
_MIN_LEAD: Final = 0.4


_ITALIAN_E: Final = re.compile(r"(?:^|[\s'’])è(?:\s|$|[?!.,])")


def detect_from(tokens: Collection[str], lowered: str) -> str | None:
    """Detect the language from distinct folded tokens and the lowercased raw text.

    Sums are done with ``map``/``zip``/``sum`` so the per-token work stays in C.
    """
    vectors = list(filter(None, map(_WORD_VECTORS.get, tokens)))
    if not lowered.isascii():
        hints = set(lowered.encode("latin-1", "ignore").translate(None, _NOT_HINT))
        vectors.extend(map(_HINT_VECTORS.__getitem__, hints))
    scores: list[float] = list(map(sum, zip(_ZERO, *vectors, strict=False)))
    if "è" in lowered and _ITALIAN_E.search(lowered):
        scores[4] += 1.0  # "c'è", "è arrivato": a standalone è is Italian
    if max(scores) < _LOW_EVIDENCE:
        endings = [t[-3:] for t in tokens if len(t) >= 4 and t.isalpha()]
        for vector in filter(None, map(_ENDING_VECTORS.get, endings)):
            scores = [a + b for a, b in zip(scores, vector, strict=True)]
    top = max(scores)
    if top < _MIN_SCORE or top - sorted(scores)[-2] < _MIN_LEAD:
        return None
    return LANGUAGES[scores.index(top)]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` among fr, en, de, es, it, nl, pt, or ``None`` when unsure."""
    prepared = prepare(text)
    return detect_from(prepared.unique, prepared.lowered)
