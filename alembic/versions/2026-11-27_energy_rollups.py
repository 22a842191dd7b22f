"""energy rollups

Revision ID: 0006_energy
Revises: 0005_webhooks
Create Date: 2026-11-27 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_energy"
down_revision: str | None = "0005_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "energy_rollup",
        sa.Column("connector_pk", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("charging_seconds", sa.BigInteger(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_pk"], ["connector.id"], name=op.f("fk_energy_rollup_connector_pk_connector")
        ),
        sa.PrimaryKeyConstraint(
            "connector_pk", "local_date", "period", name=op.f("pk_energy_rollup")
        ),
    )
    op.create_index("ix_energy_rollup_local_date", "energy_rollup", ["local_date"], unique=False)
    op.create_table(
        "energy_area_rollup",
        sa.Column("level_len", sa.SmallInteger(), nullable=False),
        sa.Column("area_path", sa.String(length=255), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("charging_seconds", sa.BigInteger(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "level_len", "area_path", "local_date", "period", name=op.f("pk_energy_area_rollup")
        ),
    )
    # Sessions stored before this revision are rolled up by `pilehub energy rebuild`, which
    # runs the same Python as the live path (the period cut is not expressible in both SQLs).


def downgrade() -> None:
    op.drop_table("energy_area_rollup")
    op.drop_index("ix_energy_rollup_local_date", table_name="energy_rollup")
    op.drop_table("energy_rollup")
