"""What happens to people, their logins, API tokens and roles (audit actions only: nothing
reacts to these yet)."""

from __future__ import annotations

from app.events.schemas import action

USER_REGISTERED = action("user.registered")
USER_MADE_ADMIN = action("user.made_admin")
CREATION_ALLOWED = action("user.creation_allowed")
CREATION_REVOKED = action("user.creation_revoked")
USER_LOGGED_IN = action("user.logged_in")
SESSION_ENDED = action("session.ended")
SESSION_REVOKED = action("session.revoked")
API_TOKEN_CREATED = action("api_token.created")
API_TOKEN_REVOKED = action("api_token.revoked")
ROLE_GRANTED = action("role.granted")
ROLE_REVOKED = action("role.revoked")
