"""pairwise (expo) rounds: raw votes, skips, each judge's walk and each project's belief

Revision ID: e7a3c5b9d102
Revises: c1d7e3f9a205
Create Date: 2026-12-10 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a3c5b9d102"
down_revision: str | None = "c1d7e3f9a205"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _when(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "pairwise_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("winner_id", sa.Integer(), nullable=False),
        sa.Column("loser_id", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("imported", sa.Boolean(), nullable=False),
        _when("created_at", nullable=False),
        _when("undone_at", nullable=True),
        _when("voided_at", nullable=True),
        _fk("pairwise_vote", "round_id", "judging_round"),
        _fk("pairwise_vote", "judge_id", "user"),
        _fk("pairwise_vote", "winner_id", "project"),
        _fk("pairwise_vote", "loser_id", "project"),
        _fk("pairwise_vote", "previous_id", "project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairwise_vote")),
    )
    op.create_table(
        "pairwise_skip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        _when("created_at", nullable=False),
        _fk("pairwise_skip", "round_id", "judging_round"),
        _fk("pairwise_skip", "judge_id", "user"),
        _fk("pairwise_skip", "project_id", "project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairwise_skip")),
    )
    op.create_table(
        "pairwise_judge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("current_id", sa.Integer(), nullable=True),
        _when("current_since", nullable=True),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("beta", sa.Float(), nullable=False),
        _fk("pairwise_judge", "round_id", "judging_round"),
        _fk("pairwise_judge", "judge_id", "user"),
        _fk("pairwise_judge", "previous_id", "project"),
        _fk("pairwise_judge", "current_id", "project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairwise_judge")),
        sa.UniqueConstraint("round_id", "judge_id", name=op.f("uq_pairwise_judge_round_id_judge_id")),
    )
    op.create_table(
        "pairwise_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("mu", sa.Float(), nullable=False),
        sa.Column("sigma_sq", sa.Float(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        _fk("pairwise_item", "round_id", "judging_round"),
        _fk("pairwise_item", "project_id", "project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairwise_item")),
        sa.UniqueConstraint(
            "round_id", "project_id", name=op.f("uq_pairwise_item_round_id_project_id")
        ),
    )
    for table in ("pairwise_vote", "pairwise_skip", "pairwise_judge"):
        op.create_index(op.f(f"ix_{table}_round_id"), table, ["round_id"])
        op.create_index(op.f(f"ix_{table}_judge_id"), table, ["judge_id"])
    op.create_index(op.f("ix_pairwise_item_round_id"), "pairwise_item", ["round_id"])


def downgrade() -> None:
    for table in ("pairwise_item", "pairwise_judge", "pairwise_skip", "pairwise_vote"):
        op.drop_table(table)
