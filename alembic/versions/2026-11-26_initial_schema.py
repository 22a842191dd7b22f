"""initial schema

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26 19:00:03.762300
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("area_path", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_event")),
    )
    op.create_table(
        "jurisdiction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["jurisdiction.id"], name=op.f("fk_jurisdiction_parent_id_jurisdiction")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jurisdiction")),
        sa.UniqueConstraint("code", name=op.f("uq_jurisdiction_code")),
    )
    with op.batch_alter_table("jurisdiction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jurisdiction_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jurisdiction_path"), ["path"], unique=False)

    op.create_table(
        "operator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator")),
        sa.UniqueConstraint("operator_id", name=op.f("uq_operator_operator_id")),
    )
    op.create_table(
        "station",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.Column("station_type", sa.Integer(), nullable=False),
        sa.Column("station_status", sa.Integer(), nullable=False),
        sa.Column("construction", sa.Integer(), nullable=False),
        sa.Column("park_nums", sa.Integer(), nullable=False),
        sa.Column("lng_gcj02", sa.Float(), nullable=True),
        sa.Column("lat_gcj02", sa.Float(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_station_jurisdiction_id_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_station_operator_pk_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station")),
        sa.UniqueConstraint(
            "operator_pk", "station_id", name=op.f("uq_station_operator_pk_station_id")
        ),
    )
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_station_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )

    op.create_table(
        "pile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("station_pk", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.String(length=23), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=True),
        sa.Column("manufacturer_id", sa.String(length=9), nullable=True),
        sa.Column("manufacturer_name", sa.String(length=30), nullable=True),
        sa.Column("model", sa.String(length=20), nullable=True),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("equipment_type", sa.Integer(), nullable=False),
        sa.Column("power_kw", sa.Float(), nullable=False),
        sa.Column("lng_gcj02", sa.Float(), nullable=True),
        sa.Column("lat_gcj02", sa.Float(), nullable=True),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("colour_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("maintenance", sa.Boolean(), nullable=False),
        sa.Column("maintenance_note", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_id"],
            ["jurisdiction.id"],
            name=op.f("fk_pile_jurisdiction_id_jurisdiction"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_pile_operator_pk_operator")
        ),
        sa.ForeignKeyConstraint(
            ["station_pk"], ["station.id"], name=op.f("fk_pile_station_pk_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pile")),
        sa.UniqueConstraint(
            "operator_pk", "equipment_id", name=op.f("uq_pile_operator_pk_equipment_id")
        ),
    )
    with op.batch_alter_table("pile", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pile_colour"), ["colour"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pile_jurisdiction_id"), ["jurisdiction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pile_station_pk"), ["station_pk"], unique=False)

    op.create_table(
        "connector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("pile_pk", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=True),
        sa.Column("connector_type", sa.Integer(), nullable=False),
        sa.Column("voltage_upper", sa.Integer(), nullable=False),
        sa.Column("voltage_lower", sa.Integer(), nullable=False),
        sa.Column("current_a", sa.Integer(), nullable=False),
        sa.Column("power_kw", sa.Float(), nullable=False),
        sa.Column("park_no", sa.String(length=10), nullable=True),
        sa.Column("national_standard", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_connector_operator_pk_operator")
        ),
        sa.ForeignKeyConstraint(["pile_pk"], ["pile.id"], name=op.f("fk_connector_pile_pk_pile")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector")),
        sa.UniqueConstraint(
            "operator_pk", "connector_id", name=op.f("uq_connector_operator_pk_connector_id")
        ),
    )
    with op.batch_alter_table("connector", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connector_pile_pk"), ["pile_pk"], unique=False)

    op.create_table(
        "charging_session",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("start_charge_seq", sa.String(length=32), nullable=False),
        sa.Column("connector_pk", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("elec_money_fen", sa.BigInteger(), nullable=True),
        sa.Column("service_money_fen", sa.BigInteger(), nullable=True),
        sa.Column("total_money_fen", sa.BigInteger(), nullable=True),
        sa.Column("stop_reason", sa.Integer(), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_pk"],
            ["connector.id"],
            name=op.f("fk_charging_session_connector_pk_connector"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_charging_session_operator_pk_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charging_session")),
        sa.UniqueConstraint(
            "operator_pk",
            "start_charge_seq",
            name=op.f("uq_charging_session_operator_pk_start_charge_seq"),
        ),
    )
    with op.batch_alter_table("charging_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charging_session_connector_pk"), ["connector_pk"], unique=False
        )

    op.create_table(
        "connector_status",
        sa.Column("connector_pk", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("raw_code", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_pk"],
            ["connector.id"],
            name=op.f("fk_connector_status_connector_pk_connector"),
        ),
        sa.PrimaryKeyConstraint("connector_pk", name=op.f("pk_connector_status")),
    )
    with op.batch_alter_table("connector_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connector_status_status"), ["status"], unique=False)

    op.create_table(
        "status_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("connector_pk", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("raw_code", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector_pk"], ["connector.id"], name=op.f("fk_status_change_connector_pk_connector")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
    )
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_change_connector_observed", ["connector_pk", "observed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_status_change_connector_observed")

    op.drop_table("status_change")
    with op.batch_alter_table("connector_status", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_status_status"))

    op.drop_table("connector_status")
    with op.batch_alter_table("charging_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charging_session_connector_pk"))

    op.drop_table("charging_session")
    with op.batch_alter_table("connector", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_pile_pk"))

    op.drop_table("connector")
    with op.batch_alter_table("pile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pile_station_pk"))
        batch_op.drop_index(batch_op.f("ix_pile_jurisdiction_id"))
        batch_op.drop_index(batch_op.f("ix_pile_colour"))

    op.drop_table("pile")
    with op.batch_alter_table("station", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_jurisdiction_id"))

    op.drop_table("station")
    op.drop_table("operator")
    with op.batch_alter_table("jurisdiction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jurisdiction_path"))
        batch_op.drop_index(batch_op.f("ix_jurisdiction_parent_id"))

    op.drop_table("jurisdiction")
    op.drop_table("change_event")
