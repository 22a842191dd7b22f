"""One migration history for both databases: it round-trips and matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.core.db import Database
from app.core.migrations import downgrade, upgrade
from tests.fixtures.databases import fresh_database_url

pytestmark = pytest.mark.asyncio

TABLES = {
    "alert",
    "api_client",
    "audit_record",
    "revoked_token",
    "signing_key",
    "used_assertion",
    "device_authorization",
    "screen",
    "screen_refresh_token",
    "change_event",
    "charging_session",
    "connector",
    "connector_status",
    "energy_area_rollup",
    "energy_rollup",
    "ingest_checkpoint",
    "ingest_run",
    "jurisdiction",
    "operator",
    "operator_connection",
    "operator_token",
    "pile",
    "quarantine_record",
    "station",
    "status_change",
    "webhook_delivery",
    "webhook_endpoint",
}


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_upgrade_downgrade_upgrade_and_no_drift(backend: str, tmp_path: Path) -> None:
    async with fresh_database_url(backend, tmp_path) as url:
        database = Database(url)
        try:
            await upgrade(database.engine)
            async with database.engine.connect() as connection:
                assert await connection.run_sync(_tables) == TABLES
            await downgrade(database.engine)
            async with database.engine.connect() as connection:
                assert await connection.run_sync(_tables) == set()
            await upgrade(database.engine)
            async with database.engine.connect() as connection:
                assert await connection.run_sync(_tables) == TABLES
                assert await connection.run_sync(_differences) == []
        finally:
            await database.dispose()
