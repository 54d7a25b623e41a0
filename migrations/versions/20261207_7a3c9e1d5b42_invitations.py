"""invitations: organisers invite people to a role in a challenge by e-mail

Revision ID: 7a3c9e1d5b42
Revises: 5f2e8a9c3d10
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3c9e1d5b42"
down_revision: str | None = "5f2e8a9c3d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("invited_by", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenge.id"], name=op.f("fk_invitation_challenge_id_challenge")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"], ["sponsor.id"], name=op.f("fk_invitation_sponsor_id_sponsor")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["user.id"], name=op.f("fk_invitation_invited_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by"], ["user.id"], name=op.f("fk_invitation_accepted_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint(
            "challenge_id",
            "email",
            "open_key",
            name=op.f("uq_invitation_challenge_id_email_open_key"),
        ),
    )
    with op.batch_alter_table("invitation") as batch:
        batch.create_index(batch.f("ix_invitation_challenge_id"), ["challenge_id"])


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_index(batch.f("ix_invitation_challenge_id"))
    op.drop_table("invitation")
