"""bench/energy.py at a small scale, as `make test` runs it: it generates a city, serves the
API, compares rollups with raw GROUP BYs and ingest with a raw insert, and cleans up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_energy_benchmark_runs_small() -> None:
    args = ["--connectors", "400", "--districts", "2", "--streets", "4", "--days", "35",
            "--sessions", "3000", "--ingest", "1000", "--queries", "5", "--json"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "bench.energy", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for case in ("streets_of_one_district", "districts_of_the_city"):
        figures = results[case]
        assert figures["rollups_kwh"] > 0
        # Rollups split sessions at midnight, the raw query books them on their start day:
        # the month's totals differ only by sessions crossing the month's edges.
        assert figures["rollups_kwh"] == pytest.approx(figures["raw_kwh"], rel=0.1)
    assert results["ingest"]["with_rollups_per_s"] > 0
    assert 0 < results["api_peak_memory_mib"] < 1024
