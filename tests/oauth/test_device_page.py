"""`/device`, the verification URI screens show: a static bilingual page that says who
approves a code and how, shows a passed code escaped, and loads nothing."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest

from app.oauth.device_page import shown_code
from tests.oauth.helpers import start

ASYNC = pytest.mark.asyncio(loop_scope="session")


@ASYNC
async def test_the_advertised_verification_uri_explains_how_a_code_is_approved(
    anonymous: httpx.AsyncClient,
) -> None:
    started = await start(anonymous)
    page = await anonymous.get(urlsplit(started["verification_uri"]).path)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    html = page.text
    assert html.startswith('<!doctype html>\n<html lang="zh-CN">')
    assert "大屏登录" in html
    assert "Sign in a wall screen" in html
    assert "pilehub screens approve CODE --area AREA" in html
    assert "POST /v1/admin/screens" in html
    assert "clients:manage" in html
    assert "cannot approve a screen" in html
    assert "不能批准" in html
    assert 'id="user-code"' not in html  # no code passed: none shown

    complete = urlsplit(started["verification_uri_complete"])
    prefilled = (await anonymous.get(f"{complete.path}?{complete.query}")).text
    shown = f'<p class="code" id="user-code">{started["user_code"]}</p>'
    assert shown in prefilled
    assert f"pilehub screens approve {started['user_code']} --area AREA" in prefilled
    assert f'"user_code": "{started["user_code"]}"' in prefilled


@ASYNC
async def test_a_passed_code_is_shown_only_as_letters_and_digits(
    anonymous: httpx.AsyncClient,
) -> None:
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    page = await anonymous.get("/device", params={"user_code": hostile})
    assert page.status_code == 200
    html = page.text.lower()
    assert "<script" not in html
    assert "<img" not in html
    assert "onerror" not in html
    assert "alert(" not in html
    assert '<p class="code" id="user-code">SCRI-PTAL</p>' in page.text
    typed = await anonymous.get("/device", params={"user_code": "wdjb mjht"})
    assert '<p class="code" id="user-code">WDJB-MJHT</p>' in typed.text
    nothing = await anonymous.get("/device", params={"user_code": "<>&\"'"})
    assert 'id="user-code"' not in nothing.text


def test_shown_code_keeps_letters_and_digits_in_the_screens_format() -> None:
    assert shown_code("wdjb-mjht") == "WDJB-MJHT"
    assert shown_code("WDJBMJHTXYZ") == "WDJB-MJHT"
    assert shown_code("ab1") == "AB1"
    assert shown_code("--") is None
    assert shown_code(None) is None


@ASYNC
async def test_headers_allow_nothing_but_its_own_inline_style(
    anonymous: httpx.AsyncClient,
) -> None:
    page = await anonymous.get("/device", params={"user_code": "WDJB-MJHT"})
    csp = {
        directive.split()[0]: directive.split()[1:]
        for directive in page.headers["content-security-policy"].split(";")
    }
    assert csp["default-src"] == ["'none'"]
    assert csp["style-src"] == ["'unsafe-inline'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'none'"]
    assert "script-src" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"  # the query may hold a code
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    # Nothing to load: no script, stylesheet, image, font or frame, no absolute URL.
    assert not re.search(r"<(script|link|img|iframe|object|embed|form)\b", html, re.I)
    assert not re.search(r"\b(src|href|action)\s*=", html, re.I)
    assert "http://" not in html
    assert "https://" not in html
    assert "url(" not in html
