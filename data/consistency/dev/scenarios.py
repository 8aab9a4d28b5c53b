# Dev scenarios of the consistency evaluation: written after the held-out split; the
# detector is tuned on these only (see ../README.md).

PHRASES = {
    "fr": {
        "refund": {
            "granted": [
                "le remboursement a été effectué",
                "nous allons vous rembourser",
                "votre remboursement est validé",
                "vous serez remboursé",
            ],
            "refused": [
                "nous ne pouvons pas procéder au remboursement",
                "le remboursement ne peut pas être accordé",
                "aucun remboursement n'est prévu dans ce cas",
                "nous sommes au regret de refuser le remboursement",
            ],
            "partial": [
                "un remboursement partiel a été accordé",
                "nous remboursons une partie du montant",
            ],
            "full": [
                "le remboursement intégral a été validé",
                "nous vous remboursons la totalité de la commande",
            ],
        },
        "replacement": {
            "granted": [
                "nous vous renvoyons un nouvel exemplaire",
                "un échange a été accepté",
                "l'article sera remplacé",
            ],
            "refused": [
                "un échange n'est pas possible",
                "nous ne pouvons pas remplacer l'article",
            ],
        },
        "return": {
            "accepted": [
                "le retour a été accepté",
                "votre retour est validé et l'étiquette est en pièce jointe",
            ],
            "refused": [
                "le retour ne peut pas être accepté",
                "le retour est refusé car hors délai",
            ],
        },
    },
    "en": {
        "refund": {
            "granted": [
                "we've refunded you",
                "your refund has been approved",
                "we will refund you",
                "a refund has been issued",
            ],
            "refused": [
                "we can't refund this order",
                "a refund isn't possible here",
                "we are not able to refund you",
                "your refund request has been rejected",
            ],
            "partial": [
                "we have issued a partial refund",
                "we can refund part of the amount",
            ],
            "full": [
                "we have issued a full refund",
                "you'll be refunded in full",
            ],
        },
        "replacement": {
            "granted": [
                "we'll send you a replacement",
                "your exchange has been approved",
                "a new one is on its way",
            ],
            "refused": [
                "we're not able to replace it",
                "an exchange isn't possible for this item",
            ],
        },
        "return": {
            "accepted": [
                "your return is approved",
                "we've accepted the return and attached a label",
            ],
            "refused": [
                "we can't accept the return",
                "the return has been declined as it is outside the return window",
            ],
        },
    },
}

SCENARIOS = [
    {
        "id": "d-fr-chaussures",
        "lang": "fr",
        "order": "A-11873",
        "other_order": "A-11902",
        "customer": "Mme Dubois",
        "values": {"refund": "full", "refund_amount": ("amt", 8900), "refund_delay": ("cal", 3, 5)},
        "alts": {"refund": ["partial", "refused"], "refund_amount": [("amt", 7900)], "refund_delay": [("cal", 15)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nSuite à la réception de vos chaussures (commande {order}), {refund}. Vous recevrez {refund_amount} sur votre compte d'ici {refund_delay}.\n\nBelle journée,\nInès"},
            {"channel": "chat", "day": 0, "hour": 3, "text": "C'est bon pour la commande {order} : {refund} ({refund_amount})."},
            {"channel": "messenger", "day": 1, "text": "Bonjour ! Le remboursement de {refund_amount} apparaîtra sous {refund_delay} sur votre relevé."},
            {"channel": "sms", "day": 2, "text": "Acme: commande {order}, {refund}. Delai bancaire: {refund_delay}."},
        ],
    },
    {
        "id": "d-fr-livraison-retard",
        "lang": "fr",
        "order": "A-12990",
        "customer": "Thomas",
        "values": {"delivery_date": ("date", 2), "delivery_delay": ("cal", 2), "voucher_amount": ("amt", 1000)},
        "alts": {"delivery_date": [("date", 5), ("date", 12)], "delivery_delay": [("bus", 10)], "voucher_amount": [("amt", 2000)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nVotre colis {order} a pris du retard au centre de tri. Il vous sera livré {delivery_date}. Pour nous excuser, voici un code promo de {voucher_amount} valable sur votre prochaine commande.\n\nCordialement,\nMarc"},
            {"channel": "whatsapp", "day": 0, "hour": 2, "text": "Re-bonjour Thomas, le transporteur annonce la livraison {delivery_date}."},
            {"channel": "chat", "day": 1, "text": "Votre colis devrait arriver sous {delivery_delay}. Et le code de réduction de {voucher_amount} est bien actif sur votre compte."},
            {"channel": "instagram", "day": 1, "hour": 4, "text": "Hello Thomas ! Livraison prévue {delivery_date} pour {order} 📦"},
        ],
    },
    {
        "id": "d-fr-retour-policy",
        "lang": "fr",
        "order": "A-13442",
        "customer": "Chloé",
        "values": {"return_window": ("cal", 30), "return_fee": ("amt", 0), "refund_delay": ("bus", 10)},
        "alts": {"return_window": [("cal", 15), ("cal", 60)], "return_fee": [("amt", 490)], "refund_delay": [("cal", 30)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nVous avez {return_window} pour retourner votre manteau. Le retour coûte {return_fee} en point relais. Le remboursement intervient ensuite sous {refund_delay}.\n\nCordialement,\nPaul"},
            {"channel": "chat", "day": 1, "text": "Le délai de retour est de {return_window} à partir de la livraison, c'est noté sur votre bon de commande."},
            {"channel": "x", "day": 1, "hour": 5, "text": "@chloe_p bonjour, frais de retour : {return_fee}. Remboursement sous {refund_delay} après réception 🙂"},
            {"channel": "messenger", "day": 2, "text": "Bonjour Chloé, vous pouvez nous renvoyer le manteau pendant {return_window}, puis remboursement sous {refund_delay}."},
        ],
        "macros": [
            {"title": "Retours - délai et frais", "body": "Vous disposez de 30 jours pour nous retourner un article. Le retour est gratuit en point relais. Le remboursement est effectué sous 10 jours ouvrés après réception.", "facts": {"return_window_days": 30, "return_fee_eur": 0, "refund_delay_business_days": 10}, "facts_slots": ["return_window", "return_fee", "refund_delay"]},
        ],
    },
    {
        "id": "d-fr-article-defectueux",
        "lang": "fr",
        "order": "A-14025",
        "customer": "M. Lambert",
        "values": {"replacement": "granted", "replacement_delay": ("bus", 4), "return": "accepted"},
        "alts": {"replacement": ["refused"], "replacement_delay": [("cal", 21)], "return": ["refused"]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nNous sommes désolés pour la cafetière défectueuse de la commande {order}. {return}, et {replacement} : il vous parviendra sous {replacement_delay}.\n\nCordialement,\nJulien"},
            {"channel": "phone", "day": 0, "hour": 2, "text": "Appel M. Lambert : {replacement}, délai annoncé {replacement_delay}."},
            {"channel": "chat", "day": 1, "text": "Pour la cafetière ({order}) : {return}."},
            {"channel": "sms", "day": 1, "hour": 3, "text": "Acme: {replacement} (commande {order}), sous {replacement_delay}."},
        ],
    },
    {
        "id": "d-fr-frais-livraison",
        "lang": "fr",
        "order": "A-15110",
        "customer": "Emma",
        "values": {"shipping_fee": ("amt", 590), "dispatch_date": ("date", 1), "dispatch_delay": ("cal", 1)},
        "alts": {"shipping_fee": [("amt", 390), ("amt", 0)], "dispatch_date": [("date", 4)], "dispatch_delay": [("cal", 7)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nLes frais de livraison en point relais sont de {shipping_fee}. Votre commande {order} sera expédiée {dispatch_date}.\n\nÀ bientôt,\nSofia"},
            {"channel": "chat", "day": 0, "hour": 1, "text": "Votre commande part {dispatch_date}, et la livraison vous est facturée {shipping_fee}."},
            {"channel": "whatsapp", "day": 0, "hour": 6, "text": "Bonsoir Emma, nous expédions sous {dispatch_delay}. Frais de port : {shipping_fee}."},
        ],
        "macros": [
            {"title": "Frais de port", "body": "Livraison en point relais : 5,90 €. Les commandes passées avant 14h sont expédiées sous 24h.", "facts": {"shipping_fee_eur": 5.9, "dispatch_delay_hours": 24}, "facts_slots": ["shipping_fee", "dispatch_delay"]},
        ],
    },
    {
        "id": "d-fr-remboursement-refuse",
        "lang": "fr",
        "order": "A-16204",
        "customer": "Mme Petit",
        "values": {"refund": "refused", "return_window": ("cal", 14), "voucher_amount": ("amt", 1500)},
        "alts": {"refund": ["granted"], "return_window": [("cal", 30)], "voucher_amount": [("amt", 3000)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Madame,\n\nVotre demande concerne un article soldé acheté il y a deux mois (commande {order}). Le délai de retour des soldes est de {return_window}, donc {refund}. À titre exceptionnel, nous vous offrons un bon d'achat de {voucher_amount}.\n\nCordialement,\nService client"},
            {"channel": "chat", "day": 1, "text": "J'ai vérifié la commande {order} : {refund}, désolée. Vous avez bien reçu le bon d'achat de {voucher_amount} ?"},
            {"channel": "messenger", "day": 1, "hour": 5, "text": "Bonjour, les articles soldés peuvent être retournés pendant {return_window}. Pour {order}, {refund}."},
        ],
    },
    {
        "id": "d-en-missing-parcel",
        "lang": "en",
        "currency": "GBP",
        "order": "GX120456",
        "other_order": "GX120999",
        "customer": "Ms Clarke",
        "values": {"refund": "granted", "refund_amount": ("amt", 3299), "refund_delay": ("bus", 5), "delivery_date": ("date", 1)},
        "alts": {"refund": ["refused"], "refund_amount": [("amt", 2999)], "refund_delay": [("cal", 21)], "delivery_date": [("date", 6)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Dear {name},\n\nI'm sorry order {order} never arrived. {refund} for {refund_amount}; please allow {refund_delay} for it to reach your account.\n\nKind regards,\nDaniel\nGlobex Home"},
            {"channel": "chat", "day": 0, "hour": 2, "text": "I can see order {order}: {refund}. It takes {refund_delay} to clear."},
            {"channel": "x", "day": 1, "text": "Hi! Sorry about order {order}. {refund} ({refund_amount}). DM us if you need anything else."},
            {"channel": "email", "day": 2, "text": "Hello {name},\n\nGood news: the carrier found the parcel for order {order} and will deliver it {delivery_date}. The refund of {refund_amount} stands.\n\nDaniel"},
            {"channel": "sms", "day": 2, "hour": 1, "text": "Globex: order {order} will now be delivered {delivery_date}."},
        ],
    },
    {
        "id": "d-en-damaged-table",
        "lang": "en",
        "currency": "GBP",
        "order": "GX130871",
        "customer": "Oliver",
        "values": {"refund": "partial", "refund_amount": ("amt", 4000), "replacement": "refused"},
        "alts": {"refund": ["full", "refused"], "refund_amount": [("amt", 14000)], "replacement": ["granted"]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hi {name},\n\nThanks for the photos of the scratched table top (order {order}). As you'd like to keep the table, {refund}: {refund_amount} back to your card. {replacement}, as that model has been discontinued.\n\nBest,\nGrace"},
            {"channel": "messenger", "day": 0, "hour": 4, "text": "Hey Oliver, for the table ({order}): {refund}, that's {refund_amount}."},
            {"channel": "chat", "day": 1, "text": "Regarding order {order}, {replacement}, but {refund}."},
            {"channel": "whatsapp", "day": 2, "text": "Hi Oliver, the {refund_amount} for the scratched table is on its way - {refund}."},
        ],
    },
    {
        "id": "d-en-returns-policy",
        "lang": "en",
        "currency": "GBP",
        "order": "GX141002",
        "customer": "Aisha",
        "values": {"return_window": ("cal", 28), "return_fee": ("amt", 0), "return": "accepted"},
        "alts": {"return_window": [("cal", 14), ("cal", 90)], "return_fee": [("amt", 495)], "return": ["refused"]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hi {name},\n\nYou have {return_window} from delivery to send items back, and return postage is {return_fee} with the label in your parcel. For order {order}, {return}.\n\nThanks,\nLiam"},
            {"channel": "chat", "day": 0, "hour": 3, "text": "Our returns window is {return_window}. For {order}, {return}."},
            {"channel": "instagram", "day": 1, "text": "Hi Aisha! Returns cost {return_fee} and you've got {return_window} to send them back 💛"},
            {"channel": "sms", "day": 1, "hour": 2, "text": "Globex: return for {order} - {return}. Postage {return_fee}."},
        ],
        "macros": [
            {"title": "Returns: window and postage", "body": "Items can be returned within 28 days of delivery. Return postage is free with the prepaid label.", "facts": {"return_window_days": 28, "return_fee_gbp": 0}, "facts_slots": ["return_window", "return_fee"]},
        ],
    },
    {
        "id": "d-en-express-delivery",
        "lang": "en",
        "currency": "GBP",
        "order": "GX152330",
        "customer": "Mr Evans",
        "values": {"shipping_fee": ("amt", 695), "delivery_delay": ("bus", 1), "dispatch_date": ("date", 0)},
        "alts": {"shipping_fee": [("amt", 395)], "delivery_delay": [("bus", 5)], "dispatch_date": [("date", 3)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Dear {name},\n\nExpress delivery costs {shipping_fee} and arrives within {delivery_delay}. Your order {order} is being dispatched {dispatch_date}.\n\nRegards,\nSam"},
            {"channel": "chat", "day": 0, "hour": 1, "text": "Yes, express is {shipping_fee}, delivered in {delivery_delay}. Your order ships {dispatch_date}."},
            {"channel": "x", "day": 0, "hour": 5, "text": "@mr_evans express shipping is {shipping_fee} - it'll arrive within {delivery_delay}."},
        ],
        "macros": [
            {"title": "Express delivery", "body": "Express delivery costs £6.95 and arrives within 1 business day.", "facts": {"shipping_fee_gbp": 6.95, "delivery_delay_business_days": 1}, "facts_slots": ["shipping_fee", "delivery_delay"]},
        ],
    },
    {
        "id": "d-en-callback",
        "lang": "en",
        "currency": "GBP",
        "order": "GX163447",
        "customer": "Sophie",
        "values": {"callback_delay": ("cal", 2), "voucher_amount": ("amt", 1500), "delivery_date": ("date", 3)},
        "alts": {"callback_delay": [("cal", 7)], "voucher_amount": [("amt", 500)], "delivery_date": [("date", 10)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hi {name},\n\nOur warehouse team will get back to you within {callback_delay} about the missing cushion covers from {order}. In the meantime we've added a {voucher_amount} gift card to your account.\n\nWarm regards,\nEllie"},
            {"channel": "phone", "day": 0, "hour": 3, "text": "Outbound call to Sophie: warehouse to call her back within {callback_delay}; new covers to be delivered {delivery_date}."},
            {"channel": "chat", "day": 1, "text": "The warehouse will contact you within {callback_delay}, and the {voucher_amount} gift card is already on your account."},
            {"channel": "sms", "day": 2, "text": "Globex: your cushion covers ({order}) arrive {delivery_date}."},
        ],
    },
    {
        "id": "d-en-usd-refund",
        "lang": "en",
        "currency": "USD",
        "order": "GX174512",
        "customer": "Mr Brooks",
        "values": {"refund": "granted", "refund_amount": ("amt", 12500), "refund_delay": ("bus", 7, 10)},
        "alts": {"refund": ["refused"], "refund_amount": [("amt", 10500)], "refund_delay": [("bus", 30)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hello {name},\n\n{refund}: {refund_amount} for the cancelled order {order}. International refunds take {refund_delay} to appear.\n\nBest regards,\nNina"},
            {"channel": "chat", "day": 1, "text": "For {order}, {refund}. Allow {refund_delay} since your bank is in the US."},
            {"channel": "messenger", "day": 1, "hour": 6, "text": "Hi! Order {order} was cancelled and {refund}: {refund_amount}."},
        ],
    },
]

SCENARIOS += [
    {
        "id": "d-fr-canape-livraison",
        "lang": "fr",
        "order": "A-17350",
        "other_order": "A-17411",
        "customer": "M. Moreau",
        "values": {"delivery_date": ("date", 9), "shipping_fee": ("amt", 4900), "refund": "granted"},
        "alts": {"delivery_date": [("date", 16)], "shipping_fee": [("amt", 2900)], "refund": ["refused"]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nLa livraison de votre canapé (commande {order}) est programmée {delivery_date}, entre 8h et 13h. Les frais de livraison à domicile de {shipping_fee} ont été facturés avec la commande.\n\nCordialement,\nAurélie"},
            {"channel": "chat", "day": 1, "text": "Je confirme : livraison du canapé {delivery_date}. Le transporteur vous appellera la veille."},
            {"channel": "phone", "day": 3, "text": "Appel M. Moreau ({order}) : conteste les frais de livraison de {shipping_fee}, livraison toujours prévue {delivery_date}."},
            {"channel": "email", "day": 3, "hour": 2, "text": "Bonjour {name},\n\nSuite à notre appel concernant la commande {order} : {refund} pour les frais de livraison de {shipping_fee}, la livraison ayant été décalée.\n\nCordialement,\nAurélie"},
            {"channel": "sms", "day": 4, "text": "Acme : commande {order}, {refund} des frais de livraison. Livraison {delivery_date}."},
        ],
    },
    {
        "id": "d-en-gift-card",
        "lang": "en",
        "currency": "GBP",
        "order": "GX185020",
        "customer": "Ruby",
        "values": {"voucher_amount": ("amt", 2500), "refund": "refused", "callback_delay": ("cal", 1)},
        "alts": {"voucher_amount": [("amt", 5000)], "refund": ["granted"], "callback_delay": [("bus", 5)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hi {name},\n\nI've looked at order {order}: as the candles were used, {refund}. I have however added a {voucher_amount} gift card to your account as a gesture of goodwill.\n\nTake care,\nMegan"},
            {"channel": "instagram", "day": 0, "hour": 5, "text": "Hi Ruby, sorry - {refund}. The {voucher_amount} gift card should be in your account now ✨"},
            {"channel": "chat", "day": 1, "text": "A supervisor will get back to you within {callback_delay} about order {order}. Until then the gift card of {voucher_amount} is yours to use."},
            {"channel": "whatsapp", "day": 1, "hour": 3, "text": "Hi Ruby, for {order}: {refund}. Our supervisor will call you back within {callback_delay}."},
        ],
    },
]

PHRASES["fr"]["refund"]["granted"] += ["c'est validé pour le remboursement", "je lance le remboursement"]
PHRASES["fr"]["refund"]["refused"] += ["le remboursement n'est pas accepté", "nous refusons le remboursement"]
PHRASES["en"]["refund"]["granted"] += ["I've processed a refund for you", "the refund has gone through"]
PHRASES["en"]["refund"]["refused"] += ["we won't be able to refund it", "the order doesn't qualify for a refund"]
PHRASES["fr"]["replacement"]["granted"] += ["un article de remplacement part aujourd'hui"]
PHRASES["en"]["replacement"]["refused"] += ["we don't have a replacement to send"]

SCENARIOS += [
    {
        "id": "d-fr-jean-echange",
        "lang": "fr",
        "order": "A-18823",
        "customer": "Lucas",
        "values": {"replacement": "granted", "delivery_delay": ("bus", 2, 3), "return_fee": ("amt", 0)},
        "alts": {"replacement": ["refused"], "delivery_delay": [("bus", 8, 10)], "return_fee": [("amt", 350)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nPas de souci pour la taille : {replacement}. Le nouveau jean arrivera chez vous sous {delivery_delay}. Pour renvoyer l'ancien, l'étiquette de retour vous coûte {return_fee}.\n\nBonne journée,\nEmma"},
            {"channel": "instagram", "day": 0, "hour": 2, "text": "Coucou Lucas, pour l'échange de ta commande {order} : {replacement} 👖 Livraison en {delivery_delay}."},
            {"channel": "chat", "day": 1, "text": "Oui, {replacement}. Le renvoi de l'ancien jean se fait avec l'étiquette de retour à {return_fee}."},
            {"channel": "sms", "day": 1, "hour": 4, "text": "Acme - {order} : nouveau jean livre sous {delivery_delay}. Etiquette retour : {return_fee}."},
        ],
    },
    {
        "id": "d-en-mattress-trial",
        "lang": "en",
        "currency": "GBP",
        "order": "GX196611",
        "customer": "Mrs Hughes",
        "values": {"return_window": ("cal", 100), "refund": "granted", "refund_delay": ("cal", 14)},
        "alts": {"return_window": [("cal", 30)], "refund": ["refused"], "refund_delay": [("cal", 60)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Dear {name},\n\nYour mattress comes with a {return_window} trial, so you can still send it back. Once our courier has collected it, {refund}, and the money should be with you within {refund_delay}.\n\nKind regards,\nAlex"},
            {"channel": "chat", "day": 0, "hour": 3, "text": "You're well within the {return_window} trial for order {order}. {refund}."},
            {"channel": "messenger", "day": 1, "text": "Hi! Collection is booked for {order}. After that, allow {refund_delay} for the refund."},
            {"channel": "x", "day": 2, "text": "@mrs_hughes hi, our trial period is {return_window} and refunds land within {refund_delay}. ^AL"},
        ],
        "macros": [
            {"title": "Mattress trial", "body": "Every mattress has a 100-night trial. Refunds are paid within 14 days of collection.", "facts": {"return_window_days": 100, "refund_delay_days": 14}, "facts_slots": ["return_window", "refund_delay"]},
        ],
    },
    {
        "id": "d-fr-precommande",
        "lang": "fr",
        "order": "A-19044",
        "customer": "Mme Fontaine",
        "values": {"dispatch_date": ("date", 7), "refund": "granted", "refund_amount": ("amt", 12990)},
        "alts": {"dispatch_date": [("date", 21)], "refund": ["refused"], "refund_amount": [("amt", 2990)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Madame,\n\nLa lampe précommandée (commande {order}) sera expédiée {dispatch_date}. Vous nous avez demandé d'annuler : {refund} de {refund_amount} sur votre carte.\n\nCordialement,\nHugo"},
            {"channel": "whatsapp", "day": 1, "text": "Bonjour Mme Fontaine, la précommande {order} part de l'entrepôt {dispatch_date}."},
            {"channel": "email", "day": 2, "text": "Madame,\n\nVous avez choisi d'annuler la commande {order} : {refund}, soit {refund_amount}.\n\nCordialement,\nHugo"},
            {"channel": "chat", "day": 3, "text": "Je vois l'annulation de la commande {order} : {refund} pour un montant de {refund_amount}."},
        ],
    },
]

SCENARIOS += [
    {
        "id": "d-fr-carte-cadeau-expiree",
        "lang": "fr",
        "order": "A-20561",
        "customer": "Mme Henry",
        "values": {"voucher_amount": ("amt", 3000), "callback_delay": ("bus", 2), "refund": "refused"},
        "alts": {"voucher_amount": [("amt", 1000)], "callback_delay": [("bus", 10)], "refund": ["granted"]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Madame,\n\nVotre carte cadeau a expiré le mois dernier et {refund}. Notre responsable de service vous contactera sous {callback_delay} pour trouver une solution ; en attendant, un avoir de {voucher_amount} a été crédité sur votre compte client.\n\nCordialement,\nÉlodie"},
            {"channel": "phone", "day": 0, "hour": 5, "text": "Appel Mme Henry : {refund}. Avoir de {voucher_amount} confirmé. Rappel du responsable sous {callback_delay}."},
            {"channel": "messenger", "day": 1, "text": "Bonjour ! Le responsable reviendra vers vous d'ici {callback_delay}. Votre avoir de {voucher_amount} est utilisable dès maintenant."},
            {"channel": "sms", "day": 1, "hour": 2, "text": "Acme: avoir de {voucher_amount} disponible sur votre compte. Le service client vous rappelle sous {callback_delay}."},
        ],
    },
    {
        "id": "d-en-tv-stand-delivery",
        "lang": "en",
        "currency": "GBP",
        "order": "GX207745",
        "customer": "Mr Singh",
        "values": {"delivery_date": ("date", 5), "dispatch_delay": ("bus", 2), "shipping_fee": ("amt", 1995)},
        "alts": {"delivery_date": [("date", 12)], "dispatch_delay": [("bus", 6)], "shipping_fee": [("amt", 995), ("amt", 0)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hello {name},\n\nThanks for your order {order}. Two-person delivery for the TV stand is {shipping_fee}; the stand leaves our warehouse within {dispatch_delay} and our carrier has booked your delivery {delivery_date}.\n\nBest regards,\nChris"},
            {"channel": "chat", "day": 1, "text": "Your delivery slot is {delivery_date} between 7am and 7pm, and the {shipping_fee} delivery charge was taken with your payment."},
            {"channel": "whatsapp", "day": 1, "hour": 5, "text": "Hi, confirming order {order}: it ships within {dispatch_delay}, delivery {delivery_date}."},
            {"channel": "x", "day": 2, "text": "@r_singh hi! Two-person delivery costs {shipping_fee}, and your stand is booked in for {delivery_date}."},
        ],
    },
    {
        "id": "d-fr-remboursement-virement",
        "lang": "fr",
        "order": "A-21230",
        "other_order": "A-21577",
        "customer": "M. Rousseau",
        "values": {"refund": "granted", "refund_amount": ("amt", 4550), "refund_delay": ("bus", 3)},
        "alts": {"refund": ["refused"], "refund_amount": [("amt", 5450)], "refund_delay": [("bus", 15)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Monsieur,\n\nVotre paiement par virement pour la commande {order} ne peut pas être recrédité sur une carte : {refund} par virement bancaire. Les {refund_amount} seront sur votre compte sous {refund_delay} après réception de votre RIB.\n\nCordialement,\nKarim"},
            {"channel": "chat", "day": 1, "text": "J'ai bien reçu votre RIB pour la commande {order}. Le virement de {refund_amount} arrivera sous {refund_delay}."},
            {"channel": "email", "day": 2, "text": "Monsieur,\n\nPour la commande {order}, {refund}. Montant : {refund_amount}.\n\nKarim"},
            {"channel": "whatsapp", "day": 2, "hour": 4, "text": "Bonjour M. Rousseau, {refund} pour la commande {order}, comptez {refund_delay} pour le virement."},
        ],
    },
]

SCENARIOS += [
    {
        "id": "d-en-warranty-repair",
        "lang": "en",
        "currency": "GBP",
        "order": "GX218803",
        "customer": "Zoe",
        "values": {"replacement": "refused", "callback_delay": ("cal", 2), "delivery_delay": ("cal", 14)},
        "alts": {"replacement": ["granted"], "callback_delay": [("cal", 10)], "delivery_delay": [("cal", 42)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hi {name},\n\nThe coffee machine from {order} is still under warranty, so we'll repair it rather than swap it: {replacement}. Our repair partner will be in touch within {callback_delay} to arrange collection, and the repaired machine is usually back with you in {delivery_delay}.\n\nCheers,\nBen"},
            {"channel": "chat", "day": 0, "hour": 4, "text": "Just to set expectations: repairs take around {delivery_delay} door to door, and the repair partner will contact you within {callback_delay}."},
            {"channel": "instagram", "day": 1, "text": "Hi Zoe! For the machine ({order}) {replacement}, it'll be repaired under warranty and returned to you in {delivery_delay} ☕"},
            {"channel": "sms", "day": 1, "hour": 3, "text": "Globex: the repair partner will call you within {callback_delay} about order {order}."},
        ],
    },
]

PHRASES["fr"]["return"]["accepted"] += ["nous acceptons le retour de l'article"]
PHRASES["fr"]["return"]["refused"] += ["nous ne pouvons pas reprendre l'article"]
PHRASES["en"]["return"]["accepted"] += ["we're happy to accept the return"]
PHRASES["en"]["return"]["refused"] += ["we aren't able to take the item back"]

SCENARIOS += [
    {
        "id": "d-fr-article-personnalise",
        "lang": "fr",
        "order": "A-22914",
        "customer": "Mme Garnier",
        "values": {"return": "refused", "refund": "partial", "refund_amount": ("amt", 1200)},
        "alts": {"return": ["accepted"], "refund": ["full", "refused"], "refund_amount": [("amt", 6000)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Madame,\n\nLe coussin brodé à votre prénom est un article personnalisé : {return}. En revanche, la broderie comportant une faute, {refund}, soit {refund_amount}.\n\nBien cordialement,\nMathilde"},
            {"channel": "chat", "day": 1, "text": "Pour le coussin personnalisé (commande {order}), {return}, désolée."},
            {"channel": "messenger", "day": 1, "hour": 3, "text": "Bonjour Mme Garnier, la faute de broderie est bien notée : {refund} ({refund_amount})."},
            {"channel": "sms", "day": 2, "text": "Acme: commande {order}, {refund} de {refund_amount} sur votre carte."},
        ],
    },
    {
        "id": "d-en-free-returns-threshold",
        "lang": "en",
        "currency": "GBP",
        "order": "GX229035",
        "customer": "Leo",
        "values": {"return_fee": ("amt", 0), "return_window": ("cal", 30), "shipping_fee": ("amt", 450)},
        "alts": {"return_fee": [("amt", 299)], "return_window": [("cal", 7)], "shipping_fee": [("amt", 0), ("amt", 650)]},
        "answers": [
            {"channel": "email", "day": 0, "text": "Hi {name},\n\nGood question! Standard delivery is {shipping_fee} (free on orders over £50), and returns are {return_fee} within {return_window} of delivery.\n\nCheers,\nJess"},
            {"channel": "chat", "day": 0, "hour": 2, "text": "You've got {return_window} to change your mind, and sending it back costs {return_fee}."},
            {"channel": "x", "day": 1, "text": "@leo_k hey! Delivery is {shipping_fee} under £50. Returns: {return_fee}, within {return_window} 👍"},
        ],
        "macros": [
            {"title": "Delivery and returns", "body": "Standard delivery costs £4.50, free over £50. Returns are free within 30 days.", "facts": {"shipping_fee_gbp": 4.5, "return_fee_gbp": 0, "return_window_days": 30}, "facts_slots": ["shipping_fee", "return_fee", "return_window"]},
        ],
    },
]
