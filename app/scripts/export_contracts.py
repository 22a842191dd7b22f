"""Write the committed API contracts deterministically; `--check` fails when they are stale.

python -m app.scripts.export_contracts          # regenerate openapi/openapi.json
python -m app.scripts.export_contracts --check  # exit 1 if the committed file differs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.core.config import PROJECT_ROOT, Settings
from app.main import create_app

OPENAPI_PATH = PROJECT_ROOT / "openapi" / "openapi.json"


def render_openapi() -> str:
    # Fixed settings: the contract must not depend on the environment it is exported in.
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    rendered = render_openapi()
    if "--check" in argv:
        current = OPENAPI_PATH.read_text("utf-8") if OPENAPI_PATH.exists() else ""
        if current != rendered:
            sys.stderr.write(
                f"{OPENAPI_PATH.relative_to(PROJECT_ROOT)} is stale: run "
                "`make contracts` and commit the result.\n"
            )
            return 1
        return 0
    Path(OPENAPI_PATH).write_text(rendered, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
