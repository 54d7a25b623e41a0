"""Worlds for the query-count tests: a person's logins and API tokens."""

from __future__ import annotations

from app.accounts import service as accounts_service
from app.db import Database
from tests.factories import Actors
from tests.listings import Visit, item


async def account(db: Database, actors: Actors, n: int) -> Visit:
    """n other logins (their devices named Item-0 ...) and n API tokens (Item-n ...)."""
    user = await actors.user()
    async with db.transaction() as session:
        for k in range(n):
            await accounts_service.start_session(session, user=user, days=1, user_agent=item(k))
            await accounts_service.create_api_token(session, user=user, name=item(n + k))
    return Visit(await actors.client(user), "/account")
