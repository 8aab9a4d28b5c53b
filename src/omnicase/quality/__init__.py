"""Service quality: KPIs (``kpis``), cross-channel consistency (``consistency``),
satisfaction surveys (``csat``) and QA scorecards (``qa``)."""
