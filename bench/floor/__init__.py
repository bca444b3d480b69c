"""The bare floor every page is measured against: a copy of the project's shared `bench/floorapp.py`.

`bench.http` serves `../shared/bench/floorapp.py` beside the checkout when it exists (the reference
the figures of other rounds used), else this copy, which a test keeps identical to it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_FLOOR_APP = ROOT.parent / "shared" / "bench" / "floorapp.py"
BUNDLED_FLOOR_APP = Path(__file__).resolve().parent / "floorapp.py"


def floor_app() -> Path:
    return SHARED_FLOOR_APP if SHARED_FLOOR_APP.exists() else BUNDLED_FLOOR_APP
