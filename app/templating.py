"""The one Jinja2 environment for pages, e-mails and certificates."""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app import i18n
from app.config import ROOT
from app.forms import Filled
from app.markup import render_markdown
from app.web import path_for

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(ROOT / "templates"),
    autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


def _datetime(value: datetime | None, tz: str = "Europe/Rome", fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(ZoneInfo(tz)), fmt, locale=i18n.get_locale())


def _date(value: date | None, fmt: str = "medium") -> str:
    return "" if value is None else format_date(value, fmt, locale=i18n.get_locale())


@lru_cache(maxsize=8)
def _separators(locale: str) -> dict[int, str]:
    """Python's "," and "." as the locale writes them (group, decimal)."""
    return str.maketrans({",": get_group_symbol(locale), ".": get_decimal_symbol(locale)})


def _number(value: float | int | None, digits: int = 2) -> str:
    """`value` rounded to `digits` places as Babel's format_decimal writes it in the current
    locale (at most 3 decimals, no trailing zeros, grouped thousands), without its cost:
    Babel parses the locale and the pattern on every call, and a ranking page shows a
    thousand numbers (a third of its time went there)."""
    if value is None:
        return "\u2013"
    rounded = round(value, digits)
    if not math.isfinite(rounded) or digits > 3:  # Babel's "∞", and its own rounding to 3
        return format_decimal(rounded, locale=i18n.get_locale())
    places = max(0, digits)
    text = f"{rounded:,.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":  # a negative number rounded to nothing (Babel writes "-0")
        text = "0"
    return text.translate(_separators(i18n.get_locale()))


env.filters["datetime"] = _datetime
env.filters["date"] = _date
env.filters["markdown"] = render_markdown
env.filters["number"] = _number
env.globals["locales"] = i18n.LOCALES
env.globals["get_locale"] = i18n.get_locale


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    filled: Filled | None = None,
) -> HTMLResponse:
    """A page; `filled` is a form shown again with the person's input and its errors."""
    ctx: dict[str, Any] = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "url_for": partial(path_for, request.app),
        "errors": {},
        "form": {},
    }
    ctx.update(context or {})
    if filled is not None:
        if filled.values:
            ctx["form"] = filled.values
        ctx["errors"] = filled.errors
        status_code = filled.status_code
    html = env.get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code)


def render_string(name: str, context: dict[str, Any]) -> str:
    """Render outside a request (e-mails, certificates); the caller sets the locale."""
    return env.get_template(name).render(context)
