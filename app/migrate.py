"""Running Alembic from code (for `madrina migrate`, `make run` and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.config import ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    """Bring the schema to the newest revision. Call from sync code (it runs its own loop)."""
    command.upgrade(alembic_config(database_url), "head")
