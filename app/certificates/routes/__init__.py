"""The pages of this domain, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.certificates.routes import management, mine, verification

routes: list[BaseRoute] = [*verification.routes, *management.routes, *mine.routes]
