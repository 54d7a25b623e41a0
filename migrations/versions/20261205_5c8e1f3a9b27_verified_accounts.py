"""verified accounts: confirmed addresses, single-use links, two-factor, the mail outbox

Revision ID: 5c8e1f3a9b27
Revises: 5e2b9c7d1f04
Create Date: 2026-12-05 09:00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c8e1f3a9b27"
down_revision: str | None = "5e2b9c7d1f04"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Accounts made before this are unconfirmed: nobody ever proved their address. They keep
    # the roles they hold; a new one waits until the owner opens a link (account page).
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column(
                "link_nonce",
                sa.String(length=32),
                nullable=False,
                server_default=secrets.token_hex(16),
            )
        )
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("totp_last_step", sa.Integer(), nullable=False, server_default="0")
        )
    # Each account its own nonce (the default above only fills the existing rows).
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("link_nonce", sa.String))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            user.update().where(user.c.id == user_id).values(link_nonce=secrets.token_hex(16))
        )
    with op.batch_alter_table("user") as batch:
        batch.alter_column("link_nonce", server_default=None)
        batch.alter_column("totp_last_step", server_default=None)

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_recovery_code_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_code_code_hash")),
    )
    op.create_index(
        op.f("ix_recovery_code_user_id"), "recovery_code", ["user_id"], unique=False
    )

    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transport", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
        sa.UniqueConstraint("key", name=op.f("uq_outgoing_mail_key")),
    )
    op.create_index(
        op.f("ix_outgoing_mail_created_at"), "outgoing_mail", ["created_at"], unique=False
    )
    op.create_index(op.f("ix_outgoing_mail_sent_at"), "outgoing_mail", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outgoing_mail_sent_at"), table_name="outgoing_mail")
    op.drop_index(op.f("ix_outgoing_mail_created_at"), table_name="outgoing_mail")
    op.drop_table("outgoing_mail")
    op.drop_index(op.f("ix_recovery_code_user_id"), table_name="recovery_code")
    op.drop_table("recovery_code")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_secret")
        batch.drop_column("link_nonce")
        batch.drop_column("email_verified_at")
