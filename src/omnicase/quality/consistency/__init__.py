"""Cross-channel consistency: facts stated in agents' answers and their contradictions.

Pure library (no database): :mod:`.facts` reads the facts an answer states (amounts,
delays, dates, decisions, policies, order numbers) in French and English, :mod:`.compare`
finds the same fact slot stated with a different value in two answers, or in an answer
and a macro's facts. The service (``omnicase.services.consistency``) feeds it the earlier
answers of the same request.
"""

from omnicase.quality.consistency.compare import Finding, Said, compare_facts, find_contradictions
from omnicase.quality.consistency.facts import Fact, extract_facts, macro_facts

__all__ = [
    "Fact",
    "Finding",
    "Said",
    "compare_facts",
    "extract_facts",
    "find_contradictions",
    "macro_facts",
]
