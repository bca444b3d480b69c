"""Outgoing webhooks: register endpoints, turn the activity journal's new rows into deliveries, send
them signed, retry with exponential backoff, replay on demand.

Why the journal (docs/decisions.md, "Outgoing webhooks read the activity journal"): every app already
records what happened there in the transaction of the change, so a delivery exists only for a change
that committed, and no domain app has to know about the API.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from quartier.accounts.models import Activity, Supporter
from quartier.api.models import JournalCursor, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from quartier.api.webhooks import events, network, signing

CURSOR_NAME = "webhooks"
# A journal row is "settled" this long after it was recorded: a transaction that took a lower id but
# committed later has committed by then. The cursor never passes an unsettled row; rows after it are
# read again at the next run, and the unique (endpoint, activity) makes that harmless.
SETTLE_SECONDS = 60
BATCH_ROWS = 1000
SENDING_TIMEOUT = timedelta(minutes=10)  # a worker that died while sending: its delivery is retried


class EndpointRefused(Exception):
    pass


@transaction.atomic
def create_endpoint(
    *, url: str, event_types: list[str], description: str, created_by: Supporter | None
) -> WebhookEndpoint:
    """A new endpoint (its secret is shown once by the view that created it)."""
    try:
        network.checked_address(url)
    except network.RefusedAddress as error:
        raise EndpointRefused(str(error)) from None
    unknown = set(event_types) - set(events.EVENT_TYPE_LABELS)
    if unknown or not event_types:
        raise EndpointRefused(f"unknown event types: {sorted(unknown)}")
    return WebhookEndpoint.objects.create(
        url=url, event_types=sorted(set(event_types)), description=description, created_by=created_by
    )


def set_active(endpoint: WebhookEndpoint, *, active: bool) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=active)


def _new_delivery(endpoint: WebhookEndpoint, *, event_type: str, data: dict, **fields) -> WebhookDelivery:
    key = uuid.uuid4()
    payload = events.envelope(
        idempotency_key=str(key), event_type=event_type, created=timezone.now().isoformat(), data=data
    )
    return WebhookDelivery(
        endpoint=endpoint, event_type=event_type, idempotency_key=key, payload=payload, **fields
    )


@transaction.atomic
def pull_journal(*, now: datetime | None = None, batch: int = BATCH_ROWS) -> int:
    """Make the deliveries of the journal rows after the cursor; returns how many rows were read."""
    now = now or timezone.now()
    JournalCursor.objects.get_or_create(name=CURSOR_NAME)
    cursor = JournalCursor.objects.select_for_update().get(name=CURSOR_NAME)  # one reader at a time
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    if not endpoints:  # nobody listens: history is not kept for endpoints made later
        latest = Activity.objects.aggregate(latest=Max("pk"))["latest"] or 0
        JournalCursor.objects.filter(pk=cursor.pk).update(
            last_activity_id=max(latest, cursor.last_activity_id)
        )
        return 0
    wanted = {event_type for endpoint in endpoints for event_type in endpoint.event_types}
    rows = list(
        Activity.objects.filter(pk__gt=cursor.last_activity_id, kind__in=events.kinds_for(wanted))
        .select_related("supporter")
        .order_by("pk")[:batch]
    )
    deliveries = []
    settled_until = cursor.last_activity_id
    still_settling = False
    for row in rows:
        event_type, data = events.body_for(row)
        for endpoint in endpoints:
            if event_type in endpoint.event_types and row.recorded_at >= endpoint.created_at:
                deliveries.append(
                    _new_delivery(
                        endpoint,
                        event_type=event_type,
                        data=data,
                        activity_id=row.pk,
                        supporter=row.supporter,
                        next_attempt_at=now,
                    )
                )
        still_settling = still_settling or row.recorded_at > now - timedelta(seconds=SETTLE_SECONDS)
        if not still_settling:
            settled_until = row.pk
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=500)
    JournalCursor.objects.filter(pk=cursor.pk).update(last_activity_id=settled_until)
    return len(rows)


@transaction.atomic
def send_ping(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event, queued at once, to check the URL and the receiver's signature code."""
    from quartier.api import tasks

    delivery = _new_delivery(endpoint, event_type=events.PING, data={"message": "ping"})
    delivery.save()
    transaction.on_commit(lambda: tasks.deliver_webhook.delay(delivery.pk))
    return delivery


def due_deliveries(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Deliveries to send now (new, or whose retry is due, or stuck with a dead worker), to active
    endpoints only."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).update(status=WebhookDelivery.Status.RETRYING, next_attempt_at=now)
    return list(
        WebhookDelivery.objects.filter(
            Q(status=WebhookDelivery.Status.PENDING) | Q(status=WebhookDelivery.Status.RETRYING),
            next_attempt_at__lte=now,
            endpoint__is_active=True,  # a paused endpoint's deliveries wait (a replay still sends)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def retry_delay(attempts: int) -> timedelta:
    """30 s, 2 min, 8 min, 32 min, ~2 h, ~8.5 h, ~34 h: exponential, four times longer each time."""
    return timedelta(seconds=settings.WEBHOOKS_FIRST_RETRY_SECONDS * 4 ** max(0, attempts - 1))


def body_bytes(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def deliver(delivery_id: int, *, now: datetime | None = None, replay: bool = False) -> bool:
    """Send one delivery if it is due and nobody else is sending it; log the attempt. True if sent."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        next_attempt_at__lte=now,
    ).update(status=WebhookDelivery.Status.SENDING, claimed_at=now)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    body = body_bytes(delivery)
    attempt_number = delivery.attempts + 1
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Quartier-Webhooks/1",
        signing.SIGNATURE_HEADER: signing.signature_header(delivery.endpoint.secret, body),
        "Quartier-Event": delivery.event_type,
        "Idempotency-Key": str(delivery.idempotency_key),
        "Quartier-Attempt": str(attempt_number),
    }
    outcome = network.post(delivery.endpoint.url, body, headers)
    finished = timezone.now()
    WebhookAttempt.objects.create(
        delivery=delivery, number=attempt_number, started_at=now, status_code=outcome.status_code,
        duration_ms=outcome.duration_ms, error=outcome.error, replay=replay,
    )  # fmt: skip
    changes: dict[str, object] = {
        "attempts": attempt_number,
        "last_status_code": outcome.status_code,
        "last_duration_ms": outcome.duration_ms,
        "last_error": outcome.error,
        "claimed_at": None,
    }
    if outcome.succeeded:
        changes |= {"status": WebhookDelivery.Status.SUCCEEDED, "delivered_at": finished}
    elif attempt_number >= settings.WEBHOOKS_MAX_ATTEMPTS:
        changes |= {"status": WebhookDelivery.Status.FAILED}
    else:
        changes |= {
            "status": WebhookDelivery.Status.RETRYING,
            "next_attempt_at": finished + retry_delay(attempt_number),
        }
    WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.SENDING).update(**changes)
    return True


@transaction.atomic
def replay(delivery: WebhookDelivery) -> bool:
    """Send a delivery again now (queued), with the same body and idempotency key, whatever its status
    unless a worker is sending it at this moment. A failed one gets one more try (and its retries if
    attempts are left)."""
    from quartier.api import tasks

    reset = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=WebhookDelivery.Status.SENDING)
        .update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now())
    )
    if reset:
        transaction.on_commit(lambda: tasks.deliver_webhook.delay(delivery.pk, replay=True))
    return bool(reset)
