import os
import tempfile
from pathlib import Path

os.environ["PILEHUB_ENV"] = "testing"
# Nothing a test starts may default into the checkout's var/ (a running `make demo` keeps its
# database and its clients' secrets there): in-process settings and every subprocess the tests
# start inherit these. Tests that need a database pass their own URL.
_RUN_DIR = Path(tempfile.mkdtemp(prefix="pilehub-tests-"))
os.environ["PILEHUB_DATABASE_URL"] = f"sqlite+aiosqlite:///{_RUN_DIR / 'pilehub.db'}"
os.environ["PILEHUB_DEMO_CLIENTS_FILE"] = str(_RUN_DIR / "demo-clients.json")

pytest_plugins = ["tests.fixtures.databases", "tests.fixtures.app", "tests.fixtures.worktree_guard"]
