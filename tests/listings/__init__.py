"""Worlds for the query-count tests: each puts n things on one page and says who sees them.

Every listed thing is named "Item-<k>", so a test can count on the page how many it shows.
The things a page lists are each tied to a different row where the page could look one up
(another team, sponsor, judge ...): a lookup per row must not hide in the session's cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from httpx import AsyncClient

MANY = 12


def item(k: int) -> str:
    return f"Item-{k}"


@dataclass
class Visit:
    """Who asks for the page (a logged-in browser, an API client or nobody) and where."""

    http: AsyncClient
    path: str
