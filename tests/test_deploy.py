"""docker-compose.yml and Dockerfile as documented (no Docker engine here, so by structure),
and their healthcheck scripts run for real against the app and a worker."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml
from starlette.applications import Starlette

from app.config import ROOT, Settings
from app.jobs import WORKER_HEALTH_KEY
from app.web import services
from workers.main import build_worker

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
SERVE = "madrina serve --host 0.0.0.0 --workers 2"
_VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} substitution."""

    def substitute(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise LookupError(rest)
        return rest or ""

    return _VARIABLE.sub(substitute, value)


def _environment(service: str, env: dict[str, str]) -> dict[str, str]:
    raw: dict[str, Any] = SERVICES[service]["environment"]
    return {key: _interpolate(str(value), env) for key, value in raw.items()}


def _script(service: str) -> str:
    test = SERVICES[service]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    return str(test[3])


def test_compose_has_the_documented_services_and_images() -> None:
    assert set(SERVICES) == {"app", "worker", "postgres", "redis", "mailpit"}
    assert SERVICES["postgres"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    assert SERVICES["mailpit"]["image"] == "axllent/mailpit"
    assert SERVICES["app"]["build"] == SERVICES["worker"]["build"] == "."
    assert SERVICES["app"]["image"] == SERVICES["worker"]["image"]


def test_app_migrates_then_serves_and_worker_works() -> None:
    app_command = " ".join(SERVICES["app"]["command"])

    assert app_command.index("madrina migrate") < app_command.index(SERVE)
    assert "&&" in app_command and "exec " + SERVE in app_command
    assert SERVICES["worker"]["command"] == ["madrina", "worker"]
    assert "8000:8000" in SERVICES["app"]["ports"]


def test_app_and_worker_share_settings_that_the_app_accepts() -> None:
    secrets = {"SECRET_KEY": "s" * 48, "POSTGRES_PASSWORD": "pg-secret"}
    app_env = _environment("app", secrets)

    assert app_env == _environment("worker", secrets)
    assert app_env["ENVIRONMENT"] == "production"
    assert app_env["SECRET_KEY"] == "s" * 48
    assert app_env["SMTP_HOST"] == "mailpit" and app_env["SMTP_PORT"] == "1025"
    assert app_env["DATABASE_URL"] == "postgresql://madrina:pg-secret@postgres:5432/madrina"
    assert app_env["REDIS_URL"].startswith("redis://redis:6379/")
    settings = Settings(
        **{k.lower(): v for k, v in app_env.items() if k != "FORWARDED_ALLOW_IPS"},
        _env_file=None,  # type: ignore[call-arg]
    )
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.storage_dir == Path("/data/storage")
    unknown = {k for k in app_env if k.lower() not in Settings.model_fields}
    assert unknown == {"FORWARDED_ALLOW_IPS"}  # read by uvicorn itself


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_compose_refuses_to_start_without_secrets(missing: str) -> None:
    secrets = {"SECRET_KEY": "s" * 48, "POSTGRES_PASSWORD": "pg-secret"}
    del secrets[missing]

    with pytest.raises(LookupError, match=f"set {missing}"):
        _environment("app", secrets)


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies() -> None:
    for name, service in SERVICES.items():
        assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}, name
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)
            assert "healthcheck" in SERVICES[dependency]
    assert set(SERVICES["app"]["depends_on"]) == {"postgres", "redis", "mailpit"}
    assert set(SERVICES["worker"]["depends_on"]) == {"app", "redis"}


def test_storage_and_postgres_data_live_in_named_volumes() -> None:
    assert set(COMPOSE["volumes"]) == {"storage", "pgdata"}
    assert "storage:/data/storage" in SERVICES["app"]["volumes"]
    assert "storage:/data/storage" in SERVICES["worker"]["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]


def test_dockerfile_builds_the_documented_image() -> None:
    instructions = [line.split(None, 1) for line in DOCKERFILE.splitlines() if line[:1].isupper()]
    first = {keyword: rest for keyword, rest in reversed(instructions)}

    assert first["FROM"] == "python:3.11-slim-bookworm"
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-dejavu-core"):
        assert package in DOCKERFILE
    assert "pip install --no-deps -e ." in DOCKERFILE
    user = next(rest for keyword, rest in reversed(instructions) if keyword == "USER")
    assert user.strip() not in {"root", "0"}
    cmd = next(rest for keyword, rest in reversed(instructions) if keyword == "CMD")
    assert json.loads(cmd) == shlex.split(SERVE)


def test_dockerfile_copies_only_what_exists_and_dockerignore_keeps_local_state_out() -> None:
    copied = [
        source
        for line in DOCKERFILE.splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
    ]
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert copied and all((ROOT / source).exists() for source in copied)
    assert {".venv", "var", ".git", ".env", "tests"} <= ignored
    assert not any(source in ignored for source in copied)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _python(script: str, **env: str) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, env=env, stdout=asyncio.subprocess.DEVNULL
    )
    return await asyncio.wait_for(process.wait(), timeout=30)


async def test_app_healthcheck_passes_while_the_app_reaches_its_database(app: Starlette) -> None:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, port=port, lifespan="off", ws="none", http="h11", log_level="error")
    )
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        script = _script("app").replace("127.0.0.1:8000", f"127.0.0.1:{port}")

        assert await _python(script) == 0  # /healthz is 503 (no worker) but the app is up
    finally:
        server.should_exit = True
        await serving
    assert await _python(script) != 0  # nobody answers


async def test_worker_healthcheck_follows_a_running_worker(app: Starlette) -> None:
    settings: Settings = app.state.settings
    script = _script("worker")

    assert await _python(script, REDIS_URL=settings.redis_url) == 1

    worker = build_worker(settings, settings.redis_url, handle_signals=False, poll_delay=0.05)
    running = asyncio.create_task(worker.async_run())
    try:
        for _ in range(100):
            if await services(app).redis.exists(WORKER_HEALTH_KEY):
                break
            await asyncio.sleep(0.05)

        assert await _python(script, REDIS_URL=settings.redis_url) == 0
    finally:
        await worker.close()
        running.cancel()
