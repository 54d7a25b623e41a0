"""Jobs and event handlers of this domain (collected by workers.main)."""

from __future__ import annotations

from typing import Any

functions: list[Any] = []
cron_jobs: list[Any] = []
