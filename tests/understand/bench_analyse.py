"""Time ``analyse()`` on 2,000 varied ~500-character messages (a script, not a test).

Run: ``.venv/bin/python tests/understand/bench_analyse.py``. Messages are assembled from
greetings, 2-4 body sentences (60% French, 40% English, every contact reason, some SMS
style), entities at realistic rates (an order number in half of them, amounts, phones,
tracking numbers, delays) and a signature; 30% lose their accents as if typed on a phone.
The calibration line (``sum(range(1000))``) lets timings from different machines be
compared: it takes about 7-9 µs on a current laptop with CPython 3.11.
"""

from __future__ import annotations

import random
import statistics
import timeit
import unicodedata

from omnicase.understand import analyse, compile_order_patterns

_GREETINGS = {
    "fr": ["Bonjour,", "Bonjour Madame, Monsieur,", "Bjr", "Bonsoir,", "Hello,", ""],
    "en": ["Hello,", "Hi there,", "Dear customer service,", "Hi,", ""],
}
_SIGNATURES = {
    "fr": ["Cordialement, Julie Martin", "Merci d'avance. Bonne journée", "Cdlt, M. Durand"],
    "en": ["Kind regards, John Smith", "Thanks, Emma", "Many thanks in advance, Sarah"],
}
_BODY = {
    "fr": [
        "J'ai passé commande il y a une semaine et je n'ai toujours rien reçu.",
        "Le colis est indiqué comme livré mais il n'est pas dans ma boîte aux lettres.",
        "Je souhaiterais retourner un pantalon trop petit, comment dois-je faire ?",
        "Pouvez-vous me dire quand la veste noire sera de nouveau en stock en taille M ?",
        "Mon code promo de la newsletter ne fonctionne pas au moment de payer.",
        "J'ai été prélevée deux fois pour la même commande, merci de corriger.",
        "Je n'arrive plus à me connecter à mon compte, le mot de passe est refusé.",
        "La fermeture éclair du blouson s'est cassée au bout de deux utilisations.",
        "Je voudrais annuler ma commande passée ce matin par erreur.",
        "Toujours pas de remboursement alors que vous avez reçu le retour.",
        "C'est la troisième fois que je vous écris, c'est inadmissible.",
        "Des nouvelles de ma demande ?",
        "jai tjrs pas recu mon colis c normal ?",
        "Est-ce que la livraison en point relais est possible pour cette commande ?",
        "Le pull taille-t-il grand ou normal ?",
        "Pourriez-vous m'envoyer la facture de ma dernière commande ?",
        "Le transporteur dit que l'adresse est introuvable.",
        "Suite à mon appel de ce matin, je vous envoie les photos demandées.",
    ],
    "en": [
        "I ordered last week and still haven't received anything.",
        "The tracking says delivered but there is nothing at my door.",
        "I'd like to return a pair of jeans that are too small, how do I get a label?",
        "When will the black coat be back in stock in size 12?",
        "The discount code from your email doesn't work at checkout.",
        "I've been charged twice for the same order, please refund one.",
        "I can't log into my account, the password reset email never arrives.",
        "The zip on the jacket broke after two wears.",
        "Please cancel my order, I placed it by mistake this morning.",
        "This is the third time I'm contacting you, it's unacceptable.",
        "Any update on this?",
        "Can I change the delivery address for my order?",
        "Could you send me the invoice for my last order?",
        "If I don't hear back I'll contact trading standards.",
    ],
}
_ENTITIES = {
    "fr": [
        (0.5, "Ma commande est la {o}."),
        (0.15, "Le montant était de {a} €."),
        (0.1, "Vous pouvez me joindre au 06 {p} {p} {p} {p}."),
        (0.05, "Le numéro de suivi est {t}."),
        (0.25, "Ça fait {n} jours que j'attends."),
    ],
    "en": [
        (0.5, "My order number is {o}."),
        (0.15, "I paid £{a}."),
        (0.1, "You can call me on 07700 9{p}{p}{p}."),
        (0.05, "Tracking number {t}."),
        (0.25, "I've been waiting for {n} days."),
    ],
}


def _message(rnd: random.Random) -> str:
    lang = "fr" if rnd.random() < 0.6 else "en"
    body = rnd.sample(_BODY[lang], rnd.randint(2, 4))
    for probability, template in _ENTITIES[lang]:
        if rnd.random() < probability:
            filled = template.format(
                o=rnd.choice(["A-1", "a1", "A 1"]) + f"{rnd.randrange(10**4):04d}",
                a=f"{rnd.randrange(10, 300)},{rnd.randrange(100):02d}",
                p=f"{rnd.randrange(100):02d}",
                t=rnd.choice(
                    [f"6A{rnd.randrange(10**11):011d}", f"XX{rnd.randrange(10**9):09d}FR"]
                ),
                n=rnd.randrange(3, 25),
            )
            body.insert(rnd.randrange(len(body) + 1), filled)
    parts = [rnd.choice(_GREETINGS[lang]), *body, rnd.choice(_SIGNATURES[lang])]
    text = " ".join(p for p in parts if p)
    while len(text) < 470:
        text += " " + rnd.choice(_BODY[lang])
    if rnd.random() < 0.3:
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text[:600]


def main() -> None:
    """Print µs per message (best of several passes, to see through a noisy machine)."""
    rnd = random.Random(7)
    messages = [_message(rnd) for _ in range(2000)]
    orders = compile_order_patterns([r"A-\d{5}"])
    for message in messages:  # warm the per-token caches, as a running worker would be
        analyse(message, orders)
    passes = timeit.repeat(lambda: [analyse(m, orders) for m in messages], number=1, repeat=7)
    per_message = min(passes) / len(messages) * 1e6
    calibration = min(timeit.repeat(lambda: sum(range(1000)), number=2000, repeat=15)) / 2000
    print(f"{len(messages)} messages, mean {statistics.mean(map(len, messages)):.0f} characters")
    print(f"analyse(): {per_message:.1f} µs/message, {1e6 / per_message:,.0f} messages/s/core")
    print(f"calibration sum(range(1000)): {calibration * 1e6:.2f} µs")


if __name__ == "__main__":
    main()
