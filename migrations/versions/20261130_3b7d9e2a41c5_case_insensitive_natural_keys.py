"""case-insensitive natural keys: track and team names, institutions

Revision ID: 3b7d9e2a41c5
Revises: 71c3215f786b
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b7d9e2a41c5"
down_revision: str | None = "71c3215f786b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The services look names up whatever their case; the database now holds them to it,
    # so two requests at once cannot add "Acqua" and "acqua" to one challenge.
    op.create_index(
        "uq_track_challenge_id_lower_name",
        "track",
        ["challenge_id", sa.text("lower(name)")],
        unique=True,
    )
    op.create_index(
        "uq_team_challenge_id_lower_name",
        "team",
        ["challenge_id", sa.text("lower(name)")],
        unique=True,
    )
    op.create_index(
        "uq_institution_lower_name_lower_city",
        "institution",
        [sa.text("lower(name)"), sa.text("lower(city)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_institution_lower_name_lower_city", table_name="institution")
    op.drop_index("uq_team_challenge_id_lower_name", table_name="team")
    op.drop_index("uq_track_challenge_id_lower_name", table_name="track")
