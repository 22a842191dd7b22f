"""The committed bundle, read once: each file's bytes, media type and content hash.

Only files present in static/ when the process starts are served, looked up by exact name
in a dict: a request can never name a path outside it.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STATIC = Path(__file__).parent / "static"
_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes  # the bundle is ~650 kB, ~200 kB gzipped: compressed once, at start
    media_type: str
    digest: str  # sha256 of the body, hex: the ETag and the `?v=` of the shell's links

    @property
    def version(self) -> str:
        return self.digest[:16]

    def etag(self, *, gzipped: bool) -> str:
        # One ETag per representation (RFC 9110 §8.8.3): the gzipped bytes differ.
        return f'"{self.digest[:32]}{"-gz" if gzipped else ""}"'


@cache
def assets() -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for path in sorted(STATIC.iterdir()):
        media_type = _MEDIA_TYPES.get(path.suffix)
        if media_type is None or not path.is_file():
            continue
        body = path.read_bytes()
        found[path.name] = Asset(
            body=body,
            gzipped=gzip.compress(body, compresslevel=9, mtime=0),
            media_type=media_type,
            digest=hashlib.sha256(body).hexdigest(),
        )
    return found


@cache
def shell() -> bytes:
    """The HTML page, with links to the bundle that change when the bundle does (so they may
    be cached for good)."""
    template = (Path(__file__).parent / "shell.html").read_text(encoding="utf-8")
    files = assets()
    return (
        template.replace("{{js}}", f"/screen/assets/screen.js?v={files['screen.js'].version}")
        .replace("{{css}}", f"/screen/assets/screen.css?v={files['screen.css'].version}")
        .encode()
    )
