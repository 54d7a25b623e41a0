"""One error tree; app.main maps it to an HTML page or a JSON body."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."
    # The form field a re-shown form puts the message next to ("__all__": above the form).
    field = "__all__"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"
    message = "Please log in."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    message = "The upload is too large."


class RequestTimeout(AppError):
    status_code = 408
    code = "request_timeout"
    message = "The request took too long to arrive."


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"
    message = "This file type is not accepted."


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"
    message = "Too many attempts; please wait and try again."


class ValidationFailed(AppError):
    """Input failed validation; `errors` maps field names to messages."""

    status_code = 422
    code = "validation_failed"
    message = "Please correct the highlighted fields."

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        super().__init__(message)
        self.errors = errors


def form_errors(exc: AppError) -> dict[str, str]:
    """The messages a re-shown form puts next to its fields."""
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {exc.field: exc.message}


# Refusals a person can fix on the same form (a page shows the form again with the message);
# anything else (403, 404, 503) is an error page.
FIXABLE_ON_A_FORM = (ValidationFailed, Conflict, PayloadTooLarge, UnsupportedMediaType)
