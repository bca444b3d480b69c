"""Browser tests: Playwright driving the system Chromium against the live test server, and a real
SMTP server (aiosmtpd) that receives the mail the application sends."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("QUARTIER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip


class Mailbox:
    """What the SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, timeout: float = 10.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to in message["To"]:
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} within {timeout}s; got {[m['To'] for m in self.messages]}")


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("the mail has no text part")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _site_url_is_the_live_server(request, settings) -> None:
    """As `quartier serve` sets it from PORT: links in mail and calendars lead to the server under test."""
    if "live_server" in request.fixturenames:
        settings.SITE_URL = request.getfixturevalue("live_server").url


@pytest.fixture
def smtp_server(settings) -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield instance
        instance.close()


class ThirdPartyWatch:
    """Records every request a page makes to a host other than the test server."""

    def __init__(self, allowed_origin: str) -> None:
        self.allowed_origin = allowed_origin
        self.offending: list[str] = []

    def __call__(self, request) -> None:
        url = request.url
        if not (url.startswith(self.allowed_origin) or url.startswith(("data:", "blob:", "about:"))):
            self.offending.append(url)


# axe-core, vendored for the tests only (e2e/vendor/axe-core: its licence and version). It goes into
# each page as an init script, which the browser runs outside the page's Content Security Policy: a
# <script> tag added by the test would be refused by that policy, and switching the policy off
# (bypass_csp) would hide the very console errors the tests look for. No page served by the
# application ever loads it.
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_RUN = """() => axe.run(document, {
    resultTypes: ["violations"],
    rules: {"duplicate-id": {enabled: true}, "duplicate-id-active": {enabled: true}},
}).then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(node => node.target.join(" ")),
})))"""
AXE_FAILING_IMPACTS = {"serious", "critical"}
# Rules axe ranks below "serious" that still fail a test: the structure a screen reader navigates by
# (one h1, headings in order), table headers that say something, ids that are unique.
AXE_ALSO_FAILING = {"heading-order", "page-has-heading-one", "empty-table-header", "duplicate-id"}
# What a page logs when a request fails because the test took the browser offline.
OFFLINE_NOISE = re.compile(r"net::ERR_INTERNET_DISCONNECTED|^htmx:(sendError|afterRequest)\b")


class PageWatch:
    """Collects, for every page of every context a test opens, console errors, uncaught page errors
    and the axe-core violations found after each load."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.violations: list[str] = []
        self.checked: list[str] = []  # the URLs axe ran on
        self.interrupted: list[str] = []  # pages left before their audit ended
        self.running = 0
        self.taken_offline: set[int] = set()  # ids of the contexts a test has taken offline

    def watch(self, context) -> None:
        context.add_init_script(path=AXE_SCRIPT)
        context.on("page", lambda page: self.attach(page, context))
        set_offline = context.set_offline

        def set_offline_and_expect_network_errors(offline: bool) -> None:
            if offline:
                self.taken_offline.add(id(context))
            set_offline(offline)

        context.set_offline = set_offline_and_expect_network_errors

    def attach(self, page, context) -> None:
        page.on("console", lambda message: self._console(page, context, message))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))
        page.on("load", lambda: self.run_axe(page))
        # A navigation the test asks for waits for the audit of the page it leaves and of the page it
        # reaches; one a click starts is audited if the test stays on the page long enough.
        for name in ("goto", "reload", "go_back", "go_forward"):
            setattr(page, name, self._after_audits(page, getattr(page, name)))

    def _after_audits(self, page, navigate):
        def navigate_between_audits(*args, **kwargs):
            self.settle(page)
            response = navigate(*args, **kwargs)
            self.settle(page)
            return response

        return navigate_between_audits

    def _console(self, page, context, message) -> None:
        if message.type != "error":
            return
        if id(context) in self.taken_offline and OFFLINE_NOISE.search(message.text):
            return  # the browser reports each request that fails while the test keeps it offline
        self.errors.append(f"{page.url}: console error: {message.text}")

    def run_axe(self, page) -> None:
        """Runs on each load, beside the test (Playwright calls event handlers while the test waits
        on the browser): `settle` waits for the audits still running."""
        from playwright.sync_api import Error

        url = page.url
        if page.is_closed() or not url.startswith("http"):
            return
        self.running += 1
        try:
            if page.evaluate("() => document.contentType") != "text/html":
                return  # a feed, a calendar or a CSV shown as text: not a page to audit
            found = page.evaluate(AXE_RUN)
        except Error:
            # The test left the page (a click, a form sent, the page closed) before axe finished.
            self.interrupted.append(url)
            return
        finally:
            self.running -= 1
        self.checked.append(url)
        for violation in found:
            if violation["impact"] in AXE_FAILING_IMPACTS or violation["id"] in AXE_ALSO_FAILING:
                self.violations.append(
                    f"{url}: {violation['id']} ({violation['impact']}): {violation['help']} "
                    f"at {violation['targets']}"
                )

    def settle(self, page, timeout: float = 15.0) -> None:
        """Waits, through `page`, until every audit under way has finished."""
        deadline = time.monotonic() + timeout
        while self.running and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # lets Playwright run the handlers
        assert not self.running, f"axe-core still running after {timeout}s"


@pytest.fixture
def new_context(browser, live_server):
    """Makes browser contexts against the live server. When the test ends, it fails if a page called
    a third-party host, logged a console error, threw an uncaught error, or had a serious or critical
    axe-core violation (or one of AXE_ALSO_FAILING) on any page it loaded."""
    contexts = []
    watch = ThirdPartyWatch(live_server.url)
    pages = PageWatch()

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        context.on("request", watch)
        pages.watch(context)
        contexts.append(context)
        return context

    make.watch = watch
    make.pages = pages
    yield make
    open_pages = [page for context in contexts for page in context.pages if not page.is_closed()]
    if open_pages:
        pages.settle(open_pages[0])
    for context in contexts:
        context.close()
    assert watch.offending == [], f"pages called third-party hosts: {watch.offending}"
    assert pages.errors == [], "console or page errors:\n" + "\n".join(pages.errors)
    assert pages.violations == [], "accessibility violations (axe-core):\n" + "\n".join(pages.violations)
