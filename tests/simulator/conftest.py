"""Shared fixtures: the demo fleet backfilled once per module (it is pure and cheap)."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.catalogue.beixinjing import Community, Station, demo_catalogue
from app.core.time import LOCAL_TZ
from app.simulator.fleet import FleetModel
from app.simulator.orders import ChargeOrder

# The district's report is dated 2022-03-03; its "month" is the 30 days before.
REPORT_END = datetime(2022, 3, 3, tzinfo=LOCAL_TZ)
SEED = 2022

Catalogue = list[tuple[Community, Station]]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return demo_catalogue(SEED)


@pytest.fixture(scope="module")
def backfilled(catalogue: Catalogue) -> tuple[FleetModel, list[ChargeOrder]]:
    model = FleetModel(seed=SEED, catalogue=catalogue)
    orders = model.backfill(days=30, end=REPORT_END)
    return model, orders
