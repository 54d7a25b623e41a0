"""The pages of this domain, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.sponsors.routes import (
    adoptions,
    companies,
    dashboard,
    followup,
    offers,
    shortlist,
    sponsors,
)

routes: list[BaseRoute] = [
    *sponsors.routes,
    *companies.routes,
    *dashboard.routes,
    *adoptions.routes,
    *offers.routes,
    *followup.routes,
    *shortlist.routes,
]
