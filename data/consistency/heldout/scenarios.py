# Held-out scenarios of the consistency evaluation. Written first, before the dev split,
# and never used to tune the detector (see ../README.md).
# Placeholders: {slot} is filled by tools/consistency_pairs.py with the scenario's value
# (or an alternative, for a contradiction), in a number/date format drawn at random.

PHRASES = {
    "fr": {
        "refund": {
            "granted": [
                "nous avons validé votre remboursement",
                "votre remboursement a bien été accepté",
                "nous procédons dès aujourd'hui à votre remboursement",
            ],
            "refused": [
                "nous ne sommes malheureusement pas en mesure de vous rembourser",
                "votre demande de remboursement a été refusée",
                "un remboursement n'est pas possible dans votre situation",
            ],
            "partial": [
                "nous vous accordons un remboursement partiel",
                "nous pouvons vous rembourser une partie de la commande",
            ],
        },
        "replacement": {
            "granted": [
                "nous vous envoyons un nouvel article en remplacement",
                "un remplacement a été validé par notre service logistique",
            ],
            "refused": [
                "nous ne pouvons pas vous proposer de remplacement, l'article étant épuisé",
                "le remplacement n'est malheureusement pas possible",
            ],
        },
        "return": {
            "accepted": [
                "votre retour est accepté",
                "nous avons validé votre demande de retour",
            ],
            "refused": [
                "nous ne pouvons pas accepter ce retour",
                "votre demande de retour a été refusée",
            ],
        },
    },
    "en": {
        "refund": {
            "granted": [
                "we have approved your refund",
                "your refund has been processed",
                "I've gone ahead and issued your refund",
            ],
            "refused": [
                "we are unable to offer a refund on this occasion",
                "I'm afraid your refund request has been declined",
                "this order is not eligible for a refund",
            ],
            "partial": [
                "we can offer you a partial refund",
                "we'll refund part of the order",
            ],
        },
        "replacement": {
            "granted": [
                "we're sending you a replacement",
                "a replacement has been approved and will go out to you",
            ],
            "refused": [
                "we can't send a replacement as the item is out of stock",
                "unfortunately a replacement isn't possible",
            ],
        },
        "return": {
            "accepted": [
                "your return has been approved",
                "we have accepted your return",
            ],
            "refused": [
                "we cannot accept this return",
                "your return request has been declined",
            ],
        },
    },
}

SCENARIOS = [
    {
        "id": "h-fr-robe-retournee",
        "lang": "fr",
        "order": "A-20417",
        "other_order": "A-20988",
        "customer": "Mme Lefort",
        "values": {"refund": "granted", "refund_amount": ("amt", 5990), "refund_delay": ("bus", 5)},
        "alts": {
            "refund": ["refused"],
            "refund_amount": [("amt", 4990)],
            "refund_delay": [("cal", 14)],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nNous avons bien reçu la robe retournée (commande {order}) et {refund}. Le montant de {refund_amount} sera recrédité sur votre carte bancaire sous {refund_delay}.\n\nNous restons à votre disposition.\nCordialement,\nCamille - Service client Acme"},
            {"channel": "chat", "day": 1, "text": "Je vois votre dossier pour la commande {order} : {refund}. Comptez {refund_delay} pour le voir apparaître sur votre compte."},
            {"channel": "instagram", "day": 1, "hour": 5, "text": "Bonsoir ! Pour votre commande {order}, {refund} ({refund_amount}). Bonne soirée 🙂"},
            {"channel": "sms", "day": 2, "text": "Acme : remboursement de {refund_amount} pour la commande {order}, visible sous {refund_delay}. Service client"},
        ],
        "macros": [
            {"title": "Délai de remboursement", "body": "Une fois votre retour reçu et contrôlé, le remboursement est effectué sous 5 jours ouvrés sur le moyen de paiement utilisé.", "facts": {"refund_delay_business_days": 5}, "facts_slots": ["refund_delay"]},
        ],
    },
    {
        "id": "h-fr-colis-perdu",
        "lang": "fr",
        "order": "A-31552",
        "customer": "M. Girard",
        "values": {"replacement": "granted", "delivery_date": ("date", 3), "dispatch_delay": ("cal", 1)},
        "alts": {
            "replacement": ["refused"],
            "delivery_date": [("date", 8)],
            "dispatch_delay": [("cal", 5)],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nLe transporteur nous confirme que le colis de la commande {order} est perdu. Toutes nos excuses : {replacement}. Il sera expédié sous {dispatch_delay} et vous devriez le recevoir {delivery_date}.\n\nBien à vous,\nYanis, Service client"},
            {"channel": "whatsapp", "day": 1, "text": "Bonjour, c'est Yanis d'Acme. Pour le colis perdu ({order}) : {replacement}, livraison prévue {delivery_date}."},
            {"channel": "messenger", "day": 0, "hour": 3, "text": "Bonjour ! Nous avons regardé votre commande {order} : {replacement}. Il partira de notre entrepôt sous {dispatch_delay}."},
            {"channel": "chat", "day": 2, "text": "Votre nouveau colis sera livré {delivery_date}, vous recevrez le lien de suivi par mail."},
        ],
    },
    {
        "id": "h-fr-politique-retour",
        "lang": "fr",
        "order": "A-40096",
        "customer": "Sarah",
        "values": {"return_window": ("cal", 30), "return_fee": ("amt", 0), "return": "accepted"},
        "alts": {
            "return_window": [("cal", 14)],
            "return_fee": [("amt", 590)],
            "return": ["refused"],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nVous disposez de {return_window} à compter de la réception pour retourner un article. Les frais de retour sont de {return_fee} avec l'étiquette jointe à votre colis.\n\nCordialement,\nLéa"},
            {"channel": "chat", "day": 0, "hour": 2, "text": "Pour la commande {order}, {return}. Vous avez {return_window} pour nous renvoyer le pull."},
            {"channel": "x", "day": 1, "text": "@sarah_b bonjour ! Le délai de retour est de {return_window}, frais de retour : {return_fee}. Bonne journée"},
            {"channel": "messenger", "day": 2, "text": "Bonjour Sarah, {return} pour le pull de la commande {order}. L'étiquette vous coûtera {return_fee}."},
        ],
        "macros": [
            {"title": "Politique de retour", "body": "Vous avez 30 jours après réception pour nous retourner un article. Le retour est gratuit avec l'étiquette prépayée.", "facts": {"return_window_days": 30, "return_fee_eur": 0}, "facts_slots": ["return_window", "return_fee"]},
        ],
    },
    {
        "id": "h-fr-frais-port",
        "lang": "fr",
        "order": "A-55230",
        "customer": "Bruno",
        "values": {"shipping_fee": ("amt", 490), "dispatch_delay": ("bus", 2), "refund": "partial", "refund_amount": ("amt", 490)},
        "alts": {
            "shipping_fee": [("amt", 690)],
            "dispatch_delay": [("bus", 7)],
            "refund": ["refused"],
            "refund_amount": [("amt", 990)],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Bonjour {name},\n\nLes frais de port de votre commande {order} s'élèvent bien à {shipping_fee}. Comme la commande a été expédiée en retard, {refund} : les {refund_amount} de livraison vous seront rendus.\n\nCordialement,\nNadia"},
            {"channel": "chat", "day": 0, "hour": 1, "text": "Les commandes partent en général sous {dispatch_delay}, et les frais de port sont de {shipping_fee}."},
            {"channel": "sms", "day": 1, "text": "Acme: suite a votre reclamation {order}, {refund}, soit {refund_amount}. Bonne journee"},
            {"channel": "whatsapp", "day": 2, "text": "Bonjour Bruno, les commandes sont expédiées sous {dispatch_delay} après paiement. Pour la vôtre ({order}), {refund}."},
        ],
        "macros": [
            {"title": "Frais de livraison", "body": "La livraison standard coûte 4,90 € ; elle est offerte dès 60 € d'achat. Les commandes sont expédiées sous 2 jours ouvrés.", "facts": {"shipping_fee_eur": 4.9, "dispatch_delay_business_days": 2}, "facts_slots": ["shipping_fee", "dispatch_delay"]},
        ],
    },
    {
        "id": "h-en-double-charge",
        "lang": "en",
        "currency": "GBP",
        "order": "GX410233",
        "other_order": "GX410871",
        "customer": "Mr Doyle",
        "values": {"refund": "granted", "refund_amount": ("amt", 8450), "refund_delay": ("bus", 3, 5)},
        "alts": {
            "refund": ["refused"],
            "refund_amount": [("amt", 4225)],
            "refund_delay": [("cal", 30)],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Hello {name},\n\nThank you for your patience. I can confirm you were charged twice for order {order}, and {refund}. The duplicate payment of {refund_amount} will be back on your card within {refund_delay}.\n\nKind regards,\nPriya\nGlobex Customer Care"},
            {"channel": "chat", "day": 0, "hour": 4, "text": "Thanks for waiting! I've checked order {order}: {refund}. It can take {refund_delay} to show on your statement."},
            {"channel": "x", "day": 1, "text": "Hi there, we've looked into order {order} and {refund}. You'll see {refund_amount} back on your card soon. ^PR"},
            {"channel": "sms", "day": 2, "text": "Globex: refund of {refund_amount} for order {order} is on its way, allow {refund_delay}."},
        ],
    },
    {
        "id": "h-en-broken-lamp",
        "lang": "en",
        "currency": "GBP",
        "order": "GX527710",
        "customer": "Hannah",
        "values": {"replacement": "granted", "replacement_delay": ("bus", 3), "refund": "refused"},
        "alts": {
            "replacement": ["refused"],
            "replacement_delay": [("cal", 14)],
            "refund": ["granted"],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Dear {name},\n\nI'm so sorry the lamp from order {order} arrived broken. Since you'd prefer to keep the same model, {replacement} and it should reach you within {replacement_delay}. As we are replacing the item, {refund}.\n\nBest wishes,\nTom"},
            {"channel": "messenger", "day": 1, "text": "Hi Hannah! Just to confirm for order {order}: {replacement}. Expect it within {replacement_delay}."},
            {"channel": "instagram", "day": 1, "hour": 6, "text": "Hi Hannah, about the broken lamp ({order}) - {refund}, but {replacement}."},
            {"channel": "chat", "day": 3, "text": "I can see the new lamp for {order}: {replacement}, so {refund}."},
        ],
    },
    {
        "id": "h-en-return-window",
        "lang": "en",
        "currency": "GBP",
        "order": "GX603318",
        "customer": "Mrs Patel",
        "values": {"return_window": ("cal", 28), "return": "refused", "return_fee": ("amt", 395)},
        "alts": {
            "return_window": [("cal", 60)],
            "return": ["accepted"],
            "return_fee": [("amt", 0)],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Dear {name},\n\nOur policy gives customers {return_window} from delivery to return an item. Your sofa cushions were delivered in August, so {return}.\n\nYours sincerely,\nOwen, Globex Home"},
            {"channel": "chat", "day": 1, "text": "I've checked order {order}. You have {return_window} to return items and yours arrived too long ago, so {return}, sorry."},
            {"channel": "email", "day": 2, "text": "Hello {name},\n\nFollowing your call: returns within {return_window} cost {return_fee} for the collection.\n\nRegards,\nOwen"},
            {"channel": "whatsapp", "day": 2, "hour": 3, "text": "Hi, for order {order} - {return}. Collection of a return costs {return_fee}."},
        ],
        "macros": [
            {"title": "Returns policy", "body": "You can return any item within 28 days of delivery. We collect it for a fee of £3.95.", "facts": {"return_window_days": 28, "return_fee_gbp": 3.95}, "facts_slots": ["return_window", "return_fee"]},
        ],
    },
    {
        "id": "h-en-late-sofa",
        "lang": "en",
        "currency": "GBP",
        "order": "GX718840",
        "customer": "Jamie",
        "values": {"delivery_date": ("date", 4), "voucher_amount": ("amt", 2000), "delivery_delay": ("cal", 2)},
        "alts": {
            "delivery_date": [("date", 11)],
            "voucher_amount": [("amt", 1000)],
            "delivery_delay": [("cal", 10)],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Hi {name},\n\nApologies that your sofa (order {order}) has been delayed. The carrier now has it booked for delivery {delivery_date}. To make up for the wait, we've added a {voucher_amount} voucher to your account.\n\nAll the best,\nMaya"},
            {"channel": "sms", "day": 2, "text": "Globex: your sofa {order} will be delivered {delivery_date}. Reply STOP to opt out."},
            {"channel": "chat", "day": 2, "hour": 2, "text": "It's with the carrier now and should be with you in {delivery_delay}. The {voucher_amount} voucher is on your account."},
            {"channel": "instagram", "day": 1, "text": "Hi Jamie! Order {order} is due {delivery_date} 🛋️ and a {voucher_amount} voucher is waiting in your account."},
        ],
    },
]

SCENARIOS.append(
    {
        "id": "h-fr-geste-commercial",
        "lang": "fr",
        "order": "A-61877",
        "customer": "Mme Roux",
        "values": {"voucher_amount": ("amt", 1500), "callback_delay": ("cal", 2), "delivery_date": ("date", 2)},
        "alts": {
            "voucher_amount": [("amt", 500)],
            "callback_delay": [("cal", 7)],
            "delivery_date": [("date", 9)],
        },
        "answers": [
            {"channel": "email", "day": 0, "text": "Madame,\n\nNous sommes désolés pour le retard de votre commande {order}. En guise de geste commercial, un bon d'achat de {voucher_amount} vous a été envoyé par e-mail. Notre service logistique reviendra vers vous sous {callback_delay} pour confirmer la livraison.\n\nCordialement,\nService client Acme"},
            {"channel": "phone", "day": 0, "hour": 4, "text": "Appel sortant Mme Roux : bon d'achat de {voucher_amount} confirmé, livraison prévue {delivery_date}."},
            {"channel": "sms", "day": 1, "text": "Acme : votre commande {order} sera livree {delivery_date}. Votre bon d'achat de {voucher_amount} est valable sur tout le site."},
            {"channel": "chat", "day": 1, "hour": 2, "text": "Le service logistique va vous rappeler sous {callback_delay}, et la livraison est toujours prévue {delivery_date}."},
        ],
    }
)
