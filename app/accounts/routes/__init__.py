"""The pages of this domain, one module per topic."""

from __future__ import annotations

from starlette.routing import BaseRoute

from app.accounts.routes import account, admin, devmail, login, recovery, twofactor

routes: list[BaseRoute] = [
    *login.routes,
    *account.routes,
    *admin.routes,
    *recovery.routes,
    *twofactor.routes,
    *devmail.routes,
]
