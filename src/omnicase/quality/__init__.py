"""Service quality: KPIs (and, later, consistency, CSAT and QA scorecards)."""
