"""richer adoption offers: internship period, materials, contact person, the team's answer,
and every version of an offer

Revision ID: 8d4f6a0c2e53
Revises: 7a3c5e9b1d42
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d4f6a0c2e53"
down_revision: str | None = "7a3c5e9b1d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = (("materials", 1000), ("contact_person", 200), ("team_message", 2000))


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): see 7a3c5e9b1d42.
    op.add_column("adoption", sa.Column("internship_from", sa.Date(), nullable=True))
    op.add_column("adoption", sa.Column("internship_until", sa.Date(), nullable=True))
    for name, length in TEXTS:
        op.add_column(
            "adoption",
            sa.Column(name, sa.String(length=length), nullable=False, server_default=""),
        )
    op.add_column(
        "adoption", sa.Column("version", sa.Integer(), nullable=False, server_default="1")
    )
    if op.get_bind().dialect.name != "sqlite":
        for name in (*(n for n, _ in TEXTS), "version"):
            op.alter_column("adoption", name, server_default=None)
    op.create_table(
        "adoption_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adoption_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("mentoring_hours", sa.Integer(), nullable=False),
        sa.Column("internships", sa.Integer(), nullable=False),
        sa.Column("funding_eur", sa.Integer(), nullable=False),
        sa.Column("internship_from", sa.Date(), nullable=True),
        sa.Column("internship_until", sa.Date(), nullable=True),
        sa.Column("materials", sa.String(length=1000), nullable=False),
        sa.Column("contact_person", sa.String(length=200), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["adoption_id"], ["adoption.id"], name=op.f("fk_adoption_version_adoption_id_adoption")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_adoption_version_created_by_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adoption_version")),
        sa.UniqueConstraint(
            "adoption_id", "version", name=op.f("uq_adoption_version_adoption_id_version")
        ),
    )
    op.create_index(
        op.f("ix_adoption_version_adoption_id"), "adoption_version", ["adoption_id"]
    )
    # Offers made before this revision are their own first version.
    op.execute(
        "INSERT INTO adoption_version (adoption_id, version, mentoring_hours, internships,"
        " funding_eur, materials, contact_person, message, created_by, created_at)"
        " SELECT id, 1, mentoring_hours, internships, funding_eur, '', '', message,"
        " proposed_by, proposed_at FROM adoption"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_adoption_version_adoption_id"), table_name="adoption_version")
    op.drop_table("adoption_version")
    for name in ("version", "team_message", "contact_person", "materials"):
        op.drop_column("adoption", name)
    op.drop_column("adoption", "internship_until")
    op.drop_column("adoption", "internship_from")
