"""challenge rules, team size, eligibility, cover, editions; promoted teams and projects

Revision ID: 5e2b9c7d1f04
Revises: 8c41f0d2b6a7
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2b9c7d1f04"
down_revision: str | None = "8c41f0d2b6a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("challenge") as batch:
        batch.add_column(sa.Column("rules", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("team_size_min", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(
            sa.Column("team_size_max", sa.Integer(), nullable=False, server_default="40")
        )
        batch.add_column(
            sa.Column("eligibility", sa.String(length=20), nullable=False, server_default="open")
        )
        batch.add_column(sa.Column("cover_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("previous_edition_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_challenge_previous_edition_id_challenge"),
            "challenge",
            ["previous_edition_id"],
            ["id"],
        )
    with op.batch_alter_table("challenge") as batch:
        for name in ("rules", "team_size_min", "team_size_max", "eligibility"):
            batch.alter_column(name, server_default=None)
    # Plain ADD COLUMN ... REFERENCES: a batch on SQLite would copy the table and lose its
    # expression index (lower(name)), which SQLite cannot reflect.
    _add_reference("team", "promoted_from_id", "team")
    _add_reference("project", "previous_project_id", "project")


def _add_reference(table: str, column: str, target: str) -> None:
    name = f"fk_{table}_{column}_{target}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER"
            f" CONSTRAINT {name} REFERENCES {target} (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(name), table, target, [column], ["id"])


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place, its reference with it.
    for table, column in (("project", "previous_project_id"), ("team", "promoted_from_id")):
        if op.get_bind().dialect.name != "sqlite":
            op.drop_constraint(op.f(f"fk_{table}_{column}_{table}"), table, type_="foreignkey")
        op.drop_column(table, column)
    with op.batch_alter_table("challenge") as batch:
        batch.drop_constraint(
            batch.f("fk_challenge_previous_edition_id_challenge"), type_="foreignkey"
        )
        for name in (
            "archived_at",
            "previous_edition_id",
            "cover_key",
            "eligibility",
            "team_size_max",
            "team_size_min",
            "rules",
        ):
            batch.drop_column(name)
