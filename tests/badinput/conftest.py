from __future__ import annotations

import shutil

import pytest

from app.storage import LocalStorage


@pytest.fixture(autouse=True)
def empty_storage(storage: LocalStorage) -> None:
    """The storage dir outlives each test (its rows do not): start empty, so any file found
    afterwards was left by this test's request."""
    if storage.root.exists():
        for child in storage.root.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
