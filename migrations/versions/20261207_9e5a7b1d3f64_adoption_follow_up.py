"""adoption follow-up: dated milestones confirmed by the other side, closing an adoption

Revision ID: 9e5a7b1d3f64
Revises: 8d4f6a0c2e53
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9e5a7b1d3f64"
down_revision: str | None = "8d4f6a0c2e53"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): see 7a3c5e9b1d42.
    op.add_column("adoption", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "adoption_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adoption_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("amount_eur", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("proposed_side", sa.String(length=10), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["adoption_id"],
            ["adoption.id"],
            name=op.f("fk_adoption_milestone_adoption_id_adoption"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["user.id"], name=op.f("fk_adoption_milestone_proposed_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["user.id"], name=op.f("fk_adoption_milestone_confirmed_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption_milestone")),
    )
    op.create_index(
        op.f("ix_adoption_milestone_adoption_id"), "adoption_milestone", ["adoption_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_adoption_milestone_adoption_id"), table_name="adoption_milestone")
    op.drop_table("adoption_milestone")
    op.drop_column("adoption", "closed_at")
