"""Word lists and text templates for the demo traffic generator (data only, no logic).

Templates are ``str.format`` strings. Slots a template may use:

``{order}`` order number as the customer writes it (varies per message), ``{product}``,
``{amount}``, ``{tracking}``, ``{carrier}``, ``{promo}``, ``{when}`` (when the order was
placed), ``{days}``, ``{brand}`` (brand display name), ``{handle}`` (brand's X handle),
``{email}``, ``{phone}``, ``{first}``, ``{last}``, ``{agent}``, ``{topic}``, ``{prev}``
(how the customer reached us before, e.g. "par mail"), ``{client}`` ("Cliente"/"Client").

Keys are ``(language, reason)`` or ``language``; languages are ``"fr"`` and ``"en"``.
"""

from __future__ import annotations

#: Relative frequency of each contact reason (e-commerce heavy: delivery and order first).
REASON_WEIGHTS: dict[str, float] = {
    "delivery": 26,
    "order": 18,
    "return": 12,
    "refund": 9,
    "product": 8,
    "availability": 7,
    "payment": 6,
    "promotion": 5,
    "account": 5,
    "other": 4,
}

#: Probability that a request for this reason is about one particular order.
ORDER_PROBABILITY: dict[str, float] = {
    "order": 1.0,
    "delivery": 1.0,
    "return": 1.0,
    "refund": 1.0,
    "payment": 0.8,
    "product": 0.4,
    "promotion": 0.2,
    "availability": 0.0,
    "account": 0.1,
    "other": 0.3,
}

# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------
# Each pool has exactly 50 female + 50 male first names and 100 surnames, and the two
# pools' surname lists are disjoint, so that (pool, first, last, generation) identifies a
# customer and e-mail addresses built from it are unique by construction.

FR_FIRST_F: tuple[str, ...] = (
    "Julie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Sarah", "Inès", "Laura", "Marie",
    "Anaïs", "Pauline", "Céline", "Nathalie", "Isabelle", "Sophie", "Aurélie", "Émilie",
    "Sandrine", "Valérie", "Caroline", "Claire", "Élodie", "Mélanie", "Audrey", "Lucie",
    "Charlotte", "Clara", "Jade", "Louise", "Alice", "Zoé", "Océane", "Margaux", "Justine",
    "Morgane", "Amandine", "Hélène", "Christine", "Véronique", "Martine", "Brigitte",
    "Sylvie", "Agnès", "Fatima", "Yasmine", "Nadia", "Samia", "Ana", "Mathilde",
)  # fmt: skip
FR_FIRST_M: tuple[str, ...] = (
    "Thomas", "Nicolas", "Julien", "Maxime", "Alexandre", "Antoine", "Kevin", "Romain",
    "Guillaume", "Pierre", "Jean", "Louis", "Hugo", "Lucas", "Théo", "Nathan", "Mathieu",
    "Sébastien", "Christophe", "Stéphane", "Laurent", "Olivier", "Philippe", "Patrick",
    "Éric", "Frédéric", "David", "Vincent", "Franck", "Jérôme", "Cédric", "Arnaud",
    "Benoît", "Damien", "Florian", "Quentin", "Adrien", "Clément", "Baptiste", "Raphaël",
    "Gabriel", "Arthur", "Jules", "Karim", "Mehdi", "Yacine", "Mohamed", "Rachid", "João",
    "Jean-Pierre",
)  # fmt: skip
FR_LAST: tuple[str, ...] = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Bertrand",
    "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont",
    "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
    "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard",
    "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Roche", "Meyer", "Meunier",
    "Perez", "Marchand", "Dufour", "Blanchard", "Barbier", "Brun", "Dumas", "Brunet",
    "Schmitt", "Leroux", "Colin", "Fernandez", "Renard", "Caron", "Aubert", "Giraud",
    "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Lacroix",
    "Fabre", "Dupuis", "Rodriguez", "Da Silva", "Hubert", "Rivière", "Le Gall", "Moulin",
    "Lecomte", "Ménard", "Benali", "Haddad", "Diallo", "Traoré", "Ferreira", "Pereira",
    "Dos Santos", "Cohen", "N'Diaye",
)  # fmt: skip

EN_FIRST_F: tuple[str, ...] = (
    "Emma", "Olivia", "Amelia", "Isla", "Ava", "Jessica", "Sophie", "Grace", "Lily",
    "Emily", "Hannah", "Charlotte", "Lucy", "Ella", "Mia", "Chloe", "Ruby", "Poppy",
    "Holly", "Megan", "Rebecca", "Laura", "Rachel", "Sarah", "Claire", "Helen", "Karen",
    "Susan", "Joanne", "Nicola", "Gemma", "Kirsty", "Zoe", "Amy", "Lauren", "Katie",
    "Abigail", "Freya", "Eleanor", "Harriet", "Priya", "Aisha", "Fatima", "Amira", "Niamh",
    "Siobhan", "Aoife", "Bethan", "Rhiannon", "Maya",
)  # fmt: skip
EN_FIRST_M: tuple[str, ...] = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Henry", "Leo", "Alfie", "Joshua", "Freddie", "Archie", "Ethan",
    "Isaac", "Alexander", "Daniel", "Samuel", "Joseph", "Max", "Mohammed", "Arjun", "Ravi",
    "Imran", "Callum", "Connor", "Liam", "Ryan", "Jamie", "Lewis", "Kieran", "Dylan",
    "Owen", "Rhys", "Gareth", "Ewan", "Fraser", "Hamish", "Mark", "Paul", "Andrew",
    "Stephen", "David", "Richard", "Simon", "Matthew",
)  # fmt: skip
EN_LAST: tuple[str, ...] = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson",
    "Johnson", "Roberts", "Robinson", "Wright", "Thompson", "White", "Walker", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker",
    "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook",
    "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt",
    "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes",
    "Knight", "Lloyd", "Butler", "Russell", "Fisher", "Stevens", "Jenkins", "Murray",
    "Dixon", "Ahmed", "O'Brien", "Kaur", "Gibson", "Stewart", "MacDonald",
)  # fmt: skip

#: E-mail domains per name pool, with relative weights. Only names reserved for
#: examples (RFC 2606: example.com/.net/.org and *.example), so no generated address
#: can reach a real mailbox; several "providers" per pool keep the mix of a real customer
#: base (most on a few big webmails, a long tail). Not *.test: email-validator refuses
#: that special-use name, so ingestion would reject the messages.
EMAIL_DOMAINS: dict[str, tuple[tuple[str, float], ...]] = {
    "fr": (
        ("webmail.example", 34), ("courriel.example", 14), ("messagerie.example", 10),
        ("example.net", 8), ("boite.example", 6), ("example.org", 5), ("poste.example", 5),
        ("example.com", 4), ("mel.example", 4), ("fai.example", 4), ("nuage.example", 4),
        ("adsl.example", 3),
    ),
    "en": (
        ("webmail.example", 34), ("mailbox.example", 12), ("example.com", 10),
        ("inbox.example", 10), ("example.net", 8), ("broadband.example", 6),
        ("example.org", 4), ("post.example", 4), ("cloudmail.example", 4),
        ("secure.example", 2), ("home.example", 2),
    ),
}  # fmt: skip

#: Host that appears on the right of the Message-ID of mail sent from each domain
#: (the others use ``mail.<domain>``): big webmails send from hosts with odd names.
MAIL_HOSTS: dict[str, str] = {
    "webmail.example": "mx-out.webmail.example",
    "courriel.example": "wwinf1m23.courriel.example",
    "messagerie.example": "PR3P194MB0811.EURP194.PROD.MESSAGERIE.EXAMPLE",
    "mailbox.example": "LO2P265MB3342.GBRP265.PROD.MAILBOX.EXAMPLE",
    "inbox.example": "smtp.inbox.example",
    "example.net": "zimbra65-e11.priv.example.net",
}

AGENTS: dict[str, tuple[str, ...]] = {
    "fr": ("Sophie", "Karim", "Léa", "Thomas", "Inès", "Julien", "Amélie", "Nicolas", "Yasmina",
           "Hugo"),
    "en": ("Emma", "Oliver", "Priya", "Jack", "Chloe", "Daniel", "Sam", "Hannah", "Tom", "Aisha"),
}  # fmt: skip

# --------------------------------------------------------------------------------------
# Request details
# --------------------------------------------------------------------------------------

#: Catalogue per brand kind (0: fashion, 1: home & electronics) and language.
PRODUCTS: dict[tuple[int, str], tuple[str, ...]] = {
    (0, "fr"): (
        "la robe portefeuille bleue", "le jean slim taille 38", "les baskets blanches en 39",
        "le pull en laine mérinos", "la veste en jean", "le manteau long camel",
        "la chemise en lin blanche", "les bottines en cuir noir", "le sac cabas en cuir",
        "la jupe plissée verte", "le sweat à capuche gris", "la doudoune sans manches",
    ),
    (0, "en"): (
        "the blue wrap dress", "the slim jeans in size 10", "the white trainers (size 6)",
        "the merino wool jumper", "the denim jacket", "the long camel coat",
        "the white linen shirt", "the black leather ankle boots", "the leather tote bag",
        "the green pleated skirt", "the grey hoodie", "the sleeveless puffer jacket",
    ),
    (1, "fr"): (
        "l'aspirateur sans fil", "la friteuse sans huile", "le casque Bluetooth",
        "la machine à café à grain", "le téléviseur 55 pouces", "la bouilloire inox",
        "le robot pâtissier", "la perceuse-visseuse", "l'enceinte connectée",
        "le sèche-cheveux", "la tablette 10 pouces", "le micro-ondes",
    ),
    (1, "en"): (
        "the cordless vacuum", "the air fryer", "the wireless headphones",
        "the bean-to-cup coffee machine", "the 55-inch TV", "the stainless steel kettle",
        "the stand mixer", "the cordless drill", "the smart speaker", "the hair dryer",
        "the 10-inch tablet", "the microwave",
    ),
}  # fmt: skip

PRICES: tuple[float, ...] = (
    14.99, 19.99, 24.90, 29.90, 34.50, 39.99, 45.00, 49.90, 59.00, 69.99, 79.99, 89.90,
    99.00, 119.00, 129.90, 149.00, 189.99, 219.00, 349.00, 499.00,
)  # fmt: skip

PROMO_CODES: tuple[str, ...] = (
    "BIENVENUE10", "SOLDES20", "WELCOME15", "BLACKFRIDAY", "NOEL25", "SUMMER20",
    "FIDELITE5", "VIP30", "FREESHIP", "SPRING10",
)  # fmt: skip

CARRIERS: dict[str, tuple[str, ...]] = {
    "FR": ("Colissimo", "Chronopost", "Mondial Relay", "DPD", "Colis Privé"),
    "GB": ("Royal Mail", "DPD", "Evri", "DHL", "Yodel"),
}

WHEN: dict[str, tuple[str, ...]] = {
    "fr": (
        "il y a 10 jours", "la semaine dernière", "lundi dernier", "le 3 du mois",
        "il y a deux semaines", "il y a 5 jours", "pendant les soldes", "début du mois",
    ),
    "en": (
        "10 days ago", "last week", "last Monday", "on the 3rd", "two weeks ago",
        "5 days ago", "during the sale", "at the start of the month",
    ),
}  # fmt: skip

#: How the customer says where they contacted the brand before.
PREV: dict[str, dict[str, str]] = {
    "fr": {
        "email": "par mail", "chat": "sur le chat", "phone": "par téléphone",
        "messenger": "sur Messenger", "instagram": "sur Instagram", "whatsapp": "sur WhatsApp",
        "x": "sur Twitter", "sms": "par SMS", "webform": "via le formulaire de contact",
    },
    "en": {
        "email": "by email", "chat": "on your live chat", "phone": "by phone",
        "messenger": "on Messenger", "instagram": "on Instagram", "whatsapp": "on WhatsApp",
        "x": "on Twitter", "sms": "by text", "webform": "through your contact form",
    },
}  # fmt: skip

#: What the request is about, as a noun phrase (used by chases, channel moves, call notes).
TOPIC: dict[tuple[str, str], tuple[str, ...]] = {
    ("fr", "order"): ("ma commande {order}", "la commande {order} passée {when}"),
    ("fr", "delivery"): (
        "la livraison de ma commande {order}",
        "mon colis (commande {order})",
        "ma commande {order} toujours pas livrée",
    ),
    ("fr", "availability"): ("la disponibilité de {product}", "le réassort de {product}"),
    ("fr", "return"): ("le retour de ma commande {order}", "mon retour de {product}"),
    ("fr", "refund"): (
        "le remboursement de ma commande {order}",
        "mon remboursement de {amount}",
    ),
    ("fr", "promotion"): ("le code promo {promo}", "l'offre {promo} qui ne marche pas"),
    ("fr", "payment"): (
        "un problème de paiement sur la commande {order}",
        "un double prélèvement de {amount}",
    ),
    ("fr", "account"): ("mon compte client", "l'accès à mon compte"),
    ("fr", "product"): ("{product}", "un défaut sur {product}"),
    ("fr", "other"): ("ma demande", "ma réclamation"),
    ("en", "order"): ("my order {order}", "order {order} I placed {when}"),
    ("en", "delivery"): (
        "the delivery of my order {order}",
        "my parcel (order {order})",
        "my order {order} which still hasn't arrived",
    ),
    ("en", "availability"): ("when {product} is back in stock", "the availability of {product}"),
    ("en", "return"): ("the return of my order {order}", "returning {product}"),
    ("en", "refund"): ("the refund for order {order}", "my refund of {amount}"),
    ("en", "promotion"): ("the discount code {promo}", "the {promo} offer"),
    ("en", "payment"): ("a payment problem on order {order}", "being charged twice ({amount})"),
    ("en", "account"): ("my account", "logging into my account"),
    ("en", "product"): ("{product}", "a fault with {product}"),
    ("en", "other"): ("my query", "my complaint"),
}

# --------------------------------------------------------------------------------------
# Opening messages: "mail" (e-mail / web form body, greeting and sign-off added by the
# generator) and "dm" (chat, social DMs, WhatsApp; SMS and tweets are derived from it).
# --------------------------------------------------------------------------------------

OPEN: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("fr", "order"): {
        "mail": (
            "J'ai passé la commande {order} {when} et je n'ai reçu aucune confirmation par mail. "
            "Pouvez-vous me confirmer qu'elle a bien été prise en compte ?",
            "Je souhaiterais modifier l'adresse de livraison de ma commande {order}, "
            "je me suis trompée de numéro de rue. Est-ce encore possible ?",
            "Ma commande {order} apparaît comme « en préparation » depuis {when}. "
            "Est-ce normal ? J'en ai besoin pour un anniversaire.",
            "Je voudrais annuler ma commande {order} passée {when}, j'ai commandé deux fois "
            "{product} par erreur.",
        ),
        "dm": (
            "Bonjour, je voudrais savoir où en est ma commande {order} svp",
            "Bonjour ! Est-ce que je peux encore annuler la commande {order} ?",
            "Bonjour, j'ai pas reçu la confirmation de ma cde {order}, c'est normal ?",
            "Salut, je peux modifier l'adresse de livraison de ma commande ?",
            "Bonjour, ma commande est bloquée en préparation depuis {when} 😕",
        ),
    },
    ("fr", "delivery"): {
        "mail": (
            "Ma commande {order} devait être livrée il y a {days} jours et je n'ai toujours "
            "rien reçu. Le suivi {carrier} ({tracking}) n'a pas bougé depuis. "
            "Pouvez-vous me dire où se trouve mon colis ?",
            "Le suivi de ma commande {order} indique « livré » mais je n'ai rien reçu, ni dans "
            "ma boîte aux lettres ni chez le gardien. Que dois-je faire ?",
            "J'ai reçu mon colis aujourd'hui mais il manque {product} alors qu'il figure bien "
            "sur la facture de la commande {order}.",
            "Le colis de ma commande {order} est arrivé complètement abîmé, le carton était "
            "ouvert. Je joins une photo.",
        ),
        "dm": (
            "Bonjour, toujours pas reçu ma commande {order}, ça fait {days} jours 😡",
            "Bonjour, le suivi {carrier} dit livré mais j'ai rien reçu !!",
            "Bonjour, où en est ma livraison ? cde {order}",
            "Mon colis est bloqué depuis {days} jours, numéro de suivi {tracking}",
            "Bonjour, il manque un article dans mon colis ({product})",
        ),
    },
    ("fr", "availability"): {
        "mail": (
            "Je souhaiterais savoir si {product} sera de nouveau disponible prochainement.",
            "Je vois que {product} est en rupture de stock sur le site depuis {when}. "
            "Est-il prévu un réassort ?",
            "Est-il possible de réserver {product} en magasin ? Je ne le trouve plus en ligne.",
        ),
        "dm": (
            "Bonjour, {product} revient quand en stock ?",
            "Coucou, vous allez recevoir {product} bientôt ?",
            "Bonjour, est-ce que {product} est dispo en magasin ?",
            "Hello, {product} n'est plus dispo sur le site, c'est définitif ? 😢",
        ),
    },
    ("fr", "return"): {
        "mail": (
            "Je souhaite retourner {product} de ma commande {order}, l'article ne me convient "
            "pas. Comment dois-je procéder pour obtenir l'étiquette de retour ?",
            "J'ai renvoyé ma commande {order} il y a {days} jours par {carrier} "
            "(suivi {tracking}). Pouvez-vous me confirmer la bonne réception du retour ?",
            "Je n'arrive pas à générer le bon de retour pour la commande {order}, le site "
            "affiche une erreur.",
        ),
        "dm": (
            "Bonjour, comment je fais pour retourner un article ? commande {order}",
            "Bonjour je voudrais échanger {product}, ça ne me va pas",
            "J'ai renvoyé mon colis il y a {days} jours, vous l'avez reçu ?",
            "Bonjour, le lien pour l'étiquette retour marche pas",
        ),
    },
    ("fr", "refund"): {
        "mail": (
            "J'ai retourné ma commande {order} il y a {days} jours et je n'ai toujours pas été "
            "remboursée de {amount}. Pouvez-vous vérifier ?",
            "Vous m'avez confirmé le remboursement de la commande {order} mais je ne vois rien "
            "sur mon compte bancaire. Merci de me tenir informé.",
            "Ma commande {order} a été annulée mais le montant de {amount} a bien été débité. "
            "Quand serai-je remboursé ?",
        ),
        "dm": (
            "Bonjour, toujours pas remboursée pour ma commande {order}",
            "Bonjour, j'attends un remboursement de {amount} depuis {days} jours",
            "Salut, mon retour a été reçu mais pas de remboursement ??",
            "Bonjour, quand est-ce que je serai remboursé svp ?",
        ),
    },
    ("fr", "promotion"): {
        "mail": (
            "Le code promo {promo} reçu dans votre newsletter ne fonctionne pas sur mon panier. "
            "Pouvez-vous m'aider ?",
            "J'ai passé commande pendant l'opération {promo} mais la réduction n'a pas été "
            "appliquée. Pouvez-vous me rembourser la différence ?",
            "Je n'arrive pas à cumuler le code {promo} avec les soldes, est-ce normal ?",
        ),
        "dm": (
            "Bonjour, le code {promo} marche pas 🙁",
            "Hello, la promo {promo} s'applique aussi en magasin ?",
            "Bonjour, la réduction n'a pas été appliquée sur ma commande",
            "Bonjour, le code {promo} est encore valable ?",
        ),
    },
    ("fr", "payment"): {
        "mail": (
            "J'ai été débité deux fois de {amount} pour la commande {order}. "
            "Merci de procéder au remboursement du doublon.",
            "Mon paiement par carte est refusé systématiquement alors que ma carte fonctionne "
            "ailleurs. Pouvez-vous regarder ?",
            "Je souhaite payer ma commande {order} en trois fois mais l'option n'apparaît pas.",
        ),
        "dm": (
            "Bonjour, j'ai été prélevée 2 fois pour la même commande !",
            "Bonjour, mon paiement est refusé, vous savez pourquoi ?",
            "Bonjour, le paiement en 3x marche pas",
            "Bonjour, débitée de {amount} mais commande pas validée ??",
        ),
    },
    ("fr", "account"): {
        "mail": (
            "Je n'arrive plus à me connecter à mon compte client, le lien de réinitialisation "
            "du mot de passe ne m'arrive jamais.",
            "Je souhaite supprimer mon compte et mes données personnelles conformément au RGPD.",
            "Je voudrais modifier l'adresse mail associée à mon compte.",
        ),
        "dm": (
            "Bonjour, je n'arrive plus à me connecter à mon compte",
            "Bonjour, je reçois pas le mail pour changer mon mot de passe",
            "Bonjour, comment je supprime mon compte ?",
            "Mon compte est bloqué, vous pouvez m'aider ?",
        ),
    },
    ("fr", "product"): {
        "mail": (
            "J'ai acheté {product} {when} et il présente déjà un défaut. "
            "Est-il couvert par la garantie ?",
            "Pouvez-vous me donner plus d'informations sur {product} ? Je voudrais connaître "
            "la composition et les conseils d'entretien.",
            "Est-ce que {product} existe dans d'autres coloris ? Je ne les trouve pas sur le site.",
        ),
        "dm": (
            "Bonjour, {product} existe en d'autres couleurs ?",
            "Bonjour, {product} a un défaut au bout de 2 semaines 😕",
            "Hello, c'est quoi la composition de {product} ?",
            "Bonjour, il y a une garantie sur {product} ?",
        ),
    },
    ("fr", "other"): {
        "mail": (
            "Je souhaiterais connaître les horaires d'ouverture de votre magasin de Lyon.",
            "Je voudrais vous faire part de mon mécontentement concernant l'accueil reçu en "
            "magasin samedi dernier.",
            "Proposez-vous des cartes cadeaux ? Je souhaiterais en offrir une.",
        ),
        "dm": (
            "Bonjour, vous avez des cartes cadeaux ?",
            "Bonjour, le magasin de Lille est ouvert dimanche ?",
            "Bonjour, vous recrutez pour l'été ?",
            "Bonjour, j'ai une question",
        ),
    },
    ("en", "order"): {
        "mail": (
            "I placed order {order} {when} and never received a confirmation email. "
            "Could you confirm it went through?",
            "I'd like to change the delivery address on order {order} - I put the wrong "
            "house number. Is it still possible?",
            "Order {order} has been showing 'processing' since {when}. Is that normal? "
            "I need it for a birthday.",
            "Please cancel order {order}, I ordered {product} twice by mistake.",
        ),
        "dm": (
            "Hi, can you tell me where my order {order} is please?",
            "Hello! Can I still cancel order {order}?",
            "hi, never got a confirmation for order {order}, is that normal?",
            "Hi can I change the delivery address on my order?",
            "Hi, my order has been stuck on processing since {when} 😕",
        ),
    },
    ("en", "delivery"): {
        "mail": (
            "My order {order} was due {days} days ago and I still haven't received it. "
            "The {carrier} tracking ({tracking}) hasn't moved since. Where is my parcel?",
            "The tracking for order {order} says delivered but nothing has arrived, not with "
            "the neighbours either. What should I do?",
            "My parcel arrived today but {product} is missing even though it is on the "
            "invoice for order {order}.",
            "The parcel for order {order} arrived badly damaged, the box was open. Photo attached.",
        ),
        "dm": (
            "Hi, still haven't received my order {order}, it's been {days} days 😡",
            "Hi, {carrier} says delivered but I've got nothing!!",
            "Hello, where's my delivery? order {order}",
            "My parcel has been stuck for {days} days, tracking {tracking}",
            "Hi, there's an item missing from my parcel ({product})",
        ),
    },
    ("en", "availability"): {
        "mail": (
            "Could you let me know whether {product} will be back in stock soon?",
            "{product} has been out of stock online since {when}. Are you expecting more?",
            "Is it possible to reserve {product} in store? I can't find it online any more.",
        ),
        "dm": (
            "Hi, when is {product} back in stock?",
            "Hiya, will you be getting {product} back soon?",
            "Hi, is {product} available in store?",
            "Hello, {product} has disappeared from the website, is it gone for good? 😢",
        ),
    },
    ("en", "return"): {
        "mail": (
            "I would like to return {product} from order {order} as it isn't what I expected. "
            "How do I get a returns label?",
            "I sent back order {order} {days} days ago with {carrier} (tracking {tracking}). "
            "Can you confirm you've received it?",
            "I can't generate a returns label for order {order}, the website shows an error.",
        ),
        "dm": (
            "Hi, how do I return an item? order {order}",
            "Hi I'd like to exchange {product}, it's not right for me",
            "I sent my parcel back {days} days ago, have you got it?",
            "Hi, the returns label link isn't working",
        ),
    },
    ("en", "refund"): {
        "mail": (
            "I returned order {order} {days} days ago and still haven't been refunded the "
            "{amount}. Could you please check?",
            "You confirmed the refund for order {order} but nothing has appeared on my bank "
            "statement. Please let me know.",
            "Order {order} was cancelled but {amount} was still taken from my account. "
            "When will I get it back?",
        ),
        "dm": (
            "Hi, still no refund for order {order}",
            "Hi, I've been waiting {days} days for a refund of {amount}",
            "hey, you received my return but no refund??",
            "Hi, when will I be refunded please?",
        ),
    },
    ("en", "promotion"): {
        "mail": (
            "The discount code {promo} from your newsletter doesn't work at checkout. "
            "Can you help?",
            "I ordered during the {promo} promotion but the discount wasn't applied. "
            "Could you refund the difference?",
            "I can't use {promo} together with the sale prices, is that right?",
        ),
        "dm": (
            "Hi, the code {promo} doesn't work 🙁",
            "Hi, does the {promo} offer work in store too?",
            "Hi, the discount wasn't applied to my order",
            "Hi, is {promo} still valid?",
        ),
    },
    ("en", "payment"): {
        "mail": (
            "I have been charged twice ({amount}) for order {order}. Please refund the "
            "duplicate payment.",
            "My card keeps getting declined on your website although it works everywhere "
            "else. Could you look into it?",
            "I'd like to pay for order {order} with Klarna but the option doesn't appear.",
        ),
        "dm": (
            "Hi, I've been charged twice for the same order!",
            "Hi, my payment keeps getting declined, any idea why?",
            "Hi, Klarna isn't showing at checkout",
            "Hi, charged {amount} but the order didn't go through??",
        ),
    },
    ("en", "account"): {
        "mail": (
            "I can't log into my account any more and the password reset email never arrives.",
            "Please delete my account and my personal data (GDPR request).",
            "I'd like to change the email address on my account.",
        ),
        "dm": (
            "Hi, I can't log into my account",
            "Hi, I'm not getting the password reset email",
            "Hi, how do I delete my account?",
            "My account is locked, can you help?",
        ),
    },
    ("en", "product"): {
        "mail": (
            "I bought {product} {when} and it is already faulty. Is it covered by the warranty?",
            "Could you give me more information about {product}? I'd like to know the "
            "materials and care instructions.",
            "Does {product} come in other colours? I can't find them on the website.",
        ),
        "dm": (
            "Hi, does {product} come in other colours?",
            "Hi, {product} stopped working after 2 weeks 😕",
            "Hello, what is {product} made of?",
            "Hi, is there a warranty on {product}?",
        ),
    },
    ("en", "other"): {
        "mail": (
            "Could you tell me the opening hours of your Manchester store?",
            "I would like to complain about the service I received in store last Saturday.",
            "Do you sell gift cards? I'd like to buy one as a present.",
        ),
        "dm": (
            "Hi, do you do gift cards?",
            "Hi, is the Leeds store open on Sunday?",
            "Hi, are you hiring for Christmas?",
            "Hi, I have a question",
        ),
    },
}

SUBJECTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("fr", "order"): ("Commande {order}", "Question sur ma commande",
                      "Annulation commande {order}", "ma commande"),
    ("fr", "delivery"): ("Commande {order} toujours pas livrée", "Colis non reçu",
                         "Livraison {order}", "Où est mon colis ???"),
    ("fr", "availability"): ("Disponibilité produit", "Réassort ?", "Rupture de stock"),
    ("fr", "return"): ("Retour commande {order}", "Demande de retour", "Échange article"),
    ("fr", "refund"): ("Remboursement commande {order}", "Remboursement non reçu", "Remboursement"),
    ("fr", "promotion"): ("Code promo {promo}", "Réduction non appliquée", "Offre {promo}"),
    ("fr", "payment"): ("Double prélèvement", "Problème de paiement", "Paiement commande {order}"),
    ("fr", "account"): ("Accès à mon compte", "Mot de passe", "Suppression de compte"),
    ("fr", "product"): ("Question produit", "Produit défectueux", "Garantie"),
    ("fr", "other"): ("Demande d'information", "Réclamation", "Question"),
    ("en", "order"): ("Order {order}", "Question about my order", "Cancel order {order}",
                      "my order"),
    ("en", "delivery"): ("Order {order} not delivered", "Parcel not received", "Delivery {order}",
                         "Where is my parcel???"),
    ("en", "availability"): ("Stock question", "Back in stock?", "Out of stock"),
    ("en", "return"): ("Return order {order}", "Returns label", "Exchange"),
    ("en", "refund"): ("Refund for order {order}", "Refund not received", "Refund"),
    ("en", "promotion"): ("Discount code {promo}", "Discount not applied", "{promo} offer"),
    ("en", "payment"): ("Charged twice", "Payment problem", "Payment for order {order}"),
    ("en", "account"): ("Account access", "Password reset", "Delete my account"),
    ("en", "product"): ("Product question", "Faulty item", "Warranty"),
    ("en", "other"): ("Enquiry", "Complaint", "Question"),
}  # fmt: skip

#: Topic list of the web form's "subject" drop-down.
FORM_TOPICS: dict[tuple[str, str], str] = {
    ("fr", "order"): "Ma commande", ("fr", "delivery"): "Livraison",
    ("fr", "availability"): "Disponibilité d'un produit", ("fr", "return"): "Retour / échange",
    ("fr", "refund"): "Remboursement", ("fr", "promotion"): "Offres et codes promo",
    ("fr", "payment"): "Paiement", ("fr", "account"): "Mon compte",
    ("fr", "product"): "Informations produit", ("fr", "other"): "Autre demande",
    ("en", "order"): "My order", ("en", "delivery"): "Delivery",
    ("en", "availability"): "Product availability", ("en", "return"): "Returns & exchanges",
    ("en", "refund"): "Refunds", ("en", "promotion"): "Offers & discount codes",
    ("en", "payment"): "Payment", ("en", "account"): "My account",
    ("en", "product"): "Product information", ("en", "other"): "Something else",
}  # fmt: skip

# --------------------------------------------------------------------------------------
# E-mail furniture
# --------------------------------------------------------------------------------------

GREETINGS: dict[str, tuple[str, ...]] = {
    "fr": ("Bonjour,", "Bonjour,", "Bonjour Madame, Monsieur,", "Madame, Monsieur,", "Bonsoir,",
           "Bonjour {brand},", "Bonjour à toute l'équipe,", "Bjr,"),
    "en": ("Hello,", "Hi,", "Hi,", "Dear Sir or Madam,", "Hi {brand} team,", "Good morning,",
           "To whom it may concern,", "Hiya,"),
}  # fmt: skip
SIGNOFFS: dict[str, tuple[str, ...]] = {
    "fr": ("Cordialement,", "Bien cordialement,", "Merci d'avance,",
           "Dans l'attente de votre réponse,", "Bonne journée,", "Cdlt", "Merci,", "Bien à vous,"),
    "en": ("Kind regards,", "Many thanks,", "Thanks,", "Best,", "Regards,", "Cheers,",
           "Thanks in advance,", "Best wishes,"),
}  # fmt: skip
MOBILE_FOOTERS: dict[str, tuple[str, ...]] = {
    "fr": ("Envoyé de mon iPhone", "Envoyé depuis mon smartphone Samsung Galaxy.",
           "Envoyé de mon appareil Huawei", "Téléchargez Outlook pour Android"),
    "en": ("Sent from my iPhone", "Sent from Outlook for Android", "Sent from my Galaxy",
           "Sent from Yahoo Mail on Android"),
}  # fmt: skip
PHONE_IN_SIGNATURE: dict[str, tuple[str, ...]] = {
    "fr": ("Tél : {phone}", "{phone}", "Portable : {phone}"),
    "en": ("Tel: {phone}", "Mob: {phone}", "{phone}"),
}
QUOTE_HEADERS: dict[str, str] = {
    "fr": "Le {date}, {sender} a écrit :",
    "en": "On {date}, {sender} wrote:",
}
REPLY_PREFIX: dict[str, tuple[str, ...]] = {"fr": ("RE: ", "Re: ", "RE : "), "en": ("RE: ", "Re: ")}
CHASE_PREFIX: dict[str, tuple[str, ...]] = {
    "fr": ("Relance : ", "2ème relance - ", "URGENT - ", "Sans réponse : "),
    "en": ("Chasing: ", "Follow up - ", "URGENT - ", "No reply: "),
}

# --------------------------------------------------------------------------------------
# Follow-ups by the customer
# --------------------------------------------------------------------------------------

CHASE: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "mail": (
            "Je me permets de vous relancer concernant {topic}. Je n'ai toujours aucune "
            "réponse à mon message précédent.",
            "Toujours sans nouvelles concernant {topic}. Pouvez-vous me répondre rapidement ?",
            "Cela fait maintenant plusieurs jours que j'attends une réponse pour {topic}. "
            "C'est inadmissible.",
        ),
        "dm": (
            "Des nouvelles ?",
            "Bonjour, toujours pas de réponse pour {topic}...",
            "Vous pouvez me répondre svp ?",
            "Allô ?? ça fait {days} jours",
            "Bonjour, je relance pour {topic}",
        ),
    },
    "en": {
        "mail": (
            "I'm chasing my previous message about {topic}, which is still unanswered.",
            "Still no news about {topic}. Could you please get back to me?",
            "I have now been waiting several days for an answer about {topic}. "
            "This is unacceptable.",
        ),
        "dm": (
            "Any news?",
            "Hi, still no reply about {topic}...",
            "Can someone answer me please?",
            "Hello?? it's been {days} days",
            "Hi, chasing {topic}",
        ),
    },
}

#: The customer moves to another channel; ``unanswered`` when the brand never answered.
SWITCH: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "fr": {
        "unanswered": {
            "mail": (
                "Je vous ai contactés {prev} au sujet de {topic} et je n'ai eu aucune réponse. "
                "Pouvez-vous enfin traiter ma demande ?",
                "Faute de réponse {prev}, je vous écris ici concernant {topic}.",
                "Je vous ai déjà sollicités {prev} il y a {days} jours pour {topic}, sans retour. "
                "Merci de me répondre.",
            ),
            "dm": (
                "Bonjour, je vous ai contactés {prev} mais pas de réponse. C'est pour {topic}",
                "Personne ne répond {prev}, c'est pour {topic}",
                "Bonjour, j'ai contacté le service client {prev} il y a {days} jours, "
                "aucune réponse 😡",
                "Je tente ici vu que {prev} personne répond... {topic}",
            ),
        },
        "followup": {
            "mail": (
                "Suite à notre échange {prev} concernant {topic}, je reviens vers vous car le "
                "problème n'est pas réglé.",
                "Comme convenu {prev}, je vous envoie les informations concernant {topic}.",
                "On m'a répondu {prev} pour {topic} mais je n'ai toujours rien de concret.",
            ),
            "dm": (
                "Bonjour, suite à mon échange {prev}, toujours rien pour {topic}",
                "Rebonjour, on m'a dit {prev} que ce serait réglé mais non",
                "Bonjour, je reviens vers vous pour {topic} (déjà vu {prev})",
            ),
        },
    },
    "en": {
        "unanswered": {
            "mail": (
                "I contacted you {prev} about {topic} and got no reply. Could you please "
                "finally deal with my request?",
                "As I've had no answer {prev}, I'm writing here about {topic}.",
                "I already got in touch {prev} {days} days ago about {topic} with no response. "
                "Please get back to me.",
            ),
            "dm": (
                "Hi, I got in touch {prev} but no reply. It's about {topic}",
                "Nobody answers {prev}, it's about {topic}",
                "Hi, I contacted customer service {prev} {days} days ago and heard nothing 😡",
                "Trying here as nobody replies {prev}... {topic}",
            ),
        },
        "followup": {
            "mail": (
                "Following our exchange {prev} about {topic}, I'm coming back to you as the "
                "problem is not solved.",
                "As agreed {prev}, here are the details about {topic}.",
                "I was answered {prev} about {topic} but still nothing has happened.",
            ),
            "dm": (
                "Hi, following my chat {prev}, still nothing about {topic}",
                "Hi again, I was told {prev} it would be sorted but it isn't",
                "Hi, getting back to you about {topic} (already discussed {prev})",
            ),
        },
    },
}

#: Customer replies to an answer from the brand.
REPLY: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "order_ref": (
            "C'est la commande {order}",
            "Ma commande c'est {order}",
            "N° de commande : {order}",
            "voilà : {order}",
        ),
        "email_ref": (
            "Mon adresse mail c'est {email}",
            "J'ai commandé avec {email}",
            "Mon compte est au nom de {first} {last}, {email}",
        ),
        "photo": (
            "Voici la photo demandée.",
            "Je vous envoie les photos du colis.",
            "Ci-joint la facture.",
        ),
        "thanks": (
            "Merci beaucoup pour votre réponse !",
            "Super, merci 🙏",
            "Parfait, merci pour votre aide.",
            "D'accord merci, bonne journée",
        ),
        "unhappy": (
            "Ce n'est pas normal, ça fait déjà {days} jours que j'attends.",
            "Votre réponse ne règle rien. Je veux être remboursé.",
            "Et donc je fais comment maintenant ?",
            "Je ne suis pas satisfaite de cette réponse.",
        ),
        "question": (
            "Et ça va prendre combien de temps ?",
            "D'accord, mais quand exactement ?",
            "Vous pouvez vérifier svp ?",
            "Ok, et pour les frais de retour ?",
        ),
    },
    "en": {
        "order_ref": (
            "It's order {order}",
            "My order number is {order}",
            "Order no: {order}",
            "here you go: {order}",
        ),
        "email_ref": (
            "My email is {email}",
            "I ordered with {email}",
            "The account is under {first} {last}, {email}",
        ),
        "photo": ("Here's the photo you asked for.", "Photos of the parcel attached.",
                  "Invoice attached."),
        "thanks": (
            "Thanks a lot for getting back to me!",
            "Great, thanks 🙏",
            "Perfect, thanks for your help.",
            "OK thanks, have a nice day",
        ),
        "unhappy": (
            "That's not good enough, I've been waiting {days} days already.",
            "Your answer doesn't solve anything. I want a refund.",
            "So what am I supposed to do now?",
            "I'm not happy with this answer.",
        ),
        "question": (
            "And how long will that take?",
            "OK, but when exactly?",
            "Could you check please?",
            "OK, and what about the return postage?",
        ),
    },
}  # fmt: skip

# --------------------------------------------------------------------------------------
# Brand answers (given outside omnicase: in the mail client, the Meta inbox, the X app…)
# --------------------------------------------------------------------------------------

ANSWER: dict[tuple[str, str], tuple[str, ...]] = {
    ("fr", "order"): (
        "Votre commande {order} a bien été enregistrée et sera expédiée sous 48 h.",
        "Nous avons transmis votre demande de modification pour la commande {order} à notre "
        "entrepôt.",
        "Votre commande {order} a été annulée, le remboursement interviendra sous 5 jours ouvrés.",
    ),
    ("fr", "delivery"): (
        "Nous avons ouvert une enquête auprès de {carrier} pour votre colis {tracking}. "
        "Nous revenons vers vous sous 48 h.",
        "Votre colis est actuellement en cours d'acheminement, il devrait vous être livré d'ici "
        "2 à 3 jours.",
        "Nous sommes désolés pour ce désagrément. Un nouvel envoi de votre commande {order} "
        "vient d'être déclenché.",
    ),
    ("fr", "availability"): (
        "Nous attendons un réassort de {product} d'ici deux semaines. Vous pouvez activer "
        "l'alerte de disponibilité sur la fiche produit.",
        "Malheureusement, il n'y aura pas de réassort de {product} cette saison.",
    ),
    ("fr", "return"): (
        "Vous trouverez ci-joint votre étiquette de retour prépayée pour la commande {order}.",
        "Nous avons bien réceptionné votre retour, il est en cours de traitement.",
        "Vous pouvez effectuer votre retour gratuitement depuis votre espace client, rubrique "
        "« Mes commandes ».",
    ),
    ("fr", "refund"): (
        "Le remboursement de {amount} a été effectué, il apparaîtra sur votre compte sous 3 à 5 "
        "jours ouvrés.",
        "Votre retour a bien été reçu ; le remboursement sera déclenché sous 48 h.",
    ),
    ("fr", "promotion"): (
        "Le code {promo} n'est valable que sur les articles non soldés. Nous vous offrons "
        "exceptionnellement un bon de 10 €.",
        "Nous avons appliqué la remise manuellement, vous serez remboursé de la différence.",
    ),
    ("fr", "payment"): (
        "Il s'agit d'une pré-autorisation bancaire qui sera levée automatiquement sous 72 h.",
        "Le double prélèvement a bien été constaté, nous procédons au remboursement de {amount}.",
    ),
    ("fr", "account"): (
        "Nous vous avons envoyé un nouveau lien de réinitialisation du mot de passe.",
        "Votre demande de suppression de compte a bien été prise en compte.",
    ),
    ("fr", "product"): (
        "La garantie de {product} est de deux ans : nous vous proposons un échange.",
        "Vous trouverez toutes les informations sur {product} (composition, entretien, coloris) "
        "sur la fiche produit.",
    ),
    ("fr", "other"): (
        "Nous avons bien pris note de votre demande et la transmettons au service concerné.",
        "Notre magasin est ouvert du lundi au samedi de 10 h à 19 h.",
    ),
    ("en", "order"): (
        "Your order {order} has been received and will be dispatched within 48 hours.",
        "We've passed your change request for order {order} to our warehouse.",
        "Your order {order} has been cancelled; the refund will reach you within 5 working days.",
    ),
    ("en", "delivery"): (
        "We have opened an investigation with {carrier} for parcel {tracking} and will update "
        "you within 48 hours.",
        "Your parcel is on its way and should be with you in 2-3 days.",
        "We're sorry about this. A replacement for order {order} has just been sent out.",
    ),
    ("en", "availability"): (
        "{product} should be back in stock within two weeks. You can set up a stock alert on "
        "the product page.",
        "Unfortunately {product} won't be restocked this season.",
    ),
    ("en", "return"): (
        "Please find attached a prepaid returns label for order {order}.",
        "We've received your return and it's being processed.",
        "You can return your items free of charge from your account, under 'My orders'.",
    ),
    ("en", "refund"): (
        "The refund of {amount} has been processed and should show on your account within 3-5 "
        "working days.",
        "We've received your return; the refund will be issued within 48 hours.",
    ),
    ("en", "promotion"): (
        "The code {promo} only applies to full-price items. As a gesture of goodwill we've added "
        "a £10 voucher to your account.",
        "We've applied the discount manually and will refund the difference.",
    ),
    ("en", "payment"): (
        "This is a pre-authorisation by your bank which will be released automatically within "
        "72 hours.",
        "We can see the duplicate payment and are refunding {amount}.",
    ),
    ("en", "account"): (
        "We've sent you a new password reset link.",
        "Your account deletion request has been processed.",
    ),
    ("en", "product"): (
        "{product} has a two-year warranty, so we can offer you an exchange.",
        "You'll find all the details on {product} (materials, care, colours) on the product page.",
    ),
    ("en", "other"): (
        "Thanks for your message, we've passed it on to the relevant team.",
        "Our store is open Monday to Saturday, 10am to 7pm.",
    ),
}

ASK_DETAILS: dict[str, tuple[str, ...]] = {
    "fr": (
        "Bonjour {first}, pouvez-vous nous communiquer votre numéro de commande ?",
        "Bonjour, afin de vous aider pouvez-vous nous indiquer votre numéro de commande et "
        "l'adresse mail de votre compte ?",
        "Bonjour {first}, je regarde cela. Quelle est l'adresse mail utilisée pour la commande ?",
    ),
    "en": (
        "Hi {first}, could you send us your order number please?",
        "Hi, so we can help, could you tell us your order number and the email address on "
        "your account?",
        "Hi {first}, let me look into it. Which email address did you order with?",
    ),
}

PUBLIC_REPLY: dict[str, tuple[str, ...]] = {
    "fr": (
        "Bonjour {first}, nous sommes désolés. Pouvez-vous nous écrire en message privé avec "
        "votre numéro de commande ?",
        "Bonjour, nous regardons cela avec vous en DM 🙂",
    ),
    "en": (
        "Hi {first}, sorry to hear that. Could you DM us your order number?",
        "Hi, sorry about this - we'll pick this up with you in DM 🙂",
    ),
}

AGENT_CHAT: dict[str, tuple[str, ...]] = {
    "fr": (
        "Bonjour {first}, je suis {agent}. Je regarde votre demande.",
        "Un instant s'il vous plaît, je vérifie.",
        "Pouvez-vous me donner votre numéro de commande ?",
        "Je comprends, je suis désolé(e) pour ce désagrément.",
    ),
    "en": (
        "Hi {first}, I'm {agent}. Let me look into that for you.",
        "One moment please, I'm checking.",
        "Could you give me your order number?",
        "I understand, I'm sorry for the inconvenience.",
    ),
}

# --------------------------------------------------------------------------------------
# Phone calls: agents' notes, voicemail transcripts
# --------------------------------------------------------------------------------------

CALL_NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {
        "first": (
            "{client} appelle pour {topic}. {answer}",
            "Appel {client} concernant {topic}. {answer}",
            "{client} demande des nouvelles de {topic}. {answer}",
        ),
        "unanswered": (
            "{client} rappelle car pas de réponse {prev} concernant {topic}. {answer}",
            "{client} mécontent·e, sans réponse {prev} depuis {days} jours pour {topic}. {answer}",
            "Appel suite à une demande {prev} restée sans réponse ({topic}). {answer}",
        ),
        "followup": (
            "{client} rappelle suite à l'échange {prev} pour {topic}. {answer}",
            "Suivi de la demande {prev} : {topic}. {answer}",
        ),
        "callback": (
            "Rappel {client} concernant {topic}. {answer}",
            "Rappel suite à l'appel manqué. {answer}",
        ),
    },
    "en": {
        "first": (
            "{client} called about {topic}. {answer}",
            "Call from {client} regarding {topic}. {answer}",
            "{client} asked for an update on {topic}. {answer}",
        ),
        "unanswered": (
            "{client} calling because no reply {prev} about {topic}. {answer}",
            "{client} unhappy, no answer {prev} for {days} days about {topic}. {answer}",
            "Call following an unanswered contact {prev} ({topic}). {answer}",
        ),
        "followup": (
            "{client} calling back after the exchange {prev} about {topic}. {answer}",
            "Follow-up of the contact {prev}: {topic}. {answer}",
        ),
        "callback": (
            "Called {client} back about {topic}. {answer}",
            "Call back after missed call. {answer}",
        ),
    },
}

VOICEMAIL: dict[str, tuple[str, ...]] = {
    "fr": (
        "Message vocal : Bonjour, c'est {first} {last}, je vous appelle au sujet de {topic}. "
        "Merci de me rappeler au {phone}.",
        "Message vocal : Oui bonjour, {first} {last}, c'est encore pour {topic}, rappelez-moi svp.",
    ),
    "en": (
        "Voicemail: Hi, it's {first} {last}, I'm calling about {topic}. Please call me back on "
        "{phone}.",
        "Voicemail: Hello, {first} {last} again about {topic}, please call me back.",
    ),
}

CLIENT_WORD: dict[str, tuple[str, str]] = {
    "fr": ("Cliente", "Client"),
    "en": ("Customer", "Customer"),
}

#: Abbreviations applied (after accent stripping) to turn a DM into an SMS.
SMS_ABBREVIATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (
        ("Bonjour", "Bjr"), ("bonjour", "bjr"), ("commande", "cde"), ("s'il vous plait", "svp"),
        ("pourquoi", "pk"), ("toujours", "tjrs"), ("quelque", "qq"), ("rien", "r1"),
        ("aujourd'hui", "auj"), ("beaucoup", "bcp"),
    ),
    "en": (
        ("please", "pls"), ("thanks", "thx"), ("Thanks", "Thx"), ("you", "u"),
        ("are", "r"), ("tomorrow", "tmrw"), ("today", "2day"),
    ),
}  # fmt: skip
