"""Content keywords of a message, for text similarity between one customer's messages.

Case matching compares a new message with a customer's open cases; what matters there is
the subject matter ("colis", "rembours", "parcel"), not greetings, politeness or function
words. Stems are crude on purpose (plural and common FR/EN suffixes stripped) so that
"livraison", "livré" and "livrée" meet on "livr" and "parcels" meets "parcel".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from omnicase.understand._text import words

_STOPWORDS: Final = frozenset(
    words(
        # FR function words
        "le la les un une des du de et est en que qui je tu il elle nous vous ils elles ne"
        " pas plus pour par sur dans avec mais ou donc ce cet cette ces mon ma mes ton ta tes"
        " son sa ses notre votre vos leur leurs au aux ai as avait avez avons ont suis sommes"
        " etes sont etait ete etre avoir fait faire comme tout tous toute toutes tres bien"
        " aussi encore toujours deja rien jamais quand comment pourquoi quoi depuis sous chez"
        " vers apres avant alors ici cela ca celle celui ceux quel quelle quels quelles car"
        " ni moi toi lui eux puis sinon peux peut pouvez pourriez pourrait dois doit faut"
        " veux voudrais souhaite souhaiterais aimerais serait sera seront aurait aura avoir"
        " ceci voici voila oui non si tres trop peu beaucoup bcp svp stp jai jsuis qd pr ds"
        " tjrs tjr pk pcq quoi meme autre autres chose fois deux trois aucun aucune"
        " elle etais etions etiez etaient vais va allez allons vont ete avez eu"
        # EN function words
        " the a an and is are was were be been being to of in on at for with my your i you"
        " he she it we they this that these those not no do does did don t have has had will"
        " would can could should shall may might must am im ive dont cant didnt wont isnt its"
        " wasnt havent hasnt doesnt s m ve ll d re there their them me our us him her his"
        " what when where why how which who whom if so than then about after before again"
        " more some any just also but or from by up out into over very too yet still get got"
        " want need would like one two all there here now as"
        # greetings, politeness and sign-offs
        " bonjour bonsoir salut coucou hello hi hey dear cher chere madame monsieur mme mr"
        " mrs ms sir madam cordialement cordiales salutations sincerement merci remercie"
        " remerciant remerciements avance thanks thank thx cheers regards kind best"
        " sincerely faithfully respectfully pls plz please bjr slt cdlt cdt bonne journee"
        " soiree weekend week end equipe team service client clients clientele customer"
        " bisous ok okay"
    )
)

#: Suffixes tried longest first; only the first that leaves >= 3 letters is stripped.
_SUFFIXES: Final = tuple(
    sorted(
        words(
            # FR
            "issements issement ements ement ments ment ations ation atrice ateur aisons"
            " aison ances ance ences ence euses euse eux ables able ibles ible ites ite"
            " iques ique istes iste erions erais erait eraient erez"
            " eront era aient ais ait ant ions ons iez ez er ees ee es e"
            # EN
            " ational ations ation ness ments ment ings ing edly ed ers er ies ly ful less"
            " able ible y"
        ),
        key=len,
        reverse=True,
    )
)

_MIN_STEM: Final = 3
_CACHE_LIMIT: Final = 100_000
#: Token -> stem ("" when the token is not a keyword). Module-level so hot words are stemmed
#: once per process; a pure memo, so multi-process deployments stay correct.
_STEM_CACHE: dict[str, str] = {}


def stem(token: str) -> str:
    """Crude FR/EN stem of a folded token ("" for stopwords, numbers and short tokens)."""
    if len(token) < 3 or token in _STOPWORDS or not token.isalpha():
        return ""
    word = token
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"  # deliveries -> delivery
    elif len(word) > 4 and word[-1] in "sx" and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def keywords_from(tokens: Iterable[str]) -> frozenset[str]:
    """Keyword stems of distinct, already-folded tokens."""
    cache = _STEM_CACHE
    if not isinstance(tokens, dict | set | frozenset):
        tokens = dict.fromkeys(tokens)
    stems = set(map(cache.get, tokens))  # a C loop once the vocabulary is cached
    if None in stems:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        for token in tokens:
            if token not in cache:
                cache[token] = stem(token)
        stems = set(map(cache.get, tokens))
    stems.discard("")
    stems.discard(None)
    return frozenset(stems)  # type: ignore[arg-type]
