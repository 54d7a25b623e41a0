"""The two apps `uvicorn --factory` serves for bench/loopback.py, configured by environment.

Nothing of the app is imported at the top, so the bare server starts in a blink.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SETTINGS = "MADRINA_BENCH_SETTINGS"
CAPTURED = "MADRINA_BENCH_CAPTURED"


def served_app() -> Starlette:
    """Our app, on the benchmark's database (with its own embedded Redis)."""
    from app.config import Settings
    from app.main import create_app

    settings = Settings(_env_file=None, **json.loads(os.environ[SETTINGS]))
    return create_app(settings)


def bare_app() -> Starlette:
    """Bare Starlette answering /bare/<i> with captured page i's bytes."""
    pages = json.loads(Path(os.environ[CAPTURED]).read_text(encoding="utf-8"))
    bodies = [(p["body"].encode(), p["content_type"]) for p in pages]

    async def bare(request: Request) -> Response:
        body, content_type = bodies[request.path_params["i"]]
        return Response(body, media_type=content_type.split(";")[0])

    return Starlette(routes=[Route("/bare/{i:int}", bare)])
