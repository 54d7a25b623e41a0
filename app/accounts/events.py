"""What happens to people, their logins, API tokens and roles. The events are the ones an
e-mail answers (app/accounts/tasks.py sends it); the rest are audit actions."""

from __future__ import annotations

from app.events.schemas import DomainEvent, action


class UserRegistered(DomainEvent):
    """A new account: its address is sent a link to confirm it."""

    user_id: int


class VerificationRequested(DomainEvent):
    """The person asked for the confirmation link again."""

    user_id: int


class RegistrationRepeated(DomainEvent):
    """Someone signed up with the address of an existing account: its owner is told, with
    links to log in or reset the password (the sign-up page says the same either way)."""

    user_id: int


class PasswordResetRequested(DomainEvent):
    """Someone asked for a reset link for this address; if an account has it, it gets one."""

    email: str


class PasswordChanged(DomainEvent):
    """The password was changed or reset: the owner is told, in case it was not them."""

    user_id: int


USER_REGISTERED = action("user.registered")
USER_MADE_ADMIN = action("user.made_admin")
CREATION_ALLOWED = action("user.creation_allowed")
CREATION_REVOKED = action("user.creation_revoked")
USER_LOGGED_IN = action("user.logged_in")
EMAIL_VERIFIED = action("user.email_verified")
VERIFICATION_REQUESTED = action("user.verification_requested")
PASSWORD_CHANGED = action("user.password_changed")
PASSWORD_RESET = action("user.password_reset")
TWO_FACTOR_ENABLED = action("user.two_factor_enabled")
TWO_FACTOR_DISABLED = action("user.two_factor_disabled")
RECOVERY_CODE_USED = action("user.recovery_code_used")
SESSION_ENDED = action("session.ended")
SESSION_REVOKED = action("session.revoked")
API_TOKEN_CREATED = action("api_token.created")
API_TOKEN_REVOKED = action("api_token.revoked")
ROLE_GRANTED = action("role.granted")
ROLE_REVOKED = action("role.revoked")
