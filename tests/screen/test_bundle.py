"""The committed bundle is the build of the committed sources (no Node needed to check).

web/build.mjs writes the sha256 of its inputs on screen.js's first line; this recomputes it the
same way: one line per input, sorted by path, "<sha256 of the file>  <path>\\n", hashed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from app.screen.assets import STATIC

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
_BANNER = re.compile(r"/\* pilehub-screen inputs sha256:([0-9a-f]{64}) \*/")


def inputs_hash(root: Path = ROOT) -> str:
    web = root / "web"
    paths = [p for p in (web / "src").rglob("*") if p.is_file()]
    paths += [web / name for name in ("build.mjs", "package.json", "package-lock.json")]
    paths.append(web / "tsconfig.json")
    lines = sorted(
        (p.relative_to(root).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths
    )
    manifest = "".join(f"{digest}  {path}\n" for path, digest in lines)
    return hashlib.sha256(manifest.encode()).hexdigest()


def test_the_bundle_was_built_from_the_sources_in_web() -> None:
    first_line = (STATIC / "screen.js").read_text(encoding="utf-8").split("\n", 1)[0]
    banner = _BANNER.fullmatch(first_line)
    assert banner, f"screen.js does not start with the inputs' hash: run make web ({first_line!r})"
    assert banner.group(1) == inputs_hash(), (
        "web/ changed since app/screen/static/ was built: run make web and commit the bundle"
    )


def test_the_bundle_keeps_the_third_party_notices() -> None:
    licences = (STATIC / "LICENSES.txt").read_text(encoding="utf-8")
    assert "Apache License" in licences
    assert (STATIC / "screen.css").stat().st_size > 0


def test_a_changed_source_changes_the_hash(tmp_path: Path) -> None:
    # The check can fail: the hash covers the sources' bytes, not just their names.
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("node_modules"))
    assert inputs_hash(tmp_path) == inputs_hash()
    source = copy / "src" / "main.ts"
    source.write_bytes(source.read_bytes() + b"\n")
    assert inputs_hash(tmp_path) != inputs_hash()
