"""What the anonymous page cache needs from the core: the generation every write bumps.

A public page is kept under the generation it was rendered in. The generation has two
parts: a counter this process bumps after each of its own commits that wrote anything (so
its own changes show at once), and a counter in Redis that every process, web or worker,
bumps too (so another process's change shows within the time a web process trusts the
value it last read). Reads never bump it; `app.db.Database.transaction` calls `changed`
after a commit that flushed or executed a write. Pages are shared between processes in
Redis under the shared generation (`PAGE_KEY`), so one process makes a page and the others
take it, until the next write anywhere.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

from app import jobs

log = logging.getLogger(__name__)

GENERATION_KEY = "madrina:pages:generation"
# "answers", no longer "pages", since an entry holds its headers too: during a deploy,
# neither release reads what the other wrote.
PAGE_KEY = "madrina:answers:{site}:{generation}:{page}"
_local = 0
_shared_after_own_write: bytes | None = None  # what our last INCR answered


async def changed() -> None:
    """Something was committed: every kept page is out of date, here and elsewhere."""
    global _local, _shared_after_own_write
    _local += 1
    pool = jobs.get_pool()
    if pool is None:
        return
    try:
        _shared_after_own_write = str(await pool.incr(GENERATION_KEY)).encode()
    except (RedisError, OSError) as exc:
        # No shared pages here until Redis answers again (they could predate this write);
        # other processes drop theirs within the cache's max age anyway.
        _shared_after_own_write = None
        log.warning("could not announce a change to the page caches (%s)", exc)


class Generation:
    """The current generation as one process sees it, reading Redis at most every
    `check_seconds` (the bound on how late another process's change is seen)."""

    def __init__(self, *, check_seconds: float) -> None:
        self.check_seconds = check_seconds
        self.shared: bytes | None = None
        self.next_check = 0.0
        self.own_write_seen = _local

    async def current(self) -> tuple[int, bytes | None]:
        now = time.monotonic()
        if self.own_write_seen != _local:
            # This process wrote: the shared value is the one its INCR answered (or newer).
            self.own_write_seen = _local
            self.shared = _shared_after_own_write
            self.next_check = now + self.check_seconds
        if now >= self.next_check:
            self.next_check = now + self.check_seconds
            pool = jobs.get_pool()
            try:
                # Before any write the key is missing: generation 0.
                found = await pool.get(GENERATION_KEY) if pool is not None else None
                self.shared = found or (b"0" if pool is not None else None)
            except (RedisError, OSError):
                # Unreachable: keep serving, within the cache's max age.
                self.shared = None
        return _local, self.shared
