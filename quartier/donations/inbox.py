"""The webhook inbox: a signed delivery is stored with one insert and answered; batches apply it later.

`receive` inserts the event (`INSERT … ON CONFLICT DO NOTHING`: a duplicate delivery inserts nothing)
and, on commit, `kick` asks for a batch: at once in eager mode (tests, the demo without a broker),
otherwise one Celery task per second at most (a debounce in the cache), plus the beat's sweep.

`apply_pending` claims up to `BATCH_SIZE` pending events (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
workers never wait for each other's batch) and applies them in one transaction, each in a savepoint
(`stripe_events.apply_event`: the event id inserted with its change, so exactly once as before);
totals and donors' aggregates are written once, sorted, when the batch ends (`actions.totals`).
An event that cannot be applied yet (its gift is not recorded: parked) stays pending and is tried
again later; one that raises is tried again `MAX_ATTEMPTS` times, then left `failed` with its error
for staff (the admin's inbox list), and never blocks the events after it. An event only Stripe can
match (a refund of a payment we do not know) is applied after the batch commits, outside it.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from quartier.donations import stripe_events
from quartier.donations.actions import totals
from quartier.donations.models import Gateway, InboxEvent, WebhookEvent
from quartier.donations.stripe_refs import MalformedEvent, local_refs

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_ATTEMPTS = 8
DEBOUNCE_SECONDS = 1
LONGEST_WAIT = timedelta(hours=1)
_KICK_KEY = "donations:inbox-kick"
_asked_until = [0.0]  # monotonic: until then, a queued task will claim what this process commits
_CLOCK_MARGIN = 0.2  # of a debounce: a kick's task claims that long after its key is gone
PARKED = "no gift of ours yet: parked (see the parked events)"


def receive(event: Any) -> str:
    """Store a verified event (one statement): "received", "duplicate" (stored before) or "ignored" (a
    type we do not use, not stored). Raises `MalformedEvent`."""
    event_id, event_type, obj, _at = stripe_events.parse(event)
    if event_type not in stripe_events.HANDLED:
        logger.info("stripe event %s of type %s ignored", event_id, event_type)
        return "ignored"
    hint = local_refs(event_type, obj).donation_id
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    payload = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {InboxEvent._meta.db_table} (gateway, event_id, type, payload, donation_hint, state,"  # noqa: S608 (our table)
            " outcome, attempts, last_error, received_at, next_try_at)"
            f" VALUES (%s, %s, %s, {payload}, %s, %s, '', 0, '', %s, %s)"
            " ON CONFLICT (gateway, event_id) DO NOTHING RETURNING id",
            [
                Gateway.STRIPE,
                event_id,
                event_type,
                json.dumps(event),
                hint,
                InboxEvent.State.PENDING,
                now,
                now,
            ],
        )
        stored = cursor.fetchone() is not None
    transaction.on_commit(kick, robust=True)  # stored already: a failed batch is logged, retried later
    return "received" if stored else "duplicate"


def kick() -> None:
    """Ask for a batch: now in eager mode, else one task per `DEBOUNCE_SECONDS` (the sweep catches the rest).

    The cache key lives a debounce and holds the moment it goes; its task claims a little after that
    (`_CLOCK_MARGIN`: the clocks of other machines), so what any process commits while the key lives
    is in that task, and a process asks the cache nothing more until the key is gone. A process thus
    reaches the cache at most once a debounce (twice when another queued the task: the refused `add`,
    then the `get` of its end), not once a delivery."""
    from quartier.donations import tasks

    if settings.CELERY_TASK_ALWAYS_EAGER:
        drain()
        return
    now = time.monotonic()
    if now < _asked_until[0]:
        return
    ends_at = time.time() + DEBOUNCE_SECONDS
    if cache.add(_KICK_KEY, ends_at, timeout=DEBOUNCE_SECONDS):
        tasks.apply_inbox.apply_async(countdown=DEBOUNCE_SECONDS * (1 + _CLOCK_MARGIN))
    else:
        queued = cache.get(_KICK_KEY)
        if not isinstance(queued, float):  # gone meanwhile: ask again on the next delivery
            return
        # The key outlives the moment it holds by the round trip of its `add`; while it lives, its
        # task claims at least a margin later: half of one is a safe wait.
        ends_at = max(min(queued, ends_at), time.time() + DEBOUNCE_SECONDS * _CLOCK_MARGIN / 2)
    _asked_until[0] = now + ends_at - time.time()


def drain(*, batches: int = 50) -> Counter[str]:
    """Batches until nothing is due (or `batches` were applied: the next sweep goes on)."""
    counts: Counter[str] = Counter()
    for _batch in range(batches):
        done = apply_pending()
        counts.update(done)
        if sum(done.values()) < BATCH_SIZE:
            break
    return counts


def apply_for_donation(donation_id: int) -> Counter[str]:
    """The donor's own events, applied now (the thanks page does not wait for the next batch)."""
    if not InboxEvent.objects.filter(state=InboxEvent.State.PENDING, donation_hint=donation_id).exists():
        return Counter()
    return apply_pending(donation_id=donation_id)


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 12)), LONGEST_WAIT)


def _claim(limit: int, donation_id: int | None) -> list[InboxEvent]:
    due = InboxEvent.objects.filter(state=InboxEvent.State.PENDING)
    due = (
        due.filter(donation_hint=donation_id) if donation_id else due.filter(next_try_at__lte=timezone.now())
    )
    return list(due.select_for_update(skip_locked=True).order_by("id")[:limit])


def apply_pending(*, limit: int = BATCH_SIZE, donation_id: int | None = None) -> Counter[str]:
    """One batch in one transaction; the number of events by outcome."""
    counts: Counter[str] = Counter()
    later: list[InboxEvent] = []
    with transaction.atomic(), totals.batch():
        claimed = _claim(limit, donation_id)
        now = timezone.now()
        done: dict[str, list[int]] = {}
        for row in claimed:
            outcome = _apply_one(row, now)
            if outcome != "ask_stripe":  # counted when applied, after the batch
                counts[outcome] += 1
            if outcome in {"applied", "duplicate", "ignored"}:
                done.setdefault(outcome, []).append(row.pk)
            elif outcome == "ask_stripe":
                later.append(row)
        for outcome, ids in done.items():
            InboxEvent.objects.filter(pk__in=ids).update(
                state=InboxEvent.State.DONE, outcome=outcome, done_at=now, last_error=""
            )
    for row in later:
        counts.update(_apply_alone(row))
    return counts


def _apply_one(row: InboxEvent, now) -> str:
    """The event in its own savepoint: applied, or left pending (parked, failed try) for later."""
    try:
        with transaction.atomic(), totals.batch():
            outcome = stripe_events.apply_event(row.payload, ask_stripe=False)
    except Exception as error:  # a poison event: recorded and retried, never blocks the batch
        _failed_try(row, now, error)
        return "error"
    if outcome == "parked":
        _retry_later(row, now, PARKED)
    return outcome


def _retry_later(row: InboxEvent, now, reason: str, *, state: str = InboxEvent.State.PENDING) -> None:
    """Still pending (or failed for good): never marked done, tried again after a growing wait."""
    InboxEvent.objects.filter(pk=row.pk).update(
        attempts=row.attempts + 1, last_error=reason[:2000], next_try_at=now + _backoff(row.attempts + 1),
        outcome="parked" if reason == PARKED else "error", state=state,
    )  # fmt: skip


def _failed_try(row: InboxEvent, now, error: Exception) -> None:
    failed = row.attempts + 1 >= MAX_ATTEMPTS or isinstance(error, MalformedEvent)
    logger.log(
        logging.ERROR if failed else logging.WARNING, "stripe event %s (%s) not applied (try %s): %r",
        row.event_id, row.type, row.attempts + 1, error, exc_info=failed,
    )  # fmt: skip
    _retry_later(
        row, now, f"{type(error).__name__}: {error}",
        state=InboxEvent.State.FAILED if failed else InboxEvent.State.PENDING,
    )  # fmt: skip


def _apply_alone(row: InboxEvent) -> Counter[str]:
    """An event that needs Stripe's answer: asked outside the batch, applied in its own transaction."""
    now = timezone.now()
    try:
        outcome = stripe_events.apply_event(row.payload)
    except Exception as error:  # Stripe unreachable, a poison event: tried again later
        _failed_try(row, now, error)
        return Counter(error=1)
    if outcome == "parked":
        _retry_later(row, now, PARKED)
    else:
        InboxEvent.objects.filter(pk=row.pk).update(
            state=InboxEvent.State.DONE, outcome=outcome, done_at=now, last_error=""
        )
    return Counter({outcome: 1})


def failed() -> list[InboxEvent]:
    """Events given up on and not applied since (by `reconcile_stripe`): what staff are alerted to."""
    applied = WebhookEvent.objects.filter(gateway=OuterRef("gateway"), event_id=OuterRef("event_id"))
    given_up = InboxEvent.objects.filter(state=InboxEvent.State.FAILED).exclude(Exists(applied))
    return list(given_up.order_by("received_at", "pk"))
