"""The one error of the library: which input is wrong and why (the CLI and API show both)."""

from __future__ import annotations


class WfmInputError(ValueError):
    """An input the models cannot work with: ``field`` names it (``channels[2].aht_seconds``,
    ``volume[17]``), ``reason`` says what is wrong in words a planner understands."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
