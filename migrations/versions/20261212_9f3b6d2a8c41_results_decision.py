"""results: how the jury's awards were decided, fixed at publication

Revision ID: 9f3b6d2a8c41
Revises: 4c8e1a7f9d23
Create Date: 2026-12-12 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9f3b6d2a8c41"
down_revision: str | None = "4c8e1a7f9d23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Results published before this revision have no row: their page ranks the round as before.
    op.create_table(
        "results_decision",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("ties", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_results_decision_challenge_id_challenge"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_round.id"],
            name=op.f("fk_results_decision_round_id_judging_round"),
        ),
        sa.PrimaryKeyConstraint("challenge_id", name=op.f("pk_results_decision")),
    )


def downgrade() -> None:
    op.drop_table("results_decision")
