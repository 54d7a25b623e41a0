"""creating challenges is a granted right; programmes have owners

Revision ID: 8c41f0d2b6a7
Revises: 3b7d9e2a41c5
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c41f0d2b6a7"
down_revision: str | None = "3b7d9e2a41c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(
            sa.Column(
                "may_create_challenges", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    # Who organises a challenge already keeps the right to start the next one.
    op.execute(
        "UPDATE \"user\" SET may_create_challenges = TRUE WHERE id IN "
        "(SELECT user_id FROM role WHERE kind = 'organiser')"
    )
    with op.batch_alter_table("user") as batch:
        batch.alter_column("may_create_challenges", server_default=None)
    with op.batch_alter_table("programme") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_programme_owner_id"), ["owner_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_programme_owner_id_user"), "user", ["owner_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        batch.drop_constraint(batch.f("fk_programme_owner_id_user"), type_="foreignkey")
        batch.drop_index(batch.f("ix_programme_owner_id"))
        batch.drop_column("owner_id")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("may_create_challenges")
