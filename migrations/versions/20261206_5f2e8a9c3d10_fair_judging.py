"""fair judging: declared conflicts of interest, recusals, how a round decides winners

Revision ID: 5f2e8a9c3d10
Revises: 5c8e1f3a9b27
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5f2e8a9c3d10"
down_revision: str | None = "5c8e1f3a9b27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "judge_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenge.id"], name=op.f("fk_judge_conflict_challenge_id_challenge")
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["user.id"], name=op.f("fk_judge_conflict_judge_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judge_conflict")),
        sa.UniqueConstraint(
            "challenge_id",
            "judge_id",
            "kind",
            "target_id",
            name=op.f("uq_judge_conflict_challenge_id_judge_id_kind_target_id"),
        ),
    )
    with op.batch_alter_table("judge_conflict") as batch:
        batch.create_index(batch.f("ix_judge_conflict_challenge_id"), ["challenge_id"])
        batch.create_index(batch.f("ix_judge_conflict_judge_id"), ["judge_id"])

    with op.batch_alter_table("assignment") as batch:
        batch.add_column(sa.Column("recused_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("recusal_reason", sa.String(length=300), nullable=False, server_default="")
        )
    # Rounds that exist already keep deciding by the raw mean, as awards did until now.
    with op.batch_alter_table("judging_round") as batch:
        batch.add_column(
            sa.Column(
                "aggregation", sa.String(length=20), nullable=False, server_default="raw_mean"
            )
        )
    # SQLite would rebuild the table for this (reflecting its neighbours' expression indexes):
    # there the harmless default stays.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("assignment", "recusal_reason", server_default=None)
        op.alter_column("judging_round", "aggregation", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("judging_round") as batch:
        batch.drop_column("aggregation")
    with op.batch_alter_table("assignment") as batch:
        batch.drop_column("recusal_reason")
        batch.drop_column("recused_at")
    with op.batch_alter_table("judge_conflict") as batch:
        batch.drop_index(batch.f("ix_judge_conflict_judge_id"))
        batch.drop_index(batch.f("ix_judge_conflict_challenge_id"))
    op.drop_table("judge_conflict")
