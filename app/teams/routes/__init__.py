"""The pages of this domain, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.teams.routes import files, projects, teams

routes: list[BaseRoute] = [*teams.routes, *projects.routes, *files.routes]
