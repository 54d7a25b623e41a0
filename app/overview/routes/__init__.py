"""The pages of this package, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.overview.routes import challenge, dashboard, discovery, home

routes: list[BaseRoute] = [
    *home.routes,
    *challenge.routes,
    *dashboard.routes,
    *discovery.routes,
]
