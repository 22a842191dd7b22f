"""The test tree's own rule: a test module is never imported by another module. Shared helpers
live in `tests/<domain>/helpers.py` or `tests/fixtures/`, so a test module can be moved,
renamed or split without breaking another one (and pytest never collects a test twice)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("tests", "bench")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_test_module(name: str) -> bool:
    return name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name of `from <level dots><module> import ...` inside `importer`."""
    if level == 0:
        return module or ""
    package = importer.split(".")
    if not is_package:
        package = package[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imported_test_modules(path: Path) -> list[str]:
    """The test modules (`tests.….test_*`) that the file at `path` imports, in any form."""
    importer = _module_name(path)
    is_package = path.name == "__init__.py"
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _is_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(importer, is_package, node.level, node.module)
            if _is_test_module(source):
                found.append(source)
            else:  # `from tests.status import test_service`
                found += [
                    f"{source}.{alias.name}"
                    for alias in node.names
                    if _is_test_module(f"{source}.{alias.name}")
                ]
    return found


def test_no_module_imports_a_test_module() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for name in imported_test_modules(path)
    ]
    assert offences == [], "\n".join(offences)
