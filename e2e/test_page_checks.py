"""The checks every browser test gets from e2e/conftest.py catch what they promise: a console error
(here, an inline style refused by a nonce-based Content Security Policy like the application's), an
uncaught script error, and the axe-core violations the issue named."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Probe</title></head>
<body><main><h2>No h1 here</h2><h4>Skipped a level</h4>
<svg style="vertical-align:-3px" width="1" height="1" aria-hidden="true"></svg>
<p id="twice">One</p><p id="twice">Two</p>
<table><tr><th></th><th>Name</th></tr><tr><td>1</td><td>Ana</td></tr></table>
<div class="scroller"><div class="wide">wide table</div></div>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<script nonce="probe">throw new Error("probe failure")</script>
</main></body></html>"""
CSP = "default-src 'self'; script-src 'self' 'nonce-probe'; style-src 'self' 'nonce-probe'; img-src 'self' data:"


def test_console_errors_page_errors_and_axe_violations_are_collected(new_context, live_server):
    context = new_context()
    context.route(
        f"{live_server.url}/probe/",
        lambda route: route.fulfill(
            status=200, body=PROBE, headers={"Content-Type": "text/html", "Content-Security-Policy": CSP}
        ),
    )
    page = context.new_page()
    page.goto("/probe/")
    pages = new_context.pages
    pages.settle(page)

    assert any("console error" in error and "inline style" in error for error in pages.errors)
    assert any("uncaught" in error and "probe failure" in error for error in pages.errors)
    found = {violation.split(": ", 2)[1].split(" ")[0] for violation in pages.violations}
    assert {"page-has-heading-one", "heading-order", "duplicate-id", "empty-table-header"} <= found
    assert "image-alt" in found  # a critical violation
    assert pages.checked == [f"{live_server.url}/probe/"]
    pages.errors.clear()  # seen: the fixture's own teardown check would fail the test otherwise
    pages.violations.clear()


def test_network_errors_are_expected_only_from_a_context_taken_offline(new_context, live_server):
    online = new_context().new_page()
    online.goto("/")
    offline_context = new_context()
    page = offline_context.new_page()
    page.goto("/")
    offline_context.set_offline(True)
    page.evaluate("() => fetch('/').catch(() => null)")
    offline_context.set_offline(False)
    online.evaluate("() => fetch('/no-such-page/')")
    online.wait_for_timeout(200)

    errors = new_context.pages.errors
    assert len(errors) == 1 and "Failed to load resource" in errors[0], errors
    new_context.pages.errors.clear()
