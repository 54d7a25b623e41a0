"""What a route needs from its request, typed: the app's services, the ids in its path, and
where it may send the person next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from arq.connections import ArqRedis
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Mount, Route

from app.assets import Assets
from app.config import Settings
from app.db import Database
from app.storage import LocalStorage


@dataclass(frozen=True)
class Services:
    """Made once by the app's lifespan; every request reads them through `services()`."""

    settings: Settings
    db: Database
    storage: LocalStorage
    redis: ArqRedis | None  # None while Redis was unreachable at start-up


def services(where: HTTPConnection | Starlette) -> Services:
    app = where.app if isinstance(where, HTTPConnection) else where
    found = app.state.services
    assert isinstance(found, Services), "the app's lifespan has not started"
    return found


def settings(where: HTTPConnection | Starlette) -> Settings:
    """The settings, also before the lifespan has started (create_app sets them)."""
    app = where.app if isinstance(where, HTTPConnection) else where
    found = app.state.settings
    assert isinstance(found, Settings)
    return found


def path_id(request: HTTPConnection, name: str = "id") -> int:
    """An `{name:int}` path parameter: app.ids made it an int (0 when it names no row)."""
    value = request.path_params[name]
    assert isinstance(value, int), f"{name} is not declared as {{{name}:int}}"
    return value


def page_number(request: HTTPConnection) -> int:
    """?page=N, from 1; anything else is the first page (the service takes a page past the
    last as the last)."""
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 7 else 1


def path_text(request: HTTPConnection, name: str) -> str:
    value = request.path_params[name]
    assert isinstance(value, str)
    return value


def safe_path(target: object, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default`: a link or a form field must not
    send people elsewhere after an action ("//host" and "/\\host" leave the site in browsers;
    so would control characters)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or not target.isprintable() or len(target) > 2000:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def login_path(request: HTTPConnection) -> str:
    """The login page, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(safe_path(here), safe="/")


def routes_by_name(routes: Sequence[BaseRoute]) -> dict[str, BaseRoute]:
    """The pages' routes by name, so a link is made without trying every route in turn."""
    found: dict[str, BaseRoute] = {}
    for route in routes:
        if isinstance(route, Route | Mount) and route.name is not None:
            if route.name in found:
                raise ValueError(f"two routes are named {route.name!r}")
            found[route.name] = route
    return found


def path_for(where: HTTPConnection | Starlette, name: str, /, **params: Any) -> str:
    """The path of a named page: `url_for("team", id=team.id)` in templates."""
    app = where.app if isinstance(where, HTTPConnection) else where
    route: BaseRoute = app.state.routes_by_name[name]
    if isinstance(route, Mount) and isinstance(route.app, Assets):
        params["path"] = route.app.url_name(params["path"])
    return str(route.url_path_for(name, **{key: str(value) for key, value in params.items()}))
