"""Browser tests: one real Madrina (web + worker) and one Debian Chromium per session.

Every test gets fresh browser contexts (cookies, storage) from `open_page`, so tests do
not see each other's log-ins. Pages are watched: a 5xx answer, an uncaught script error
or a console error (a CSP violation, say) fails the test that caused it.

Sync Playwright marks its own event loop as running between calls, so these tests run
after every other test of the session (see pytest_collection_modifyitems) and are plain
sync functions, never `async def`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Response as PageResponse

from tests.e2e.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    OpenPage,
    artifact_dir,
    register,
    reset_shots,
    skip_or_fail,
)
from tests.e2e.server import LiveServer

E2E_DIR = Path(__file__).parent
DEFAULT_TIMEOUT_MS = 15_000
expect.set_options(timeout=10_000)  # a shared 2-core CI machine is slower than a laptop


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything here is e2e (so `-m "not e2e"` never starts a browser), and runs last."""
    ours = [item for item in items if E2E_DIR in Path(item.path).parents]
    for item in ours:
        if item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.e2e)
    mine = set(ours)
    others = [item for item in items if item not in mine]
    items[:] = others + ours


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    watch: PageWatch | None = getattr(item, "e2e_watch", None)
    if report.failed and watch is not None and watch.problems:
        # Shown next to the failure: a locator that timed out often hides a 500 before it.
        report.sections.append(("what the browser saw", "\n".join(watch.problems)))
        if watch.server_errors:
            report.sections.append(("end of the web log", watch.server.log_tail("web", 60)))
    return report


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The real app and worker as subprocesses, healthy (worker heartbeat included)."""
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="madrina-e2e-") as path:
        server = LiveServer(Path(path), ARTIFACTS / "_server")
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(autouse=True)
def fresh_limits(live_server: LiveServer) -> None:
    """Every browser here signs up and logs in from 127.0.0.1, test after test: each test
    starts with the sign-up and log-in counters of a new visitor (app.accounts.ratelimit),
    or the suite's 21st sign-up within the hour would meet the limit of one school network."""
    client = redis.Redis.from_url(live_server.redis_url)
    try:
        keys = list(client.scan_iter(match="madrina:limit:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Browser]:
    """One headless Debian Chromium for the session (never a downloaded browser)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageWatch:
    """What went wrong in the browser during a test, beyond what the test asserts."""

    server: LiveServer
    problems: list[str] = field(default_factory=list)
    server_errors: int = 0

    def attach(self, page: Page) -> None:
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._console)

    def _response(self, response: PageResponse) -> None:
        if response.status >= 500 and response.url.startswith(self.server.url):
            self.server_errors += 1
            self.problems.append(f"{response.status} from {response.request.method} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = message.text
        # Chromium logs every 4xx page it shows; those are asserted by the tests themselves.
        if text.startswith("Failed to load resource: the server responded with a status of 4"):
            return
        self.problems.append(f"console error: {text}")


@pytest.fixture
def open_page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[OpenPage]:
    """open_page(phone=False, locale=None) -> a Page in a fresh context (a new person).

    Several calls in one test give several independent people (organiser, teacher, judge).
    """
    node = request.node
    shutil.rmtree(artifact_dir(node.nodeid), ignore_errors=True)
    reset_shots(node.nodeid)
    watch = PageWatch(live_server)
    node.e2e_watch = watch
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(*, phone: bool = False, locale: str | None = None) -> Page:
        options: dict[str, Any] = dict(PHONE if phone else DESKTOP)
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        if locale is not None:
            context.add_cookies([{"name": "madrina_lang", "value": locale, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        pages.append(page)
        return page

    yield make

    failed = any(
        getattr(getattr(node, f"e2e_report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        directory = artifact_dir(node.nodeid)
        directory.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pages, start=1):
            try:
                page.screenshot(path=str(directory / f"failure-{number}.png"), full_page=True)
            except PlaywrightError as exc:  # a crashed page must not hide the real failure
                print(f"no failure screenshot of page {number}: {exc}")
    for context in contexts:
        context.close()
    live_server.assert_running()
    if watch.problems and not failed:
        pytest.fail("the browser saw problems:\n" + "\n".join(watch.problems), pytrace=False)


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    """A desktop-sized page for a new visitor."""
    return open_page()


@pytest.fixture
def phone(open_page: OpenPage) -> Page:
    """A phone-sized page (390x844, mobile, touch) for a new visitor."""
    return open_page(phone=True)


RegisterOrganiser = Callable[..., None]


@pytest.fixture
def register_organiser(live_server: LiveServer) -> RegisterOrganiser:
    """register(), then the operator allows the person to create challenges (the right an
    administrator grants; here through the real `madrina allow-organiser`)."""

    def register_and_allow(page: Page, *, name: str, email: str) -> None:
        register(page, name=name, email=email)
        live_server.run_cli("allow-organiser", email)

    return register_and_allow
