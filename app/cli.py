"""The `madrina` command: run, serve, worker, migrate, demo, create-admin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.config import ConfigError, Settings, get_settings


def _prepare_sqlite(settings: Settings) -> None:
    if settings.is_sqlite:
        path = settings.database_url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def cmd_migrate(settings: Settings) -> None:
    from app.migrate import upgrade

    _prepare_sqlite(settings)
    upgrade(settings.database_url)
    print("database is up to date")


def cmd_demo(settings: Settings) -> None:
    from app import demo
    from app.db import Database

    async def seed() -> bool:
        db = Database(settings)
        try:
            return await demo.seed(db, settings=settings)
        finally:
            await db.dispose()

    if asyncio.run(seed()):
        print("demo data created; accounts:")
        for email, role in demo.DEMO_ACCOUNTS:
            print(f"  {role:<24} {email}  password: {demo.DEMO_PASSWORD}")
    else:
        print("database already has data; demo not loaded")


def cmd_create_admin(settings: Settings, email: str, name: str, *, promote: bool) -> None:
    from pydantic import TypeAdapter, ValidationError

    from app import jobs
    from app.accounts import service
    from app.accounts.passwords import hash_password
    from app.db import Database
    from app.errors import AppError
    from app.fields import Email

    try:  # the same rules as the sign-up form: one form, no look-alikes
        email = TypeAdapter(Email).validate_python(email)
    except ValidationError as exc:
        raise SystemExit(f"refused: {exc.errors()[0]['msg']}") from None
    password = os.environ.get("MADRINA_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 10:
        raise SystemExit("the password needs at least 10 characters")
    if promote:
        print(
            f"warning: promoting the existing account {email}: it gets the password given now "
            "and every one of its logins and API tokens ends",
            file=sys.stderr,
        )

    async def create() -> None:
        db = Database(settings)
        try:
            password_hash = await hash_password(password)  # slow on purpose: not in the transaction
            # Through the site's Redis, the web processes' page caches drop at once what
            # the write changed (a promoted account's logins end for its kept pages too);
            # the embedded Redis of `madrina run` is its web process's alone (they drop it
            # within PAGE_CACHE_SECONDS).
            async with jobs.connected(settings.redis_url), db.transaction() as session:
                await service.make_admin(
                    session,
                    email=email,
                    name=name,
                    password_hash=password_hash,
                    promote_existing=promote,
                )
        finally:
            await db.dispose()

    try:
        asyncio.run(create())
    except AppError as exc:
        raise SystemExit(f"refused: {exc.message}") from None
    print(f"{email} is a platform administrator")


def cmd_allow_organiser(settings: Settings, email: str, *, revoke: bool) -> None:
    from app import jobs
    from app.accounts import queries, service
    from app.db import Database
    from app.errors import AppError

    async def change() -> None:
        db = Database(settings)
        try:
            async with jobs.connected(settings.redis_url), db.transaction() as session:  # see above
                if revoke:
                    person = await queries.user_by_email(session, email)
                    if person is None or person.id is None:
                        raise service.NoSuchAccount()
                    await service.revoke_creating_challenges(session, admin=None, user_id=person.id)
                else:
                    await service.allow_creating_challenges(session, admin=None, email=email)
        finally:
            await db.dispose()

    try:
        asyncio.run(change())
    except AppError as exc:
        raise SystemExit(f"refused: {exc.message}") from None
    print(f"{email} {'may no longer' if revoke else 'may'} create challenges and programmes")


def cmd_serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    from app.server import uvicorn_options

    _refuse_demo_passwords(settings)
    # Each process sizes its database pool to its share of DB_CONNECTIONS (app.db.pool_size).
    os.environ["WEB_WORKERS"] = str(workers)
    uvicorn.run(
        "app.asgi:app", host=host, port=port, workers=workers, log_level="info", **uvicorn_options()
    )


def cmd_worker(settings: Settings) -> None:
    if not settings.redis_url:
        raise SystemExit("REDIS_URL must be set for a stand-alone worker (`madrina run` sets it)")
    asyncio.run(_run_worker(settings))


RECONNECT_SECONDS = (1, 2, 5, 10)


async def _run_worker(settings: Settings) -> None:
    """An arq worker until SIGINT or SIGTERM. arq gives up when Redis goes away (a restart,
    a network blip); then a fresh worker starts as soon as Redis answers again."""
    from redis.exceptions import RedisError

    from workers.main import build_worker

    log = logging.getLogger("madrina.worker")
    stopping = asyncio.Event()
    current: list[Any] = []

    def stop() -> None:
        stopping.set()
        if current and current[0].main_task is not None:
            current[0].main_task.cancel()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    failures = 0
    while not stopping.is_set():
        worker = build_worker(settings, settings.redis_url, handle_signals=False)
        current[:] = [worker]
        delay = RECONNECT_SECONDS[0]
        try:
            await worker.async_run()
        except asyncio.CancelledError:
            pass  # stop() cancelled it
        except (RedisError, OSError) as exc:
            # A worker that had started (so Redis was there) retries soon, then backs off.
            failures = 0 if "db" in worker.ctx else failures + 1
            delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
            log.error("lost the connection to Redis (%s); trying again in %d s", exc, delay)
        finally:
            await _close_worker(worker)
        if not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=delay)


async def _close_worker(worker: Any) -> None:
    """arq's close() stops at its first Redis call when Redis is gone: finish our part then."""
    from redis.exceptions import RedisError

    try:
        await worker.close()
    except (RedisError, OSError):
        await worker.on_shutdown(worker.ctx)


def cmd_run(settings: Settings, host: str, port: int) -> None:
    """Everything for a newcomer: migrate, demo data, Redis if needed, web and worker."""
    from app.config import ROOT
    from app.embedded_redis import EmbeddedRedis

    _refuse_demo_passwords(settings)
    cmd_migrate(settings)
    cmd_demo(settings)
    env = dict(os.environ)
    embedded = None
    if not settings.redis_url:
        embedded = EmbeddedRedis(ROOT / "var" / "redis")
        env["REDIS_URL"] = embedded.start()
        print(f"embedded Redis at {env['REDIS_URL']}")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    madrina = [sys.executable, "-m", "app.cli"]
    children = [
        subprocess.Popen([*madrina, "worker"], env=env),  # noqa: S603
        subprocess.Popen([*madrina, "serve", "--host", host, "--port", str(port)], env=env),  # noqa: S603
    ]
    print(f"Madrina is running at http://{host}:{port}  (Ctrl-C stops it)")
    try:
        while all(child.poll() is None for child in children):
            try:
                children[0].wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded is not None:
            embedded.stop()
        print("stopped")


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # the same clean shutdown as Ctrl-C


def _refuse_demo_passwords(settings: Settings) -> None:
    if settings.environment == "development":
        return
    from app import demo

    if asyncio.run(demo.demo_passwords_in_use(settings)):
        raise SystemExit(
            "refusing to start: demo accounts with the published demo password exist and "
            f"ENVIRONMENT is {settings.environment}. Change or remove them first."
        )


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parser = argparse.ArgumentParser(prog="madrina")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="migrate, load the demo, start web app and worker")
    serve = sub.add_parser("serve", help="start the web app")
    for p in (run, serve):
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("worker", help="start an arq worker")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("demo", help="load demo data into an empty database")
    admin = sub.add_parser("create-admin", help="create a platform administrator")
    admin.add_argument("email")
    admin.add_argument("--name", default="Administrator")
    admin.add_argument(
        "--promote-existing",
        action="store_true",
        help="make an account that already exists an administrator, replacing its password",
    )
    allow = sub.add_parser(
        "allow-organiser", help="let an account create challenges and programmes"
    )
    allow.add_argument("email")
    allow.add_argument("--revoke", action="store_true", help="take the right back")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None
    if args.command == "run":
        cmd_run(settings, args.host, args.port)
    elif args.command == "serve":
        cmd_serve(settings, args.host, args.port, args.workers)
    elif args.command == "worker":
        cmd_worker(settings)
    elif args.command == "migrate":
        cmd_migrate(settings)
    elif args.command == "demo":
        cmd_demo(settings)
    elif args.command == "allow-organiser":
        cmd_allow_organiser(settings, args.email, revoke=args.revoke)
    elif args.command == "create-admin":
        cmd_create_admin(settings, args.email, args.name, promote=args.promote_existing)


if __name__ == "__main__":
    main()
