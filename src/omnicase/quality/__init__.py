"""Service quality: satisfaction surveys (``csat``) and QA scorecards (``qa``)."""
