"""a company's shortlist and private notes; what an adopting company sees of each member

Revision ID: d5a8c3e7f912
Revises: e7a3c5b9d102
Create Date: 2026-12-10 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5a8c3e7f912"
down_revision: str | None = "e7a3c5b9d102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sponsor_shortlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["sponsor.id"], name=op.f("fk_sponsor_shortlist_sponsor_id_sponsor")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_sponsor_shortlist_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["user.id"], name=op.f("fk_sponsor_shortlist_added_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_shortlist")),
        sa.UniqueConstraint(
            "sponsor_id", "project_id", name=op.f("uq_sponsor_shortlist_sponsor_id_project_id")
        ),
    )
    op.create_index(op.f("ix_sponsor_shortlist_sponsor_id"), "sponsor_shortlist", ["sponsor_id"])
    op.create_index(op.f("ix_sponsor_shortlist_project_id"), "sponsor_shortlist", ["project_id"])
    op.create_table(
        "sponsor_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("written_by", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["sponsor.id"], name=op.f("fk_sponsor_note_sponsor_id_sponsor")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_sponsor_note_project_id_project")
        ),
        sa.ForeignKeyConstraint(
            ["written_by"], ["user.id"], name=op.f("fk_sponsor_note_written_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sponsor_note")),
    )
    op.create_index(op.f("ix_sponsor_note_sponsor_id"), "sponsor_note", ["sponsor_id"])
    op.create_index(op.f("ix_sponsor_note_project_id"), "sponsor_note", ["project_id"])
    op.create_table(
        "member_sponsor_consent",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("shows", sa.String(length=20), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        # A member the coach takes out of the team takes their consent along.
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["team_member.id"],
            name=op.f("fk_member_sponsor_consent_member_id_team_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["user.id"], name=op.f("fk_member_sponsor_consent_set_by_user")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_sponsor_consent")),
    )


def downgrade() -> None:
    op.drop_table("member_sponsor_consent")
    op.drop_index(op.f("ix_sponsor_note_project_id"), table_name="sponsor_note")
    op.drop_index(op.f("ix_sponsor_note_sponsor_id"), table_name="sponsor_note")
    op.drop_table("sponsor_note")
    op.drop_index(op.f("ix_sponsor_shortlist_project_id"), table_name="sponsor_shortlist")
    op.drop_index(op.f("ix_sponsor_shortlist_sponsor_id"), table_name="sponsor_shortlist")
    op.drop_table("sponsor_shortlist")
