"""The demo's screen enrolment cannot be reached from a production hub."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_only_the_demo_process_starts_the_enroller() -> None:
    """No router, worker, CLI command or setting can start it: only `pilehub demo`."""
    importers = []
    for path in (ROOT / "app").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "app.demo.screens":
                importers.append(path.relative_to(ROOT).as_posix())
            elif isinstance(node, ast.ImportFrom) and node.module == "app.demo":
                assert "screens" not in {alias.name for alias in node.names}, path
            elif isinstance(node, ast.Import):
                assert "app.demo.screens" not in {alias.name for alias in node.names}, path
    assert importers == ["app/demo/process.py"]
    settings_source = (ROOT / "app" / "core" / "config.py").read_text(encoding="utf-8")
    assert "enrol" not in settings_source
