"""File storage behind a small interface; files are named by generated ids only."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError


class StorageError(AppError):
    status_code = 503
    code = "storage_unavailable"
    message = "File storage is unavailable; nothing was saved. Please try again shortly."


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class LocalStorage:
    """A folder on disk. Writes are atomic: a file is either all there or absent."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def save(self, data: bytes) -> StoredFile:
        key = secrets.token_hex(16)
        path = self._path(key)
        tmp: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            # A full disk fails half-way through the write: leave no partial file behind.
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            raise StorageError() from exc
        return StoredFile(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class Staged:
    """Files saved during one request or job, removed again if its transaction fails."""

    def __init__(self, storage: LocalStorage) -> None:
        self.storage = storage
        self.keys: list[str] = []

    def save(self, data: bytes) -> StoredFile:
        stored = self.storage.save(data)
        self.keys.append(stored.key)
        return stored

    def discard(self) -> None:
        for key in self.keys:
            self.storage.delete(key)
        self.keys.clear()


@asynccontextmanager
async def staged(storage: LocalStorage) -> AsyncIterator[Staged]:
    """Enter before the transaction, so a failed commit also removes the stored files:

    async with staged(storage) as stage, db.transaction() as session: ...
    """
    stage = Staged(storage)
    try:
        yield stage
    except BaseException:
        stage.discard()
        raise
