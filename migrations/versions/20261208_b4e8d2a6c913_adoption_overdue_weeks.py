"""adoption rules: weeks without a confirmed milestone before an adoption is overdue

Revision ID: b4e8d2a6c913
Revises: 4d2a8f6c1e93
Create Date: 2026-12-08 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4e8d2a6c913"
down_revision: str | None = "4d2a8f6c1e93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): see 7a3c5e9b1d42.
    op.add_column(
        "adoption_rules",
        sa.Column("overdue_weeks", sa.Integer(), nullable=False, server_default="4"),
    )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("adoption_rules", "overdue_weeks", server_default=None)


def downgrade() -> None:
    op.drop_column("adoption_rules", "overdue_weeks")
