"""colour cause: why a pile is yellow or red, and alert causes beyond fault and maintenance

Revision ID: 0007_colour_cause
Revises: 0006_energy
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_colour_cause"
down_revision: str | None = "0006_energy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("colour_cause", sa.String(length=16), nullable=True))
    # "repeated-fault" is longer than the old 12 characters; stored causes stay valid.
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.alter_column(
            "cause",
            existing_type=sa.String(length=12),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
    # A flagged pile's cause is known now; the others get theirs at the worker's next colour
    # sweep (it visits every yellow and red pile).
    op.execute("UPDATE pile SET colour_cause = 'maintenance' WHERE maintenance AND colour = 'red'")


def downgrade() -> None:
    # The old schema knew only fault and maintenance.
    op.execute("UPDATE alert SET cause = 'fault' WHERE cause <> 'maintenance'")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.alter_column(
            "cause",
            existing_type=sa.String(length=16),
            type_=sa.String(length=12),
            existing_nullable=False,
        )
    with op.batch_alter_table("pile", schema=None) as batch_op:
        batch_op.drop_column("colour_cause")
