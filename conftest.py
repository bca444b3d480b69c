"""Root pytest configuration: shared fixtures, and no silent skips when QUARTIER_REQUIRE_ALL=1."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["quartier.testing"]

REQUIRE_ALL = os.environ.get("QUARTIER_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        # In CI every service and browser must be there: a skip is a failure, with its reason.
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"QUARTIER_REQUIRE_ALL=1 forbids skipping: {reason}"
