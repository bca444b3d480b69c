"""The demo's dashboards: journal what the generator inserted in bulk, then count every figure."""

from __future__ import annotations

from collections.abc import Callable

from quartier.dashboard import actions, backfill


def load(progress: Callable[[str], object] = print) -> None:
    written = sum(count for _name, count in backfill.backfill_journal())
    read = actions.rebuild()
    progress(f"  dashboards: {written} journal rows offered, {read} counted")
