"""Quality of service: consistency of answers across channels (and, later, KPIs, CSAT, QA)."""
