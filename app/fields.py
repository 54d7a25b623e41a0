"""Field types every domain's input schemas share, so forms and JSON read the same way.

Bounds given with `Field(...)` apply to the value after these clean-ups: a name of spaces
only is empty, so `min_length=1` says "This field is required".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

from app.db import Id


def _one_line(value: Any) -> Any:
    """Names and titles: runs of spaces, tabs and line breaks become one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    """Forms send "" for an untouched optional field."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _blank_to_zero(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return 0
    return value


def _checkbox(value: Any) -> Any:
    """A form checkbox is "on" when ticked and absent otherwise; JSON sends a boolean."""
    if isinstance(value, str):
        return value.strip().lower() in {"on", "1", "true", "yes"}
    return value


Stripped = BeforeValidator(_stripped)
OneLine = Annotated[str, BeforeValidator(_one_line)]
Text = Annotated[str, Stripped]
OptionalId = Annotated[Id | None, BeforeValidator(_blank_to_none)]
OptionalDate = Annotated[date | None, BeforeValidator(_blank_to_none)]
OptionalDatetime = Annotated[datetime | None, BeforeValidator(_blank_to_none)]
Checkbox = Annotated[bool, BeforeValidator(_checkbox)]
# A number field left empty is 0 (commitments a sponsor does not offer).
BlankIsZero = BeforeValidator(_blank_to_zero)


def BlankIsDefault(default: int) -> BeforeValidator:
    """A number field left empty takes `default`."""
    return BeforeValidator(lambda v: default if isinstance(v, str) and not v.strip() else v)
