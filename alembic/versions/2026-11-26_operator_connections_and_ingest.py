"""operator connections and ingest bookkeeping

Revision ID: 0002_ingest
Revises: 0001_initial
Create Date: 2026-11-26 19:46:03.256325
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_ingest"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_ingest_checkpoint_operator_pk_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_checkpoint")),
        sa.UniqueConstraint(
            "operator_pk", "kind", name=op.f("uq_ingest_checkpoint_operator_pk_kind")
        ),
    )
    op.create_table(
        "ingest_run",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_ingest_run_operator_pk_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_run")),
    )
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ingest_run_operator_pk"), ["operator_pk"], unique=False
        )

    op.create_table(
        "operator_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("base_url", sa.String(length=255), nullable=False),
        sa.Column("inbound_secrets", sa.Text(), nullable=False),
        sa.Column("outbound_secrets", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("pull_interval_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_pk"],
            ["operator.id"],
            name=op.f("fk_operator_connection_operator_pk_operator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_connection")),
        sa.UniqueConstraint("operator_pk", name=op.f("uq_operator_connection_operator_pk")),
    )
    op.create_table(
        "operator_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_operator_token_operator_pk_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_operator_token_token_hash")),
    )
    with op.batch_alter_table("operator_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_token_operator_pk"), ["operator_pk"], unique=False
        )

    op.create_table(
        "quarantine_record",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("operator_pk", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_pk"], ["operator.id"], name=op.f("fk_quarantine_record_operator_pk_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine_record")),
    )
    with op.batch_alter_table("quarantine_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantine_record_operator_pk"), ["operator_pk"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quarantine_record_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quarantine_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_record_received_at"))
        batch_op.drop_index(batch_op.f("ix_quarantine_record_operator_pk"))

    op.drop_table("quarantine_record")
    with op.batch_alter_table("operator_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_token_operator_pk"))

    op.drop_table("operator_token")
    op.drop_table("operator_connection")
    with op.batch_alter_table("ingest_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_run_operator_pk"))

    op.drop_table("ingest_run")
    op.drop_table("ingest_checkpoint")
