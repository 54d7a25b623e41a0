"""The pages of editions and programmes."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.editions.routes import pages

routes: list[BaseRoute] = [*pages.routes]
