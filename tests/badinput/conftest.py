from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from app.config import Settings
from tests.badinput.server import ServeProcess

# One app and one world for a module whose every case starts from the freshly built world
# (test_overlong.py), as in the security suite.
from tests.security.conftest import shared_app, world_holder  # noqa: F401

# Seconds, as environment variables of the served app: the head, a pause in the body, the body.
SHORT_LIMITS = {
    "HEADER_TIMEOUT_SECONDS": "1",
    "BODY_IDLE_SECONDS": "1",
    "BODY_TIMEOUT_SECONDS": "3",
}


@pytest.fixture(autouse=True)
def empty_storage(migrated: Settings) -> None:
    """The storage dir outlives each test (its rows do not): start empty, so any file found
    afterwards was left by this test's request. (The app's storage is this folder; asking
    for the settings, not the app, lets a module share one app.)"""
    root = migrated.storage_dir
    if root.exists():
        for child in root.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()


@pytest.fixture(scope="module")
def served(migrated: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """The real server, with short time limits so that a test of a stall takes a second."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    server = ServeProcess(migrated, log, **SHORT_LIMITS)
    try:
        yield server.start()
    finally:
        server.stop()
