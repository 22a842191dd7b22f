"""screens: device authorizations, screens and their refresh tokens

Revision ID: 0008_screens
Revises: 0007_colour_cause
Create Date: 2026-12-07 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_screens"
down_revision: str | None = "0007_colour_cause"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "device_authorization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_code_hash", sa.String(length=64), nullable=False),
        sa.Column("user_code", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=40), nullable=False),
        sa.Column("requested_scopes", sa.String(length=500), nullable=True),
        sa.Column("approved_scopes", sa.String(length=500), nullable=True),
        sa.Column("area_code", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("screen_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_authorization")),
        sa.UniqueConstraint(
            "device_code_hash", name=op.f("uq_device_authorization_device_code_hash")
        ),
    )
    with op.batch_alter_table("device_authorization", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_authorization_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_device_authorization_user_code"), ["user_code"], unique=False
        )

    op.create_table(
        "screen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("tier", sa.String(length=12), nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen")),
        sa.UniqueConstraint("screen_id", name=op.f("uq_screen_screen_id")),
    )
    with op.batch_alter_table("screen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screen_revoked_at"), ["revoked_at"], unique=False)

    op.create_table(
        "screen_refresh_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("screen_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_screen_refresh_token_token_hash")),
    )
    with op.batch_alter_table("screen_refresh_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screen_refresh_token_screen_id"), ["screen_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("screen_refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screen_refresh_token_screen_id"))

    op.drop_table("screen_refresh_token")
    with op.batch_alter_table("screen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screen_revoked_at"))

    op.drop_table("screen")
    with op.batch_alter_table("device_authorization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_authorization_user_code"))
        batch_op.drop_index(batch_op.f("ix_device_authorization_expires_at"))

    op.drop_table("device_authorization")
