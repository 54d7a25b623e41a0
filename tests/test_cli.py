from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from app import cli, demo
from app.accounts import queries as accounts_queries
from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.config import ROOT, ConfigError, Settings, load_settings
from app.events.models import AuditEntry
from app.web import services
from tests.factories import PASSWORD, Actors

SETTING_NAMES = ("ENVIRONMENT", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BASE_URL")
GOOD_SECRET = "a-production-secret-that-is-long-enough-0123456789"


def _in_production(settings: Settings) -> Settings:
    return settings.model_copy(update={"environment": "production"})


async def _seed(app: Starlette) -> None:
    assert await demo.seed(services(app).db, settings=app.state.settings)


def _madrina(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command in a child process (it calls asyncio.run, so not in our loop)."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _clean_env(**settings: str) -> dict[str, str]:
    """This environment without Madrina's settings, running the code under test."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return {**env, "PYTHONPATH": str(ROOT), **settings}


@pytest.fixture
def no_settings_in_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """load_settings() sees only what a test sets (and no .env file)."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


async def test_refuses_to_start_in_production_with_demo_passwords(app: Starlette) -> None:
    await _seed(app)

    with pytest.raises(SystemExit) as refused:
        await asyncio.to_thread(cli._refuse_demo_passwords, _in_production(app.state.settings))

    assert "demo" in str(refused.value.code)


async def test_starts_in_production_without_demo_accounts(app: Starlette) -> None:
    await asyncio.to_thread(cli._refuse_demo_passwords, _in_production(app.state.settings))


async def test_starts_in_development_with_demo_passwords(app: Starlette) -> None:
    await _seed(app)
    development = app.state.settings.model_copy(update={"environment": "development"})

    await asyncio.to_thread(cli._refuse_demo_passwords, development)


async def test_madrina_serve_exits_in_production_with_demo_passwords(
    app: Starlette, tmp_path: Path
) -> None:
    await _seed(app)
    settings: Settings = app.state.settings
    env = _clean_env(
        ENVIRONMENT="production",
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        SECRET_KEY=GOOD_SECRET,
    )

    result = await asyncio.to_thread(
        _madrina, "serve", "--host", "127.0.0.1", "--port", "0", env=env, cwd=tmp_path
    )

    assert result.returncode == 1
    assert "refusing to start" in result.stderr


async def test_madrina_exits_with_the_setting_named_when_config_is_malformed(
    tmp_path: Path,
) -> None:
    env = _clean_env(DATABASE_URL="mysql://madrina@localhost/madrina")

    result = await asyncio.to_thread(_madrina, "migrate", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_database_url_is_a_config_error(no_settings_in_env: pytest.MonkeyPatch) -> None:
    no_settings_in_env.setenv("DATABASE_URL", "mysql://madrina@localhost/madrina")

    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings()


def test_malformed_redis_url_is_a_config_error(no_settings_in_env: pytest.MonkeyPatch) -> None:
    no_settings_in_env.setenv("REDIS_URL", "localhost:6379")

    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_settings()


def test_short_secret_key_is_a_config_error(no_settings_in_env: pytest.MonkeyPatch) -> None:
    no_settings_in_env.setenv("SECRET_KEY", "too-short")

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()


def test_production_without_secret_key_is_a_config_error(
    no_settings_in_env: pytest.MonkeyPatch,
) -> None:
    no_settings_in_env.setenv("ENVIRONMENT", "production")

    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        load_settings()


def test_postgres_url_gets_the_async_driver(no_settings_in_env: pytest.MonkeyPatch) -> None:
    no_settings_in_env.setenv("DATABASE_URL", "postgresql://madrina:pw@db:5432/madrina")
    no_settings_in_env.setenv("ENVIRONMENT", "production")
    no_settings_in_env.setenv("SECRET_KEY", GOOD_SECRET)

    settings = load_settings()

    assert settings.database_url == "postgresql+asyncpg://madrina:pw@db:5432/madrina"
    assert settings.environment == "production"


async def _admin_env(app: Starlette, password: str) -> dict[str, str]:
    settings: Settings = app.state.settings
    return _clean_env(
        DATABASE_URL=settings.database_url,
        REDIS_URL=settings.redis_url,
        MADRINA_ADMIN_PASSWORD=password,
    )


async def _account(app: Starlette, email: str) -> User | None:
    async with services(app).db.read() as session:
        return await accounts_queries.user_by_email(session, email)


async def test_create_admin_refuses_an_address_someone_already_registered(
    app: Starlette, actors: Actors, tmp_path: Path
) -> None:
    stranger = await actors.user(email="admin@comune.example")
    env = await _admin_env(app, "operator-chosen-password")

    result = await asyncio.to_thread(
        _madrina, "create-admin", "admin@comune.example", env=env, cwd=tmp_path
    )

    assert result.returncode == 1
    assert "--promote-existing" in result.stderr
    account = await _account(app, "admin@comune.example")
    assert account is not None and not account.is_admin
    assert account.password_hash == stranger.password_hash


async def test_create_admin_promoting_an_account_sets_the_operators_password(
    app: Starlette, actors: Actors, tmp_path: Path
) -> None:
    stranger = await actors.user(email="admin@comune.example")
    async with await actors.client(stranger) as browser:
        assert (await browser.get("/account")).status_code == 200
        env = await _admin_env(app, "operator-chosen-password")

        result = await asyncio.to_thread(
            _madrina,
            "create-admin",
            "admin@comune.example",
            "--promote-existing",
            env=env,
            cwd=tmp_path,
        )
        after = await browser.get("/account")

    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr
    account = await _account(app, "admin@comune.example")
    assert account is not None and account.is_admin
    assert await verify_password(account.password_hash, "operator-chosen-password")
    assert not await verify_password(account.password_hash, PASSWORD)
    assert after.status_code == 303  # the stranger's login ended
    async with services(app).db.read() as session:
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert "user.made_admin" in actions


async def test_create_admin_makes_a_new_administrator(app: Starlette, tmp_path: Path) -> None:
    env = await _admin_env(app, "operator-chosen-password")

    result = await asyncio.to_thread(
        _madrina, "create-admin", "ada@madrina.example", "--name", "Ada", env=env, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    account = await _account(app, "ada@madrina.example")
    assert account is not None and account.is_admin and account.name == "Ada"
