"""The pages of this domain, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.judging.routes import assignments, conflicts, results, scoring, setup, voting

routes: list[BaseRoute] = [
    *setup.routes,
    *assignments.routes,
    *scoring.routes,
    *conflicts.routes,
    *results.routes,
    *voting.routes,
]
