"""notifications: who was told what (once per kind, subject and person), and opt-outs

Revision ID: 7a3c9d2e4b61
Revises: 7a3c9e1d5b42
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3c9d2e4b61"
down_revision: str | None = "7a3c9e1d5b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=True),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"], ["challenge.id"], name=op.f("fk_notification_challenge_id_challenge")
        ),
        sa.ForeignKeyConstraint(
            ["mail_id"], ["outgoing_mail.id"], name=op.f("fk_notification_mail_id_outgoing_mail")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint(
            "kind", "subject_id", "user_id", name=op.f("uq_notification_kind_subject_id_user_id")
        ),
    )
    with op.batch_alter_table("notification") as batch:
        batch.create_index(batch.f("ix_notification_challenge_id"), ["challenge_id"])
        batch.create_index(batch.f("ix_notification_user_id"), ["user_id"])
    op.create_table(
        "notification_opt_out",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_opt_out_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_opt_out")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_opt_out_user_id_kind")),
    )
    with op.batch_alter_table("notification_opt_out") as batch:
        batch.create_index(batch.f("ix_notification_opt_out_user_id"), ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("notification_opt_out") as batch:
        batch.drop_index(batch.f("ix_notification_opt_out_user_id"))
    op.drop_table("notification_opt_out")
    with op.batch_alter_table("notification") as batch:
        batch.drop_index(batch.f("ix_notification_user_id"))
        batch.drop_index(batch.f("ix_notification_challenge_id"))
    op.drop_table("notification")
