"""invitations: a representative invites a colleague to the whole company

Revision ID: 4c8e1a7f9d23
Revises: d2e8f4a6b1c3
Create Date: 2026-12-11 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4c8e1a7f9d23"
down_revision: str | None = "d2e8f4a6b1c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN with its reference inline (no batch): see 7a3c5e9b1d42.
    op.add_column(
        "invitation",
        sa.Column(
            "company_id",
            sa.Integer(),
            sa.ForeignKey("company.id", name="fk_invitation_company_id_company"),
            nullable=True,
        ),
        inline_references=True,
    )
    op.create_index("ix_invitation_company_id", "invitation", ["company_id"])


def downgrade() -> None:
    op.drop_index("ix_invitation_company_id", table_name="invitation")
    with op.batch_alter_table("invitation") as batch:
        batch.drop_constraint("fk_invitation_company_id_company", type_="foreignkey")
        batch.drop_column("company_id")
