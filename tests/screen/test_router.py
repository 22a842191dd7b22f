"""`/screen` and its bundle: served by the hub itself, public, with a strict CSP; only the
bundle's own files are served."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from app.core.db import Database
from app.screen.assets import STATIC
from tests.oauth.helpers import BEIXINJING, poll, start

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in policy.split("; ")}


def _assert_hardened(response: httpx.Response) -> None:
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert csp["style-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_page_is_public_hardened_and_links_its_versioned_bundle(
    anonymous: httpx.AsyncClient,
) -> None:
    page = await anonymous.get("/screen", params={"area": BEIXINJING, "lang": "en"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    _assert_hardened(page)
    html = page.text
    assert '<html lang="zh-CN">' in html
    assert "<script>" not in html
    assert "style=" not in html
    links = re.findall(r'(?:src|href)="(/screen/assets/[^"]+)"', html)
    assert sorted(link.split("?")[0] for link in links) == [
        "/screen/assets/screen.css",
        "/screen/assets/screen.js",
    ]
    assert "http" not in html  # nothing from another origin
    for link in links:
        asset = await anonymous.get(link)
        assert asset.status_code == 200, link
        _assert_hardened(asset)
        # The link carries the content's hash: it may be cached for good.
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_assets_revalidate_by_etag_without_the_version(
    anonymous: httpx.AsyncClient,
) -> None:
    script = await anonymous.get("/screen/assets/screen.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["content-encoding"] == "gzip"  # httpx asks for it, and decodes it
    assert script.content == (STATIC / "screen.js").read_bytes()
    assert script.headers["cache-control"] == "no-cache"
    plain = await anonymous.get("/screen/assets/screen.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == script.content
    assert plain.headers["etag"] != script.headers["etag"]  # one per representation
    etag = script.headers["etag"]
    again = await anonymous.get("/screen/assets/screen.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    stale = await anonymous.get("/screen/assets/screen.js", params={"v": "0" * 16})
    assert stale.headers["cache-control"] == "no-cache"
    licences = await anonymous.get("/screen/assets/LICENSES.txt")
    assert licences.status_code == 200
    assert licences.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "path",
    [
        "/screen/assets/nothing.js",
        "/screen/assets/..%2F..%2F__init__.py",
        "/screen/assets/..%2Frouter.py",
        "/screen/assets/%2E%2E/router.py",
        "/screen/assets/../router.py",
        "/screen/assets/",
        "/screen/assets/shell.html",
    ],
)
async def test_only_the_bundles_files_are_served(anonymous: httpx.AsyncClient, path: str) -> None:
    response = await anonymous.get(path)
    assert response.status_code == 404, (path, response.text[:200])
    assert response.headers["content-type"].startswith("application/problem+json")
    assert b"import" not in response.content  # no Python source came back


async def test_the_page_is_not_in_the_api_contract(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    assert not [path for path in paths if path.startswith("/screen")]


async def test_a_screen_may_be_granted_acknowledging_but_never_gets_it_by_default(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, demo_registry: Database
) -> None:
    granted = await start(anonymous)
    approved = await client.post(
        "/v1/admin/screens",
        json={"user_code": granted["user_code"], "area": BEIXINJING,
              "scopes": ["alerts:read", "alerts:write", "status:read"]},
    )  # fmt: skip
    assert approved.status_code == 201, approved.text
    tokens = (await poll(anonymous, granted["device_code"])).json()
    assert "alerts:write" in tokens["scope"].split()
    default = await start(anonymous)
    approved = await client.post(
        "/v1/admin/screens", json={"user_code": default["user_code"], "area": BEIXINJING}
    )
    assert approved.status_code == 201, approved.text
    tokens = (await poll(anonymous, default["device_code"])).json()
    assert "alerts:write" not in tokens["scope"].split()
    assert "alerts:read" in tokens["scope"].split()
