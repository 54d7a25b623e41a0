"""people's-choice vote: one ballot per verified address per public-vote round, and the
kind of an award (the jury's or the public's)

Revision ID: e7a4c2b9d615
Revises: e7a3c5b9d1f2
Create Date: 2026-12-10 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a4c2b9d615"
down_revision: str | None = "e7a3c5b9d1f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): see 7a3c5e9b1d42.
    op.add_column(
        "award", sa.Column("kind", sa.String(length=20), nullable=False, server_default="jury")
    )
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("award", "kind", server_default=None)
    op.create_table(
        "public_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("pending_project_id", sa.Integer(), nullable=True),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("new_voter", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["judging_round.id"], name=op.f("fk_public_vote_round_id_judging_round")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_public_vote_user_id_user")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_public_vote_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["pending_project_id"],
            ["project.id"],
            name=op.f("fk_public_vote_pending_project_id_project"),
        ),
        sa.ForeignKeyConstraint(
            ["voided_by"], ["user.id"], name=op.f("fk_public_vote_voided_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_vote")),
        sa.UniqueConstraint("round_id", "email", name=op.f("uq_public_vote_round_id_email")),
    )
    op.create_index(op.f("ix_public_vote_round_id"), "public_vote", ["round_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_public_vote_round_id"), table_name="public_vote")
    op.drop_table("public_vote")
    op.drop_column("award", "kind")
