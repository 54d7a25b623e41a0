"""The migration that makes sponsor organisations: every existing sponsor row joins one
company per distinct name (whatever its case), which takes the representatives of its rows.
Run on a scratch database of the backend under test (a SQLite file, or a PostgreSQL
database made for it next to the test one)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.accounts.models import User
from app.challenges.models import Challenge
from app.db import utcnow
from app.migrate import alembic_config

REVISION = "d2e8f4a6b1c3"


def _scratch_url(tmp_path: Path) -> tuple[str, str | None]:
    """The scratch database's URL, and the server's URL to drop it from (PostgreSQL)."""
    wanted = os.environ.get("DATABASE_URL", "")
    if not wanted.startswith("postgres"):
        return f"sqlite+aiosqlite:///{tmp_path / 'migration.db'}", None
    url = make_url("postgresql+asyncpg://" + wanted.split("://", 1)[1])
    scratch = url.set(database=f"{url.database}_companies")
    return scratch.render_as_string(hide_password=False), url.render_as_string(hide_password=False)


async def _run(url: str, statements: list[Any], *, autocommit: bool = False) -> list[Any]:
    engine = create_async_engine(
        url,
        isolation_level="AUTOCOMMIT" if autocommit else None,
    )
    rows: list[Any] = []
    try:
        async with engine.begin() as connection:
            for statement in statements:
                result = await connection.execute(statement)
                rows.append(result.all() if result.returns_rows else None)
    finally:
        await engine.dispose()
    return rows


def _user(n: int) -> dict[str, Any]:
    return User(name=f"Rep {n}", email=f"rep{n}@example.org", password_hash="x").model_dump(
        exclude={"id"}
    )


def _challenge(n: int) -> dict[str, Any]:
    return Challenge(slug=f"c-{n}", title=f"Climathon {n}").model_dump(exclude={"id"})


def _sponsor(challenge_id: int, name: str, website: str = "") -> dict[str, Any]:
    return {
        "challenge_id": challenge_id,
        "name": name,
        "website": website,
        "description": "",
        "created_at": utcnow(),
    }


def test_existing_sponsors_become_one_company_per_name(tmp_path: Path) -> None:
    url, server = _scratch_url(tmp_path)
    name = make_url(url).database
    if server is not None:
        drop_and_create = [
            text(f'DROP DATABASE IF EXISTS "{name}"'),
            text(f'CREATE DATABASE "{name}"'),
        ]
        asyncio.run(_run(server, drop_and_create, autocommit=True))
    config = alembic_config(url)
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    try:
        command.upgrade(config, before)
        sponsor_t = text(
            "INSERT INTO sponsor (challenge_id, name, website, description, created_at)"
            " VALUES (:challenge_id, :name, :website, :description, :created_at)"
        )
        asyncio.run(
            _run(
                url,
                [
                    insert(User.__table__).values([_user(1), _user(2)]),  # type: ignore[attr-defined]
                    insert(Challenge.__table__).values([_challenge(1), _challenge(2)]),  # type: ignore[attr-defined]
                    sponsor_t.bindparams(**_sponsor(1, "Acme S.p.A.", "https://acme.example")),
                    sponsor_t.bindparams(**_sponsor(1, "Beta S.r.l.")),
                    sponsor_t.bindparams(**_sponsor(2, "ACME s.p.a.")),
                    text(
                        "INSERT INTO sponsor_representative (sponsor_id, user_id)"
                        " VALUES (1, 1), (3, 1), (3, 2), (2, 2)"
                    ),
                ],
            )
        )

        command.upgrade(config, REVISION)

        companies, sponsors, reps = asyncio.run(
            _run(
                url,
                [
                    text("SELECT id, name, website FROM company ORDER BY id"),
                    text("SELECT id, company_id FROM sponsor ORDER BY id"),
                    text(
                        "SELECT company_id, user_id FROM company_representative"
                        " ORDER BY company_id, user_id"
                    ),
                ],
            )
        )
        assert [tuple(row) for row in companies] == [
            (1, "Acme S.p.A.", "https://acme.example"),
            (2, "Beta S.r.l.", ""),
        ]
        assert [tuple(row) for row in sponsors] == [(1, 1), (2, 2), (3, 1)]
        assert [tuple(row) for row in reps] == [(1, 1), (1, 2), (2, 2)]

        command.downgrade(config, before)
        (tables,) = asyncio.run(
            _run(
                url,
                [
                    text(
                        "SELECT name FROM sqlite_master WHERE name = 'company'"
                        if server is None
                        else "SELECT tablename FROM pg_tables WHERE tablename = 'company'"
                    )
                ],
            )
        )
        assert tables == []
    finally:
        if server is not None:
            asyncio.run(_run(server, [text(f'DROP DATABASE IF EXISTS "{name}"')], autocommit=True))
