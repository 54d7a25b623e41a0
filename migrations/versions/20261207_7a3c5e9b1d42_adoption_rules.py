"""adoption rules per challenge: one godmother or several, a quota per sponsor, organiser
confirmation; auto-declined offers and refusals

Revision ID: 7a3c5e9b1d42
Revises: 7a3c9d2e4b61
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3c5e9b1d42"
down_revision: str | None = "7a3c9d2e4b61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "adoption_rules",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("single_godmother", sa.Boolean(), nullable=False),
        sa.Column("max_projects_per_sponsor", sa.Integer(), nullable=True),
        sa.Column("organiser_confirms", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_adoption_rules_challenge_id_challenge"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["user.id"], name=op.f("fk_adoption_rules_updated_by_user")
        ),
        sa.PrimaryKeyConstraint("challenge_id", name=op.f("pk_adoption_rules")),
    )
    # Plain ADD COLUMN (no batch): on SQLite a batch would copy the table, reflecting its
    # neighbours, whose expression indexes SQLite cannot reflect.
    op.add_column(
        "adoption",
        sa.Column(
            "declined_automatically", sa.Boolean(), nullable=False, server_default=sa.false()
        ),
    )
    op.add_column(
        "adoption", sa.Column("reason", sa.String(length=500), nullable=False, server_default="")
    )
    op.add_column("adoption", sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    name = "fk_adoption_confirmed_by_user"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE adoption ADD COLUMN confirmed_by INTEGER"
            f' CONSTRAINT {name} REFERENCES "user" (id)'
        )
    else:
        op.add_column("adoption", sa.Column("confirmed_by", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(name), "adoption", "user", ["confirmed_by"], ["id"])
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("adoption", "declined_automatically", server_default=None)
        op.alter_column("adoption", "reason", server_default=None)


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place, its reference with it.
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_adoption_confirmed_by_user"), "adoption", type_="foreignkey")
    for column in ("confirmed_by", "confirmed_at", "reason", "declined_automatically"):
        op.drop_column("adoption", column)
    op.drop_table("adoption_rules")
