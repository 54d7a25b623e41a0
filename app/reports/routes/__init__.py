"""The pages of this package, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.reports.routes import adoptions, audit, calendar, exports

routes: list[BaseRoute] = [
    *audit.routes,
    *exports.routes,
    *calendar.routes,
    *adoptions.routes,
]
