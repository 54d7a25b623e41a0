"""indexes for the hot queries at 5,000 projects (tests/database/test_indexes.py)

Revision ID: 4d2a8f6c1e93
Revises: 9e5a7b1d3f64
Create Date: 2026-12-08 07:00:00

- project.previous_project_id: the project page asks whether a later edition took the
  project on (EXISTS ... WHERE previous_project_id = ?), which read every project;
- audit_entry (challenge_id, at, id): a challenge's audit page and dashboard read its
  latest entries in that order; the index on `at` alone walked every challenge's entries;
- notification (challenge_id, id): the same for a challenge's notification log.

The two composite indexes begin with challenge_id, so they replace the indexes on
challenge_id alone (one index less to write per audit entry and notification).

Plain CREATE INDEX works on SQLite and PostgreSQL alike (no batch mode needed).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4d2a8f6c1e93"
down_revision: str | None = "9e5a7b1d3f64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_project_previous_project_id"), "project", ["previous_project_id"], unique=False
    )
    op.create_index(
        "ix_audit_entry_challenge_id_at_id",
        "audit_entry",
        ["challenge_id", "at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_notification_challenge_id_id", "notification", ["challenge_id", "id"], unique=False
    )
    op.drop_index("ix_audit_entry_challenge_id", table_name="audit_entry")
    op.drop_index("ix_notification_challenge_id", table_name="notification")


def downgrade() -> None:
    op.create_index("ix_notification_challenge_id", "notification", ["challenge_id"], unique=False)
    op.create_index("ix_audit_entry_challenge_id", "audit_entry", ["challenge_id"], unique=False)
    op.drop_index("ix_notification_challenge_id_id", table_name="notification")
    op.drop_index("ix_audit_entry_challenge_id_at_id", table_name="audit_entry")
    op.drop_index(op.f("ix_project_previous_project_id"), table_name="project")
