"""What happens to notifications: a person changes which optional ones they get."""

from __future__ import annotations

from app.events.schemas import action

PREFERENCES_SAVED = action("notification.preferences_saved")
