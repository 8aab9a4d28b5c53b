"""KPIs: definitions (docs/kpis.md), daily roll-ups kept incrementally, and reading them.

``query(session, principal, brand, start, end, by=[...])`` and ``trend(...)`` are the one
read path (API, CLI, reports); ``rollup.rebuild`` and the ``kpis.rollup`` job write.
"""

from omnicase.quality.kpis import sources  # noqa: F401  (registers CSAT, consistency, QA)
from omnicase.quality.kpis.query import KpiQueryError, query, trend

__all__ = ["KpiQueryError", "query", "trend"]
