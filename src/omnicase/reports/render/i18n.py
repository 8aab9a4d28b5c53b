"""The report's words in French and English (the brand's ``language``), and number formats."""

from __future__ import annotations

from datetime import date

LABELS: dict[str, dict[str, str]] = {
    "title": {"fr": "Rapport quotidien du service client", "en": "Daily customer service report"},
    "engagement_title": {"fr": "Rapport prestataire", "en": "Provider report"},
    "as_of": {"fr": "Chiffres arrêtés au", "en": "Figures as of"},
    "generated": {"fr": "Généré le", "en": "Generated on"},
    "no_data": {
        "fr": "Aucun contact ni demande ce jour-là : rien à mesurer.",
        "en": "No contact and no request that day: nothing to measure.",
    },
    "summary": {"fr": "Synthèse", "en": "Summary"},
    "requests": {"fr": "Demandes", "en": "Requests"},
    "contacts": {"fr": "Contacts", "en": "Contacts"},
    "response_rate": {"fr": "Taux de réponse", "en": "Response rate"},
    "response_rate_within_objective": {
        "fr": "Réponse dans l'objectif",
        "en": "Answered within objective",
    },
    "first_response_within_share": {
        "fr": "Réponses dans l'objectif (part des réponses)",
        "en": "Answers within objective (share of answers)",
    },
    "first_response_median_s": {"fr": "1re réponse, médiane", "en": "First response, median"},
    "first_response_p90_s": {"fr": "1re réponse, p90", "en": "First response, p90"},
    "objective": {"fr": "Objectif", "en": "Objective"},
    "business": {"fr": "ouvrées", "en": "business"},
    "calendar": {"fr": "temps réel", "en": "calendar time"},
    "backlog": {"fr": "Stock en fin de journée", "en": "Backlog at end of day"},
    "backlog_age": {"fr": "Âge médian / max", "en": "Median / oldest age"},
    "abandonment_rate": {"fr": "Abandon", "en": "Abandonment"},
    "vs_previous": {"fr": "vs 7 jours précédents", "en": "vs previous 7 days"},
    "channels": {"fr": "Par canal", "en": "By channel"},
    "channel": {"fr": "Canal", "en": "Channel"},
    "teams": {"fr": "Équipe interne et prestataires", "en": "Internal team and providers"},
    "team": {"fr": "Équipe", "en": "Team"},
    "internal": {"fr": "Équipe interne", "en": "Internal team"},
    "reasons": {"fr": "Motifs de contact", "en": "Contact reasons"},
    "reason": {"fr": "Motif", "en": "Reason"},
    "top_issues": {"fr": "Sujets du jour", "en": "Top issues"},
    "rising": {"fr": "Mots en hausse", "en": "Rising keywords"},
    "avg7": {"fr": "moy. 7 j", "en": "7-day avg"},
    "changes": {"fr": "Évolutions notables", "en": "Notable changes"},
    "no_changes": {
        "fr": "Aucun indicateur n'a bougé au-delà des seuils ({p} % ou {pt} points).",
        "en": "No KPI moved beyond the thresholds ({p} % or {pt} points).",
    },
    "contracts": {"fr": "Contrats prestataires", "en": "Provider contracts"},
    "kpi": {"fr": "Indicateur", "en": "KPI"},
    "achieved": {"fr": "Réalisé", "en": "Achieved"},
    "points": {"fr": "Écart (points)", "en": "Gap (points)"},
    "amount": {"fr": "Montant", "en": "Amount"},
    "penalty": {"fr": "Pénalités", "en": "Penalties"},
    "bonus": {"fr": "Bonus", "en": "Bonus"},
    "total": {"fr": "Total du jour", "en": "Day's total"},
    "quality": {"fr": "Qualité", "en": "Quality"},
    "consistency": {"fr": "Cohérence des réponses", "en": "Answer consistency"},
    "csat": {"fr": "Satisfaction (CSAT)", "en": "Satisfaction (CSAT)"},
    "qa_score": {"fr": "Score qualité (QA)", "en": "QA score"},
    "consistency_rate": {"fr": "Taux de cohérence", "en": "Consistency rate"},
    "not_measured": {"fr": "pas encore mesuré", "en": "not measured yet"},
    "charts": {"fr": "Graphiques", "en": "Charts"},
    "chart_volumes": {
        "fr": "Demandes et contacts par canal",
        "en": "Requests and contacts by channel",
    },
    "chart_hours": {
        "fr": "Contacts par heure (heure locale)",
        "en": "Contacts by hour (local time)",
    },
    "chart_reasons": {"fr": "Demandes par motif", "en": "Requests by reason"},
    "chart_frt": {
        "fr": "1re réponse (médiane, p90) rapportée à l'objectif du canal",
        "en": "First response (median, p90) against each channel's objective",
    },
    "chart_teams": {"fr": "Interne et prestataires", "en": "Internal and providers"},
    "hour": {"fr": "Heure", "en": "Hour"},
    "times_objective": {"fr": "× objectif", "en": "× objective"},
    "answered": {"fr": "Répondues", "en": "Answered"},
    "page": {"fr": "Page", "en": "Page"},
    "definitions": {"fr": "Définitions", "en": "Definitions"},
    "definitions_text": {
        "fr": "Demande : un dossier dont le premier contact tombe dans la journée (heure locale). "
        "Taux de réponse : demandes ayant reçu une première réponse à l'heure d'arrêt. "
        "Dans l'objectif : première réponse dans l'objectif du canal (heures ouvrées pour "
        "l'email et le formulaire), sur les demandes dont l'issue est connue. Stock : dossiers "
        "ni résolus ni clos en fin de journée. Abandon : appels manqués (téléphone), "
        "conversations sans réponse (chat).",
        "en": "Request: a case whose first contact falls in the day (local time). Response "
        "rate: requests with a first response by the cut-off. Within objective: first "
        "response within the channel's objective (business hours for email and web form), "
        "over requests whose outcome is known. Backlog: cases neither resolved nor closed "
        "at the end of the day. Abandonment: missed calls (phone), unanswered chats (chat).",
    },
}

CHANNELS: dict[str, dict[str, str]] = {
    "email": {"fr": "Email", "en": "Email"},
    "webform": {"fr": "Formulaire web", "en": "Web form"},
    "chat": {"fr": "Chat", "en": "Chat"},
    "phone": {"fr": "Téléphone", "en": "Phone"},
    "whatsapp": {"fr": "WhatsApp", "en": "WhatsApp"},
    "sms": {"fr": "SMS", "en": "SMS"},
    "messenger": {"fr": "Messenger", "en": "Messenger"},
    "instagram": {"fr": "Instagram", "en": "Instagram"},
    "x": {"fr": "X", "en": "X"},
    "all": {"fr": "Tous canaux", "en": "All channels"},
}

REASONS: dict[str, dict[str, str]] = {
    "order": {"fr": "Commande", "en": "Order"},
    "delivery": {"fr": "Livraison", "en": "Delivery"},
    "availability": {"fr": "Disponibilité", "en": "Availability"},
    "return": {"fr": "Retour", "en": "Return"},
    "refund": {"fr": "Remboursement", "en": "Refund"},
    "promotion": {"fr": "Promotion", "en": "Promotion"},
    "payment": {"fr": "Paiement", "en": "Payment"},
    "account": {"fr": "Compte", "en": "Account"},
    "product": {"fr": "Produit", "en": "Product"},
    "other": {"fr": "Autre", "en": "Other"},
    "triage": {"fr": "À qualifier", "en": "To triage"},
}

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}
WEEKDAYS = {
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
}


class Words:
    """Labels and formats of one language (fr or en; anything else reads English)."""

    def __init__(self, language: str) -> None:
        self.lang = "fr" if language.startswith("fr") else "en"

    def __call__(self, key: str, **kw: object) -> str:
        text = LABELS.get(key, {}).get(self.lang, key)
        return text.format(**kw) if kw else text

    def channel(self, name: str) -> str:
        return CHANNELS.get(name, {}).get(self.lang, name)

    def reason(self, name: str) -> str:
        return REASONS.get(name, {}).get(self.lang, name)

    def day(self, d: date) -> str:
        wd = WEEKDAYS[self.lang].split()[d.weekday()]
        month = MONTHS[self.lang].split()[d.month - 1]
        if self.lang == "fr":
            return f"{wd} {d.day} {month} {d.year}"
        return f"{wd} {d.day} {month} {d.year}"

    def pct(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return "–"
        text = f"{value * 100:.{digits}f}"
        return (text.replace(".", ",") + "\u00a0%") if self.lang == "fr" else text + "%"

    def num(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        text = f"{value:,.{digits}f}"
        if self.lang == "fr":
            text = text.replace(",", "\u202f").replace(".", ",")
        return text

    def money(self, value: float, currency: str) -> str:
        return f"{self.num(value, 2)}\u00a0{currency}"

    def duration(self, seconds: float | None) -> str:
        """20 s, 4 min 10 s, 3 h 05, 2 j 4 h (business or calendar, as given)."""
        if seconds is None:
            return "–"
        s = round(seconds)
        if s < 60:
            return f"{s}\u00a0s"
        if s < 3600:
            m, r = divmod(s, 60)
            return f"{m}\u00a0min\u00a0{r:02d}" if r else f"{m}\u00a0min"
        if s < 86400 * 2:
            h, r = divmod(s, 3600)
            return f"{h}\u00a0h\u00a0{r // 60:02d}"
        d, r = divmod(s, 86400)
        unit = "j" if self.lang == "fr" else "d"
        return f"{d}\u00a0{unit}\u00a0{r // 3600}\u00a0h"

    def signed_pct(self, value: float) -> str:
        sign = "+" if value >= 0 else "−"
        return sign + self.pct(abs(value), 0)

    def signed_points(self, value: float) -> str:
        sign = "+" if value >= 0 else "−"
        return f"{sign}{self.num(abs(value) * 100, 1)}\u00a0pts"
