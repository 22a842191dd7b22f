import os

os.environ["PILEHUB_ENV"] = "testing"

pytest_plugins = ["tests.fixtures.databases", "tests.fixtures.app"]
