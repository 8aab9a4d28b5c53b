"""The frames' rules (pure), the widget script's route and the demo page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from omnicase.channels.chat.protocol import MAX_FRAME, FrameError, parse_frame
from omnicase.security.secrets import SecretBox
from omnicase.services.cases import ActionError
from omnicase.store.db import Database
from tests.channels.chat.conftest import KEY
from tests.channels.conftest import create_account
from tests.factories import World


@pytest.mark.parametrize(
    ("raw", "code", "reason"),
    [
        ("[1]", "bad_frame", "a frame is a JSON object"),
        ('{"type": "shout"}', "bad_frame", "type: one of"),
        ('{"type": "message", "client_id": "short", "text": "x"}', "bad_frame", "client_id"),
        ('{"type": "message", "client_id": "c_12345678", "text": "  "}', "bad_frame", "text"),
        ('{"type": "prechat", "name": "Ana", "email": "not-an-email"}', "bad_frame", "email"),
        ('{"type": "hello", "last_seq": -1}', "bad_frame", "last_seq"),
        ('{"type": "seen", "seq": true}', "bad_frame", "seq"),
        ("{", "bad_json", "not JSON"),
        ("x" * (MAX_FRAME + 1), "too_large", "at most"),
    ],
)
def test_bad_frames_are_named(raw: str, code: str, reason: str) -> None:
    with pytest.raises(FrameError) as refused:
        parse_frame(raw)
    assert refused.value.code == code and reason in refused.value.reason


def test_good_frames_are_cleaned() -> None:
    frame = parse_frame('{"type": "prechat", "name": " Ana ", "email": "Ana@Example.com"}')
    assert frame.data == {"name": "Ana", "email": "Ana@example.com"}
    message = parse_frame('{"type": "message", "client_id": "c_12345678", "text": "<b>hi</b>"}')
    assert message.data == {"client_id": "c_12345678", "text": "<b>hi</b>"}


def test_widget_script_and_demo_page(
    db: Database, world: World, box: SecretBox, client: TestClient
) -> None:
    script = client.get("/chat/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "public, max-age=3600"
    assert "innerHTML" not in script.text and "textContent" in script.text
    assert client.get(f"/chat/demo/{KEY}").status_code == 404
    create_account(
        db, world, box, channel="chat", name="Chat", address=KEY, settings={"title": "<Acme>"}
    )
    page = client.get(f"/chat/demo/{KEY}")
    assert page.status_code == 200
    assert "&lt;Acme&gt;" in page.text and f'data-key="{KEY}"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_a_chat_key_is_checked(db: Database, world: World, box: SecretBox) -> None:
    with pytest.raises(ActionError) as refused:
        create_account(db, world, box, channel="chat", name="Chat", address="bad key/")
    assert refused.value.field == "address"
