"""alerts

Revision ID: 0004_alerts
Revises: 0003_auth
Create Date: 2026-11-26 23:52:17.163172
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_alerts"
down_revision: str | None = "0003_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pile_pk", sa.Integer(), nullable=False),
        sa.Column("area_path", sa.String(length=255), nullable=False),
        sa.Column("equipment_id", sa.String(length=64), nullable=False),
        sa.Column("community", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("cause", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=40), nullable=True),
        sa.Column("acknowledge_note", sa.String(length=500), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=40), nullable=True),
        sa.Column("resolve_note", sa.String(length=500), nullable=True),
        sa.Column("outage_reason", sa.String(length=32), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pile_pk"], ["pile.id"], name=op.f("fk_alert_pile_pk_pile")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
    )
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_area_path"), ["area_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_pile_pk"), ["pile_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_alert_state"), ["state"], unique=False)
        batch_op.create_index(
            "uq_alert_unresolved_pile",
            ["pile_pk"],
            unique=True,
            sqlite_where=sa.text("state != 'resolved'"),
            postgresql_where=sa.text("state != 'resolved'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_alert_unresolved_pile",
            sqlite_where=sa.text("state != 'resolved'"),
            postgresql_where=sa.text("state != 'resolved'"),
        )
        batch_op.drop_index(batch_op.f("ix_alert_state"))
        batch_op.drop_index(batch_op.f("ix_alert_pile_pk"))
        batch_op.drop_index(batch_op.f("ix_alert_area_path"))

    op.drop_table("alert")
