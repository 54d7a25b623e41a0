"""adoptions: the company's consent to be named on the project; a file on a milestone

Revision ID: e7c3a9f1b254
Revises: e7a4c2b9d615
Create Date: 2026-12-10 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7c3a9f1b254"
down_revision: str | None = "e7a4c2b9d615"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILE_COLUMNS = ("file_key", "file_name", "file_type", "file_size", "file_sha256")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): see 7a3c5e9b1d42.
    op.add_column(
        "adoption",
        sa.Column("public_recognition", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("adoption_milestone", sa.Column("file_key", sa.String(64), nullable=True))
    op.add_column(
        "adoption_milestone",
        sa.Column("file_name", sa.String(120), nullable=False, server_default=""),
    )
    op.add_column(
        "adoption_milestone",
        sa.Column("file_type", sa.String(60), nullable=False, server_default=""),
    )
    op.add_column(
        "adoption_milestone",
        sa.Column("file_size", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "adoption_milestone",
        sa.Column("file_sha256", sa.String(64), nullable=False, server_default=""),
    )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("adoption", "public_recognition", server_default=None)
        for name in FILE_COLUMNS[1:]:
            op.alter_column("adoption_milestone", name, server_default=None)


def downgrade() -> None:
    for name in reversed(FILE_COLUMNS):
        op.drop_column("adoption_milestone", name)
    op.drop_column("adoption", "public_recognition")
