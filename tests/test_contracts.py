"""The committed OpenAPI document is what the code generates."""

from __future__ import annotations

import json

from app.scripts.export_contracts import OPENAPI_PATH, render_openapi


def test_committed_openapi_is_up_to_date() -> None:
    assert OPENAPI_PATH.read_text("utf-8") == render_openapi(), (
        "openapi/openapi.json is stale: run `make contracts` and commit it"
    )


def test_openapi_export_is_deterministic() -> None:
    assert render_openapi() == render_openapi()


def test_every_v1_route_with_input_documents_its_problems() -> None:
    document = json.loads(render_openapi())
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            if not operation.get("parameters") and "requestBody" not in operation:
                continue
            problems = {
                status
                for status, response in operation["responses"].items()
                if "application/problem+json" in response.get("content", {})
            }
            assert "404" in problems or "422" in problems, f"{method} {path}"
            assert operation["operationId"].count("-") == 1
