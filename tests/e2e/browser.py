"""Helpers for browser tests: screenshots, accessibility checks, form steps, test files."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from app import i18n
from app.config import ROOT

# Debian's package; MADRINA_CHROMIUM only for a machine that keeps it elsewhere.
CHROMIUM = Path(os.environ.get("MADRINA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "e2e password 2026"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
    ),
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
BLOCKING_IMPACTS = ("serious", "critical")

# The `open_page` fixture: open_page(phone=False, locale=None) -> a page of a new person.
OpenPage = Callable[..., Page]

_shots: defaultdict[str, int] = defaultdict(int)


def required() -> bool:
    """Inside `make e2e` a missing browser or axe-core is an error, elsewhere a skip."""
    return os.environ.get("MADRINA_E2E") == "1"


def skip_or_fail(reason: str) -> None:
    if required():
        pytest.fail(f"{reason} (MADRINA_E2E=1: `make e2e` must provide it)", pytrace=False)
    pytest.skip(reason)


def artifact_name(nodeid: str | None = None) -> str:
    """A file-system friendly name for the running test, e.g. test_accounts-test_login."""
    nodeid = nodeid or os.environ.get("PYTEST_CURRENT_TEST", "unknown").rsplit(" ", 1)[0]
    module, _sep, name = nodeid.rpartition("::")
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{Path(module).stem}-{name}").strip("_")


def artifact_dir(nodeid: str | None = None) -> Path:
    return ARTIFACTS / artifact_name(nodeid)


def shot(page: Page, name: str) -> Path:
    """Save a full-page PNG as test-artifacts/e2e/<test>/<NN-name>.png (one per step)."""
    directory = artifact_dir()
    _shots[directory.name] += 1
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower()
    path = directory / f"{_shots[directory.name]:02d}-{slug}.png"
    directory.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def reset_shots(nodeid: str) -> None:
    _shots.pop(artifact_name(nodeid), None)


def assert_accessible(page: Page, *, exclude: list[str] | None = None) -> None:
    """Run axe-core on the page; fail on any "serious" or "critical" violation.

    The script is evaluated rather than added as a <script>: the app's CSP allows no
    inline script, and evaluation through the DevTools protocol is not subject to it.
    """
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is not installed at {AXE_SCRIPT} (npm ci)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    context = {"exclude": [[selector] for selector in exclude]} if exclude else "document"
    results = page.evaluate(
        """async (context) => {
            const target = context === "document" ? document : context;
            const r = await axe.run(target, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        context,
    )
    blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} accessibility violation(s) on {page.url}:"]
        for violation in blocking:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            for node in violation["nodes"][:10]:
                lines.append(f"    at {json.dumps(node['target'])}: {node['summary']}")
        pytest.fail("\n".join(lines), pytrace=False)


def t(message: str, locale: str = "it", **values: object) -> str:
    """The text the app shows for an English msgid in a locale (Italian is the default).

    Formatted like Jinja's new-style gettext in the templates: always, so "%%" is "%".
    """
    with i18n.use_locale(locale):
        text = i18n.gettext(message)
    return text % values


def exact_label(text: str) -> re.Pattern[str]:
    """A label's whole text, ignoring the "*" that marks a required field."""
    return re.compile(rf"^\s*{re.escape(text)}(\s*\*)?\s*$")


def field(scope: Page | Locator, label: str, locale: str = "it") -> Locator:
    """A form field by its label's whole text, given as the English msgid."""
    return scope.get_by_label(exact_label(t(label, locale)))


def assert_fits_screen(page: Page) -> None:
    """Nothing wider than the screen: on a phone the page scrolls down, never sideways.

    Wide tables may scroll inside their own box (div.table-scroll); the page may not.
    """
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > width + 1
                             && !e.closest(".table-scroll"))
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                          + (e.className ? "." + String(e.className).split(" ").join(".") : ""));
        }"""
    )
    if overflow:
        pytest.fail(f"{page.url} is wider than the screen because of: {overflow}", pytrace=False)


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def locale_of(page: Page) -> str:
    """The locale the page was rendered in (<html lang>)."""
    return str(page.locator("html").get_attribute("lang") or "it")


def register(
    page: Page, *, name: str, email: str, password: str = PASSWORD, next: str = "/account"
) -> None:
    """Sign up through the real form, open the confirmation link from the development
    mailbox, log in and confirm; ends logged in, on `next`."""
    page.goto(f"/register?next={next}")
    lang = locale_of(page)
    field(page, "Full name", lang).fill(name)
    field(page, "E-mail", lang).fill(email)
    field(page, "Password", lang).fill(password)
    submit(page, t("Create account", lang))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Check your e-mail", lang))
    confirm_address(page, email=email, password=password)
    page.goto(next)


def confirmation_link(page: Page, email: str) -> str:
    """The link the worker delivered to `email`, read from /dev/mail (development)."""
    for _attempt in range(50):
        page.goto("/dev/mail")
        found = page.locator("section.card", has_text=email).locator("a[href*='/account/verify']")
        if found.count():
            return str(found.first.get_attribute("href"))
        page.wait_for_timeout(200)
    raise AssertionError(f"no confirmation e-mail for {email} in /dev/mail")


def confirm_address(page: Page, *, email: str, password: str = PASSWORD) -> None:
    """Open the confirmation link (it asks to log in first), then confirm."""
    page.goto(confirmation_link(page, email))
    lang = locale_of(page)
    field(page, "E-mail", lang).fill(email)
    field(page, "Password", lang).fill(password)
    submit(page, t("Log in", lang))
    submit(page, t("Confirm my address", lang))
    expect(page.get_by_text(t("Your address is confirmed.", lang))).to_be_visible()


def login(page: Page, *, email: str, password: str = PASSWORD, next: str = "/account") -> None:
    """Log in through the real form; ends on `next`."""
    page.goto(f"/login?next={next}")
    lang = locale_of(page)
    field(page, "E-mail", lang).fill(email)
    field(page, "Password", lang).fill(password)
    submit(page, t("Log in", lang))
    expect(page.get_by_role("button", name=t("Log out", lang), exact=True)).to_be_visible()


def logout(page: Page) -> None:
    lang = locale_of(page)
    submit(page, t("Log out", lang))
    expect(page.get_by_role("link", name=t("Log in", lang), exact=True)).to_be_visible()


def submit(page: Page, button: str) -> int:
    """Press the named button, wait for the page that answers; returns its HTTP status."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button, exact=True).click()
    return _status(page, navigation.value, f"after pressing {button!r}")


def visit(page: Page, path: str) -> int:
    """Open an address (where the app has no link to follow); returns its HTTP status."""
    return _status(page, page.goto(path), "")


def _status(page: Page, response: Response | None, what: str) -> int:
    status = response.status if response is not None else 0
    if status >= 500:
        pytest.fail(
            f"server error {status} on {page.url} {what} "
            "(traceback in test-artifacts/e2e/_server/web.log)",
            pytrace=False,
        )
    return status


def tiny_pdf(title: str = "Madrina e2e") -> bytes:
    """A small but valid one-page PDF (correct xref offsets), made here, not downloaded."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
