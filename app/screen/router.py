"""`GET /screen` (the page's HTML shell) and `GET /screen/assets/{name}` (its bundle).

Public: the page signs itself in (device flow) and holds its tokens in script; nothing here
needs a token. Kept out of the OpenAPI contract: a page, not an API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.core.errors import NotFound
from app.screen.assets import assets, shell

router = APIRouter(tags=["screen"])

# Everything from the hub itself (isolated networks: no CDN), no inline script or style, and
# the page may not be framed by another site (a wall screen is not a widget).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# A link with the bundle's hash names one content forever; without it, revalidate (ETag).
_IMMUTABLE = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"


@router.get("/screen", include_in_schema=False)
async def screen_page() -> Response:
    """The shell; `?area=` and `?lang=` are read by the page's script."""
    headers = {**_SECURITY_HEADERS, "Cache-Control": _REVALIDATE}
    return Response(shell(), media_type="text/html; charset=utf-8", headers=headers)


@router.get("/screen/assets/{name}", include_in_schema=False)
async def screen_asset(name: str, request: Request) -> Response:
    asset = assets().get(name)
    if asset is None:
        raise NotFound(f"No screen asset named {name!r}.")
    version = request.query_params.get("v")
    cache = _IMMUTABLE if version == asset.version else _REVALIDATE
    gzipped = _accepts_gzip(request.headers.get("accept-encoding", ""))
    etag = asset.etag(gzipped=gzipped)
    headers = {**_SECURITY_HEADERS, "Cache-Control": cache, "ETag": etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    body = asset.gzipped if gzipped else asset.body
    return Response(body, media_type=asset.media_type, headers=headers)


def _accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() == "gzip":
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False
