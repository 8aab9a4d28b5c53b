"""Settings from the environment, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./omnicase.db"
    #: Days after resolution during which a new message about the same request reopens it.
    thread_window_days: int = 7
    data_dir: Path = Path("./var")


def load_settings() -> Settings:
    """Read ``OMNICASE_*`` variables; unset ones keep their defaults."""
    env = os.environ
    window = env.get("OMNICASE_THREAD_WINDOW_DAYS", "7")
    try:
        days = int(window)
    except ValueError as exc:
        raise ValueError(
            f"OMNICASE_THREAD_WINDOW_DAYS must be a whole number of days, got {window!r}"
        ) from exc
    return Settings(
        database_url=env.get("OMNICASE_DATABASE_URL", Settings.database_url),
        thread_window_days=days,
        data_dir=Path(env.get("OMNICASE_DATA_DIR", "./var")),
    )
