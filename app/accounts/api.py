"""JSON API: who am I."""

from __future__ import annotations

from starlette.requests import Request

from app.accounts.auth import require_user
from app.accounts.schemas import UserRead
from app.api import ApiRouter

router = ApiRouter("accounts")


@router.route("GET", "/me", summary="The person the token belongs to", response=UserRead)
async def me(request: Request) -> UserRead:
    return UserRead.model_validate(require_user(request))
