"""rubric and round settings: independent criteria, mandatory comments, per-track rubrics,
rounds' dates, projects, visibility and feedback for teams

Revision ID: e7a3c5b9d1f2
Revises: d5a8c3e7f912
Create Date: 2026-12-10 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e7a3c5b9d1f2"
down_revision: str | None = "d5a8c3e7f912"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULTED = (
    ("rubric", "comment_required"),
    ("criterion", "independent"),
    ("judging_round", "scope"),
    ("judging_round", "others_scores"),
    ("judging_round", "hide_team_names"),
    ("judging_round", "team_feedback"),
)


def upgrade() -> None:
    with op.batch_alter_table("rubric") as batch:
        batch.add_column(
            sa.Column("comment_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("criterion") as batch:
        batch.add_column(
            sa.Column("independent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("judging_round") as batch:
        batch.add_column(sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("open_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("scope", sa.String(length=20), nullable=False, server_default="all")
        )
        batch.add_column(sa.Column("scope_track_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("shortlist_round_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("shortlist_size", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("others_scores", sa.String(length=20), nullable=False, server_default="never")
        )
        batch.add_column(
            sa.Column("hide_team_names", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("team_feedback", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key(
            batch.f("fk_judging_round_scope_track_id_track"), "track", ["scope_track_id"], ["id"]
        )
        batch.create_foreign_key(
            batch.f("fk_judging_round_shortlist_round_id_judging_round"),
            "judging_round",
            ["shortlist_round_id"],
            ["id"],
        )
    if op.get_bind().dialect.name != "sqlite":
        for table, column in DEFAULTED:
            op.alter_column(table, column, server_default=None)
    op.create_table(
        "track_rubric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["judging_round.id"], name=op.f("fk_track_rubric_round_id_judging_round")
        ),
        sa.ForeignKeyConstraint(
            ["track_id"], ["track.id"], name=op.f("fk_track_rubric_track_id_track")
        ),
        sa.ForeignKeyConstraint(
            ["rubric_id"], ["rubric.id"], name=op.f("fk_track_rubric_rubric_id_rubric")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_rubric")),
        sa.UniqueConstraint(
            "round_id", "track_id", name=op.f("uq_track_rubric_round_id_track_id")
        ),
    )
    op.create_index(op.f("ix_track_rubric_round_id"), "track_rubric", ["round_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_track_rubric_round_id"), table_name="track_rubric")
    op.drop_table("track_rubric")
    with op.batch_alter_table("judging_round") as batch:
        batch.drop_constraint(
            batch.f("fk_judging_round_shortlist_round_id_judging_round"), type_="foreignkey"
        )
        batch.drop_constraint(batch.f("fk_judging_round_scope_track_id_track"), type_="foreignkey")
        for column in (
            "team_feedback",
            "hide_team_names",
            "others_scores",
            "shortlist_size",
            "shortlist_round_id",
            "scope_track_id",
            "scope",
            "open_failed_at",
            "closes_at",
            "opens_at",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("criterion") as batch:
        batch.drop_column("independent")
    with op.batch_alter_table("rubric") as batch:
        batch.drop_column("comment_required")
