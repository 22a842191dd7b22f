"""Write the committed API contracts deterministically; `--check` fails when they are stale.

python -m app.scripts.export_contracts          # regenerate openapi/openapi.json and
                                                # openapi/schema.graphql
python -m app.scripts.export_contracts --check  # exit 1 if a committed file differs
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from app.core.config import PROJECT_ROOT, Settings
from app.graphql.schema import render_sdl
from app.main import create_app

OPENAPI_PATH = PROJECT_ROOT / "openapi" / "openapi.json"
GRAPHQL_PATH = PROJECT_ROOT / "openapi" / "schema.graphql"


def render_openapi() -> str:
    # Fixed settings: the contract must not depend on the environment it is exported in.
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


CONTRACTS: dict[Path, Callable[[], str]] = {OPENAPI_PATH: render_openapi, GRAPHQL_PATH: render_sdl}


def main(argv: list[str]) -> int:
    stale = []
    for path, render in CONTRACTS.items():
        rendered = render()
        if "--check" in argv:
            if (path.read_text("utf-8") if path.exists() else "") != rendered:
                stale.append(path.relative_to(PROJECT_ROOT))
        else:
            path.write_text(rendered, "utf-8")
    for path in stale:
        sys.stderr.write(f"{path} is stale: run `make contracts` and commit the result.\n")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
