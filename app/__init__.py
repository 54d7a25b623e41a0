"""Madrina: event-driven platform for Climathon-style idea challenges."""

from app import ids as _ids  # noqa: F401  (bounds every `{id:int}` route parameter first)
