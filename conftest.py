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


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass leaves out tests that make a database of their own (`own_database`): the
    SQLite pass already ran them exactly as they would run here. Left out, not skipped."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept = [item for item in items if item.get_closest_marker("own_database") is None]
    left_out = [item for item in items if item.get_closest_marker("own_database") is not None]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
