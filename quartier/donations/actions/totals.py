"""Running totals (donor aggregates, fundraising pages, daily shards) written in one fixed order.

Every transaction locks them in the same sequence — donors' aggregates by (identity key, period),
then fundraising pages by id, then daily shards by (day, currency, shard) — so two transactions cannot
deadlock on them, whatever events they apply together (a monthly gift's start and its first payment
touch two daily shards and a page; a batch of the webhook inbox touches many donors). Changes are
added to the transaction's batch, and the outermost batch writes them, sorted, once, when it ends.

A nested `batch()` is a savepoint of the batch: if its block raises, what it added is taken back (the
database savepoint around it rolls back the rows; this rolls back the sums still in memory).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from quartier.donations.models import DailyTotal, DonorAggregate, FundraisingPage
from quartier.lib.page_cache import bump, stamp

_state = threading.local()


class Batch:
    def __init__(self) -> None:
        self.aggregates: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.pages: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.daily: dict[tuple[date, str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def snapshot(self) -> tuple[dict, ...]:
        return tuple(
            {key: dict(changes) for key, changes in table.items()}
            for table in (self.aggregates, self.pages, self.daily)
        )

    def restore(self, saved: tuple[dict, ...]) -> None:
        for table, copy in zip((self.aggregates, self.pages, self.daily), saved, strict=True):
            table.clear()
            for key, changes in copy.items():
                table[key].update(changes)

    def pending(self, identity_key: str, period: str, name: str) -> int:
        """What this batch adds to a donor's aggregate and has not written yet."""
        changes = self.aggregates.get((identity_key, period))
        return changes.get(name, 0) if changes else 0

    def write(self) -> None:
        for identity_key, period in sorted(self.aggregates):
            changes = self.aggregates[identity_key, period]
            DonorAggregate.objects.filter(identity_key=identity_key, period=period).update(
                **{name: F(name) + value for name, value in changes.items()}
            )
        for page_id in sorted(self.pages):
            changes = self.pages[page_id]
            FundraisingPage.objects.filter(pk=page_id).update(
                **{name: F(name) + value for name, value in changes.items()}
            )
        for key in sorted(self.daily):
            _write_daily(*key, dict(self.daily[key]))


@contextmanager
def batch() -> Iterator[Batch]:
    """The transaction's batch: joined by nested writers, written in order when the outermost ends."""
    current = getattr(_state, "batch", None)
    if current is not None:
        saved = current.snapshot()
        try:
            yield current
        except BaseException:
            current.restore(saved)
            raise
        return
    current = _state.batch = Batch()
    try:
        with transaction.atomic():
            yield current
            current.write()
    finally:
        _state.batch = None


def _current() -> Batch:
    current = getattr(_state, "batch", None)
    if current is None:
        raise RuntimeError("totals are changed inside `totals.batch()` only")
    return current


def add_to_aggregate(*, identity_key: str, period: str, **changes: int) -> None:
    """Written with the batch: first in the order, before its pages and daily shards."""
    for name, value in changes.items():
        _current().aggregates[identity_key, period][name] += value


def pending_in_aggregate(*, identity_key: str, period: str, name: str) -> int:
    """What the current batch (if any) adds to the aggregate and has not written yet."""
    current = getattr(_state, "batch", None)
    return 0 if current is None else current.pending(identity_key, period, name)


def add_to_page(*, page_id: int | None, **changes: int) -> None:
    if page_id is None:
        return
    bump(stamp("fundraising", page_id))  # its thermometer and honour roll
    for name, value in changes.items():
        _current().pages[page_id][name] += value


def add_to_daily(*, day: date, currency: str, shard: int, **changes: int) -> None:
    for name, value in changes.items():
        _current().daily[day, currency, shard][name] += value


def _write_daily(day: date, currency: str, shard: int, changes: dict[str, int]) -> None:
    expressions = {name: F(name) + value for name, value in changes.items()}
    if DailyTotal.objects.filter(day=day, currency=currency, shard=shard).update(**expressions):
        return
    try:
        with transaction.atomic():
            DailyTotal.objects.create(day=day, currency=currency, shard=shard, **changes)
    except IntegrityError:
        DailyTotal.objects.filter(day=day, currency=currency, shard=shard).update(**expressions)
