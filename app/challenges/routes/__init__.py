"""The pages of this domain, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.challenges.routes import catalogue, cover, programmes, setup

routes: list[BaseRoute] = [
    *catalogue.routes,
    *setup.routes,
    *cover.routes,
    *programmes.routes,
]
