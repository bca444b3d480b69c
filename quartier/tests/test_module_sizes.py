"""One file per subject: no module of `quartier/` grows past 500 lines (docs/architecture.md).

When one does, split it by subject into a package (`actions/consent.py`, …) whose `__init__.py` says
in one line what each module holds. Migrations are generated; the demo generator is one data script.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
MAX_LINES = 500
ALLOWED = {PACKAGE / "demo" / "generator.py"}


def test_no_module_is_over_500_lines():
    too_long = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and path not in ALLOWED
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}
