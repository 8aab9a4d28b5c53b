"""QA scorecards: per-brand grids, supervisors' reviews, automatic pre-checks, sampling."""
