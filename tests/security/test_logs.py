"""Logs and metrics carry ids only: a realistic flow (an email with an attachment through
the raw inbox, an SMS by the API and one by the Twilio webhook, an agent's reply whose
delivery fails, a note, a reason change, an export, an erasure) with every logger at
DEBUG, then ``/metrics``; none of the fixtures' texts, addresses, numbers or names may
appear in either."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from omnicase.config import Settings
from omnicase.logs import configure_logging
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import create_account
from tests.channels.sms.helpers import ACCOUNT_SID, AUTH_TOKEN, post_twilio
from tests.factories import World
from tests.jobs.helpers import drain
from tests.security.conftest import PERSONAL, Journey

SMS_NUMBER = "+33757000111"
SMS_CUSTOMER = "+33698765432"
SMS_TEXT = "Coucou, ici Philomene Dartigues-Labbe, mon colis A-54321 est abime"
LEAKS = (*PERSONAL, SMS_CUSTOMER, "698765432", "philomene", "dartigues", "colis a-54321")


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str]) -> Iterator[list[str]]:
    """Everything omnicase's log handler writes, at DEBUG, from before the flow starts."""
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("DEBUG", "json")
    out: list[str] = []
    try:
        yield out
    finally:
        out.append(capsys.readouterr().err)
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_full_flow_logs_and_counts_without_personal_data(
    logged: list[str],
    db: Database,
    world: World,
    settings: Settings,
    client: TestClient,
    journey: Journey,
    capsys: pytest.CaptureFixture[str],
) -> None:
    box = SecretBox.from_settings(settings)
    account = create_account(
        db,
        world,
        box,
        channel="sms",
        name="SMS",
        address=SMS_NUMBER,
        settings={"account_sid": ACCOUNT_SID, "api_base": "http://127.0.0.1:9"},
        secrets={"auth_token": AUTH_TOKEN},
    )
    sid = "SM0000gdprlog"
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": SMS_CUSTOMER,
        "To": SMS_NUMBER,
        "Body": SMS_TEXT,
        "NumMedia": "0",
    }
    answer = post_twilio(client, f"/webhooks/sms/{account}", params)
    assert answer.status_code == 200, answer.text
    # a forged one is refused, and logged without its content
    forged = post_twilio(client, f"/webhooks/sms/{account}", params, signature="bad")
    assert forged.status_code in (401, 403)
    drain(db, ["channels"])  # processes the inbox and tries the reply's delivery (fails)
    admin = auth(world.tokens["acme:admin"])
    assert client.get(f"/api/v1/cases/{journey.reference}", headers=admin).status_code == 200
    assert (
        client.get(f"/api/v1/customers/{journey.customer_id}/export", headers=admin).status_code
        == 200
    )
    assert (
        client.post(f"/api/v1/customers/{journey.other_id}/erase", headers=admin).status_code == 200
    )
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    logging.getLogger("omnicase.test").debug("flow done")
    text = capsys.readouterr().err
    logged.append(text)
    assert '"flow done"' in text  # the capture does see the logs
    assert text.count("\n") > 5
    found = {leak for leak in LEAKS for chunk in (text.lower(),) if leak.lower() in chunk}
    assert found == set(), found
    body = metrics.text.lower()
    assert "omnicase" in body
    assert {leak for leak in LEAKS if leak.lower() in body} == set()
