"""Report tests: settings with a temporary data directory (the archive) and a secret key
(the email account's SMTP password), the API client, a loopback SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from omnicase.api.app import create_app
from omnicase.config import Settings, load_settings
from omnicase.store.db import Database
from tests.channels.conftest import KEY, box, smtp  # noqa: F401  (fixtures)


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("OMNICASE_SECRET_KEYS", KEY)
    monkeypatch.setenv("OMNICASE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("OMNICASE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return load_settings()


@pytest.fixture
def client(db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(db, settings)) as c:
        yield c
