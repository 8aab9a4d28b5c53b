"""The phrase-lexicon baseline (``lexicon_reason``): per-reason behaviour and an honest
held-out accuracy check. The trained model has its own tests (test_reason_model.py); the
lexicon stays as the fallback and as the reason threading weighs."""

from __future__ import annotations

import pytest

from omnicase.understand import DEFAULT_REASONS
from omnicase.understand.reasons import lexicon_reason as classify_reason

# Examples the lexicon was developed against (it is fine for these to be tuned on).
DEV: tuple[tuple[str, str], ...] = (
    ("Je voudrais annuler ma commande", "order"),
    ("je veux modifier ma commande, j'ai oublié un article", "order"),
    ("Please cancel my order, I ordered the wrong one", "order"),
    ("I haven't received an order confirmation email", "order"),
    ("comment passer commande par téléphone ?", "order"),
    ("est ce que ma commande a bien été prise en compte ?", "order"),
    ("ma commande est toujours en préparation depuis 5 jours", "order"),
    ("Can I add an item to my order?", "order"),
    ("Mon colis n'est toujours pas arrivé", "delivery"),
    ("où est mon colis ?", "delivery"),
    ("ou en est la livraison svp", "delivery"),
    ("le livreur n'est jamais passé", "delivery"),
    ("Where is my parcel? It's been 2 weeks", "delivery"),
    ("The tracking hasn't updated in days", "delivery"),
    ("my package was delivered to the wrong address", "delivery"),
    ("colis perdu par colissimo", "delivery"),
    ("Quand la robe sera-t-elle de nouveau disponible ?", "availability"),
    ("le pull est en rupture de stock", "availability"),
    ("Is this available in a size 10?", "availability"),
    ("when will it be back in stock?", "availability"),
    ("vous avez encore du stock en magasin ?", "availability"),
    ("out of stock again...", "availability"),
    ("Je souhaite retourner mon article", "return"),
    ("comment faire un retour ?", "return"),
    ("I want to return these shoes", "return"),
    ("where do I get a return label?", "return"),
    ("je voudrais échanger contre une autre taille", "return"),
    ("can I exchange it for a smaller size", "return"),
    ("Quand serai-je remboursée ?", "refund"),
    ("je n'ai pas reçu mon remboursement", "refund"),
    ("I'm still waiting for my refund", "refund"),
    ("when will the money be back on my card?", "refund"),
    ("rembourser svp", "refund"),
    ("mon code promo ne marche pas", "promotion"),
    ("my discount code is not working", "promotion"),
    ("les soldes sont-elles aussi en ligne ?", "promotion"),
    ("I didn't get the 20% off from the newsletter", "promotion"),
    ("j'ai un bon de réduction qui ne passe pas", "promotion"),
    ("Le paiement par carte est refusé", "payment"),
    ("j'ai été débité 2 fois", "payment"),
    ("I was charged twice", "payment"),
    ("can I pay with PayPal?", "payment"),
    ("je voudrais une facture", "payment"),
    ("my card was declined", "payment"),
    ("j'ai oublié mon mot de passe", "account"),
    ("impossible de me connecter à mon compte", "account"),
    ("I can't log in", "account"),
    ("please delete my personal data", "account"),
    ("how do I reset my password?", "account"),
    ("mes points fidélité", "account"),
    ("Le produit est défectueux", "product"),
    ("how do I wash this jumper?", "product"),
    ("quelle est la composition du tissu ?", "product"),
    ("la notice n'est pas dans le carton", "product"),
    ("does it come with a warranty?", "product"),
    ("ça taille comment ? petit ou grand ?", "product"),
    ("the screen stopped working after a week", "product"),
    ("Bonjour", "other"),
    ("Merci beaucoup !", "other"),
    ("Do you have a shop in Lyon?", "other"),
)

# Held out: written after the lexicon was frozen and evaluated once, never used to tune it,
# so the accuracy below is an honest estimate on unseen phrasing. (A first held-out set was
# retired: the lexicon had been written with it in view.) Do not edit to make it pass.
HOLDOUT: tuple[tuple[str, str], ...] = (
    # order
    (
        "Bonsoir, j'ai commandé deux fois le même sac par erreur, pouvez-vous en supprimer un ?",
        "order",
    ),
    ("Je n'arrive pas à finaliser mon achat, la page tourne dans le vide", "order"),
    ("hi can i still amend the shipping option on the order i made an hour ago", "order"),
    ("Est-ce que ma commande d'hier soir a bien été enregistrée ? Je n'ai eu aucun mail", "order"),
    ("I'd like to remove one item from my basket order before you send it", "order"),
    ("svp annulez tout, j'ai changé d'avis", "order"),
    # delivery
    ("Le suivi indique que le colis est bloqué au centre de tri depuis vendredi", "delivery"),
    ("Hi, the courier left my parcel with a neighbour I don't know", "delivery"),
    ("jamais reçu mon paquet alors qu'il est noté distribué", "delivery"),
    ("How long does shipping to Ireland usually take?", "delivery"),
    ("The delivery driver said nobody was home but I was in all day", "delivery"),
    ("Mon point relais est fermé, comment récupérer mon colis ?", "delivery"),
    # availability
    ("Vous recevez quand les nouvelles tailles du jean slim ?", "availability"),
    ("Any chance the green scarf will be restocked?", "availability"),
    ("La taille 42 n'est plus proposée, c'est définitif ?", "availability"),
    ("Do you still sell the ceramic mugs? I can't find them on the site anymore", "availability"),
    ("est ce que le modèle existe encore en bleu ?", "availability"),
    ("Can you let me know when size 8 is available again", "availability"),
    # return
    ("Je veux vous renvoyer le manteau, il ne me plaît pas", "return"),
    ("What's your returns policy for sale items?", "return"),
    ("Le colis retour est parti hier, vous l'avez reçu ?", "return"),
    ("Can I swap these boots for a bigger size?", "return"),
    ("Comment imprimer le bon de retour ? Le lien ne marche pas", "return"),
    ("I sent the wrong item back by mistake, can you send it back to me?", "return"),
    # refund
    ("J'attends toujours d'être remboursée pour l'article retourné", "refund"),
    ("Hello, when will the refund show on my bank statement?", "refund"),
    ("Vous m'aviez promis un avoir, je ne le vois pas", "refund"),
    ("Please give me my money back for the missing item", "refund"),
    ("le remboursement de ma commande annulée n'est jamais arrivé", "refund"),
    ("Has my refund been processed yet?", "refund"),
    # promotion
    ("Le code FETE15 est expiré alors que l'offre court jusqu'à dimanche", "promotion"),
    ("Do students get a discount?", "promotion"),
    ("J'ai reçu une pub pour -30% mais le prix n'a pas baissé dans le panier", "promotion"),
    ("Can I use two promo codes on one order?", "promotion"),
    ("C'est quand les prochaines ventes privées ?", "promotion"),
    ("The free shipping offer didn't apply to my order", "promotion"),
    # payment
    ("Ma carte a été débitée mais la commande n'apparaît pas", "payment"),
    ("Is it possible to pay in three instalments?", "payment"),
    ("Il me faut une facture au nom de ma société avec la TVA", "payment"),
    ("My payment failed three times, what's wrong?", "payment"),
    ("Vous acceptez les chèques cadeaux ou seulement la CB ?", "payment"),
    ("I was charged more than the price shown on the website", "payment"),
    # account
    ("Je n'ai plus accès à mon espace client, mon adresse mail a changé", "account"),
    ("How do I unsubscribe from your emails?", "account"),
    ("Mon compte est bloqué après trop de tentatives", "account"),
    ("Please update the phone number on my profile", "account"),
    ("je veux fermer mon compte client", "account"),
    ("I never got the email to confirm my registration", "account"),
    # product
    ("Est-ce que ce sérum convient aux peaux sensibles ?", "product"),
    ("The colour of the sofa is different from the photos", "product"),
    ("Les coutures du sac se sont défaites en un mois", "product"),
    ("Is the blender dishwasher safe?", "product"),
    ("Quelle est la longueur exacte de la robe en 36 ?", "product"),
    ("My headphones keep disconnecting from Bluetooth", "product"),
    # other
    ("Bonjour, je cherche un stage dans le marketing, à qui m'adresser ?", "other"),
    ("Do you have a phone number I can call?", "other"),
    ("Félicitations pour la nouvelle collection !", "other"),
    ("Can I speak to a manager please", "other"),
    ("Vous êtes une entreprise française ?", "other"),
    ("test", "other"),
)


@pytest.mark.parametrize(("text", "expected"), DEV)
def test_dev_examples(text: str, expected: str) -> None:
    reason, confidence = classify_reason(text)
    assert reason == expected
    assert 0.0 <= confidence <= 1.0


def test_holdout_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    wrong = [
        (text, expected, classify_reason(text)[0])
        for text, expected in HOLDOUT
        if classify_reason(text)[0] != expected
    ]
    accuracy = 1 - len(wrong) / len(HOLDOUT)
    with capsys.disabled():
        print(f"\nreason baseline held-out accuracy: {accuracy:.1%} on {len(HOLDOUT)} messages")
        for text, expected, got in wrong:
            print(f"  expected {expected:<12} got {got:<12} {text}")
    assert accuracy >= 0.75


def test_holdout_covers_every_reason() -> None:
    assert {reason for _, reason in HOLDOUT} == set(DEFAULT_REASONS)


def test_nothing_matches_gives_other_with_low_confidence() -> None:
    for text in ("", "ok", "Bonjour", "xyz qwerty", "😀", "A-10492"):
        reason, confidence = classify_reason(text)
        assert reason == "other"
        assert confidence <= 0.2


def test_confidence_grows_with_evidence_and_margin() -> None:
    weak = classify_reason("ma commande")[1]
    clear = classify_reason("mon colis n'est pas livré, le suivi colissimo ne bouge plus")[1]
    mixed = classify_reason("colis pas livré et je veux être remboursé")[1]
    assert weak < clear
    assert mixed < clear


def test_typos_and_missing_accents() -> None:
    assert classify_reason("remboursemnt svp")[0] == "refund"
    assert classify_reason("rembourcement svp")[0] == "refund"
    assert classify_reason("LIVRAISON PAS RECUE")[0] == "delivery"
    assert classify_reason("paiment refuse")[0] == "payment"
    assert classify_reason("je veux anuler ma comande")[0] == "order"
    assert classify_reason("mdp oublie")[0] == "account"
    assert classify_reason("prduit defectueu")[0] == "product"


def test_reasons_constant() -> None:
    assert DEFAULT_REASONS == (
        "order",
        "delivery",
        "availability",
        "return",
        "refund",
        "promotion",
        "payment",
        "account",
        "product",
        "other",
    )
