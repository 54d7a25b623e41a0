"""results: each project's place in each round, fixed at publication

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
    # Results published before this revision have no rows: their pages rank the rounds again.
    op.create_table(
        "published_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("interval_low", sa.Float(), nullable=False),
        sa.Column("interval_high", sa.Float(), nullable=False),
        sa.Column("tied_above", sa.Boolean(), nullable=False),
        sa.Column("tied_below", sa.Boolean(), nullable=False),
        sa.Column("winner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["judging_round.id"],
            name=op.f("fk_published_place_round_id_judging_round"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_published_place_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["winner_id"], ["project.id"], name=op.f("fk_published_place_winner_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_place")),
        sa.UniqueConstraint(
            "round_id", "project_id", name=op.f("uq_published_place_round_id_project_id")
        ),
    )
    op.create_index("ix_published_place_round_id", "published_place", ["round_id"])
    op.create_index("ix_published_place_project_id", "published_place", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_published_place_project_id", table_name="published_place")
    op.drop_index("ix_published_place_round_id", table_name="published_place")
    op.drop_table("published_place")
