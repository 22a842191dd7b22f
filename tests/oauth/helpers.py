"""Wall screens' side of the device authorization grant, through the real endpoints."""

from __future__ import annotations

from typing import Any

import httpx

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SCREEN = "pilehub-screen"
BEIXINJING = "310105011"


async def start(anonymous: httpx.AsyncClient, **form: str) -> dict[str, Any]:
    response = await anonymous.post(
        "/oauth/device_authorization", data={"client_id": SCREEN, **form}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    return body


async def poll(anonymous: httpx.AsyncClient, device_code: str) -> httpx.Response:
    return await anonymous.post(
        "/oauth/token",
        data={"grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": SCREEN},
    )


async def refresh(anonymous: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await anonymous.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": SCREEN},
    )


def typed_badly(user_code: str) -> str:
    """How a person might type it: lower case, the dash left out (RFC 8628 §6.1)."""
    return user_code.replace("-", "").lower()


def error_of(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/json"), response.text
    error: str = response.json()["error"]
    return error


async def signed_in_screen(
    anonymous: httpx.AsyncClient, admin: httpx.AsyncClient, area: str = BEIXINJING
) -> dict[str, Any]:
    started = await start(anonymous)
    approved = await admin.post(
        "/v1/admin/screens", json={"user_code": started["user_code"], "area": area}
    )
    assert approved.status_code == 201, approved.text
    tokens = await poll(anonymous, started["device_code"])
    assert tokens.status_code == 200, tokens.text
    body: dict[str, Any] = tokens.json()
    return body | {"screen_id": approved.json()["screen_id"]}
