from __future__ import annotations

import asyncio

from httpx import AsyncClient
from starlette.applications import Starlette

from workers.main import build_worker


async def test_healthz_is_503_without_a_worker_heartbeat(client: AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "worker": "error: no heartbeat",
    }


async def test_healthz_follows_a_running_worker(client: AsyncClient, app: Starlette) -> None:
    settings = app.state.settings
    worker = build_worker(settings, settings.redis_url, handle_signals=False, poll_delay=0.05)
    task = asyncio.create_task(worker.async_run())
    try:
        statuses = []
        for _ in range(100):
            statuses.append((await client.get("/healthz")).status_code)
            if statuses[-1] == 200:
                break
            await asyncio.sleep(0.05)
        assert statuses[-1] == 200
    finally:
        await worker.close()
        task.cancel()
    assert (await client.get("/healthz")).status_code == 503
