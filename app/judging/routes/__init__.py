"""The pages of this domain, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.judging.routes import (
    assignments,
    conflicts,
    live,
    pairwise,
    results,
    rounds,
    scoring,
    setup,
    voting,
)

routes: list[BaseRoute] = [
    *setup.routes,
    *rounds.routes,
    *assignments.routes,
    *scoring.routes,
    *conflicts.routes,
    *results.routes,
    *live.routes,
    *pairwise.routes,
    *voting.routes,
]
