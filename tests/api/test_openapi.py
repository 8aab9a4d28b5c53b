"""The OpenAPI schema documents every error an endpoint can answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from omnicase.store.db import Database


def test_every_operation_documents_auth_and_validation_errors(
    db: Database, client: TestClient
) -> None:
    schema = client.get("/openapi.json").json()
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1")
        for method, op in item.items()
    ]
    assert len(operations) >= 10
    for path, method, op in operations:
        codes = set(op["responses"])
        assert {"401", "403", "422"} <= codes, (method, path, codes)
        body = op["responses"]["422"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith("/ErrorBody"), (method, path)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
