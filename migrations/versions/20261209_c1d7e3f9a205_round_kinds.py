"""judging rounds have a kind (rubric, pairwise, public vote); only rubric rounds a rubric

Revision ID: c1d7e3f9a205
Revises: b4e8d2a6c913
Create Date: 2026-12-09 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1d7e3f9a205"
down_revision: str | None = "b4e8d2a6c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "judging_round",
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="rubric"),
    )
    # SQLite cannot alter a column in place: batch mode copies the table.
    with op.batch_alter_table("judging_round") as batch:
        batch.alter_column("rubric_id", existing_type=sa.Integer(), nullable=True)
        if op.get_bind().dialect.name != "sqlite":
            batch.alter_column("kind", existing_type=sa.String(length=20), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("judging_round") as batch:
        batch.alter_column("rubric_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("kind")
