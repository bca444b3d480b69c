"""The worker's side: claim a batch under a lease, send each message once (email or SMS, quiet hours), record what went.

Fencing: a claim has a random token, written on each delivery it takes. Every write the worker makes
about a delivery afterwards is a conditional UPDATE on that token ("still mine"): the UPDATE that
marks a delivery attempted (just before the mail server or SMS gateway hears of it) also checks that it
is still `sending` and not attempted, so a delivery the sweep gave back after the lease ran out is
never sent by the worker that lost it. Durability costs one commit per `HANDOVER_CHUNK` emails, not one
per email: the worker first marks a chunk `handover_at` durably, then each email's `attempted_at`
without waiting for the disk (a killed worker loses none of those marks; only a database server
restart can, and the sweep then treats the whole chunk as attempted: `campaign_send.sweep`). The worker renews the lease of the rest of its batch as it goes
(`Lease.renew_if_due`, before each message), and the attempt renews that delivery's own. The sweep
(`campaign_send.sweep`) queues again only deliveries never attempted; an attempted one whose lease ran
out is marked failed with `UNKNOWN_OUTCOME` for review, never sent again.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.outreach import emails, merge, queries, throttle
from quartier.outreach.models import (
    PERSONAL,
    Delivery,
    Message,
    SmsSubscription,
)

logger = logging.getLogger(__name__)

# A batch looks whether its message was cancelled every so many emails.
CANCEL_CHECK_EVERY = 50

# A batch writes `sent` for the emails handed over every so many emails, in one statement.
RECORD_EVERY = 100

# Deliveries whose handover a worker opens with one durable commit (see the module docstring): at most
# this many become `UNKNOWN_OUTCOME` if the database server restarts during a send.
HANDOVER_CHUNK = 50

# A worker renews the lease of the rest of its batch whenever this fraction of the lease has passed.
RENEW_AFTER_FRACTION = 0.1

# The error of a delivery attempted by a worker that then went silent past its lease: it may or may
# not have reached the mail server, so it is not sent again; staff can review these.
UNKNOWN_OUTCOME = (
    "unknown: the worker stopped while handing this message over and its lease ran out; "
    "not sent again (it may have arrived)"
)

# The worker's clock for lease renewal (monotonic; tests move it).
_clock = time.monotonic


class Lease:
    """One worker's claim on a batch of deliveries (its token), and every write it makes about them."""

    def __init__(self, token: str, delivery_ids: list[int]) -> None:
        self.token = token
        self.delivery_ids = delivery_ids
        self.renewed = _clock()
        self.opened: set[int] = set()  # deliveries whose handover is durably open

    def mine(self, delivery_ids: Iterable[int]):
        return Delivery.objects.filter(pk__in=list(delivery_ids), claim_token=self.token)

    def is_due(self) -> bool:
        return _clock() - self.renewed >= settings.OUTREACH_LEASE_SECONDS * RENEW_AFTER_FRACTION

    def renew_if_due(self, remaining_ids: Iterable[int]) -> None:
        """Push the lease of the deliveries not yet attempted forward, at most every tenth of a lease."""
        if not self.is_due():
            return
        self.mine(remaining_ids).filter(status=Delivery.Status.SENDING, attempted_at__isnull=True).update(
            claimed_at=timezone.now()
        )
        self.renewed = _clock()

    def open_handover(self, delivery_ids: list[int]) -> None:
        """Mark the next deliveries `handover_at` (the database's clock), committed durably, before any
        of them is attempted: what the sweep trusts if a server restart lost an `attempted_at`."""
        with _durably():
            self.mine(delivery_ids).filter(status=Delivery.Status.SENDING, attempted_at__isnull=True).update(
                handover_at=Now(), claimed_at=timezone.now()
            )
        self.opened.update(delivery_ids)

    def attempt(self, delivery_id: int, ahead: Iterable[int] = ()) -> bool:
        """Mark a delivery attempted if it is still this worker's, `sending` and never attempted; False
        when the sweep gave it back meanwhile (then this worker must not send it). The sweep reads it
        to decide that a delivery must never be sent again: it is committed without waiting for the
        disk, after its chunk's durable `handover_at` (opened here with the deliveries `ahead`)."""
        if delivery_id not in self.opened:
            ahead_ids = [pk for pk in ahead if pk != delivery_id][: HANDOVER_CHUNK - 1]
            self.open_handover([delivery_id, *ahead_ids])
        now = timezone.now()
        return bool(
            Delivery.objects.filter(
                pk=delivery_id,
                claim_token=self.token,
                status=Delivery.Status.SENDING,
                attempted_at__isnull=True,
            ).update(attempted_at=now, claimed_at=now)
        )

    def record(self, delivery_id: int, **fields: object) -> int:
        """What became of a delivery this worker attempted (`sent`, `failed`): still fenced by the token,
        which the sweep keeps on attempted deliveries, so a late answer corrects `UNKNOWN_OUTCOME`."""
        return self.mine([delivery_id]).update(**fields)

    def settle(self, delivery_ids: Iterable[int], **fields: object) -> int:
        """Deliveries of this claim never attempted: skipped, failed or given back (only if still mine)."""
        return (
            self.mine(delivery_ids)
            .filter(status=Delivery.Status.SENDING, attempted_at__isnull=True)
            .update(**fields)
        )


@contextmanager
def _durably():
    """PostgreSQL: commit what is inside whatever `synchronous_commit` says for the session."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO ON")
        yield


def _claim(message_id: int, first_id: int, last_id: int) -> Lease:
    """Move the queued deliveries of a range to `sending` under a new claim token, so that no other
    worker sends them.

    Nothing is claimed for a message that is not being sent (cancelled, or not started).
    """
    token = secrets.token_hex(16)
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                message_id=message_id,
                message__status=Message.Status.SENDING,
                pk__gte=first_id,
                pk__lte=last_id,
                status=Delivery.Status.QUEUED,
            )
            .exclude(not_before__gt=timezone.now())  # deferred by quiet hours
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=claimed, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING,
            claimed_at=timezone.now(),
            claim_token=token,
            attempted_at=None,
            handover_at=None,
        )
    return Lease(token, claimed)


def _short_error(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:1000]


def _still_sendable(message: Message, deliveries: list[Delivery]) -> set[int]:
    """The deliveries whose supporter still consents, or whose address is still not suppressed,
    now that they are about to go (an unsubscription during a send is honoured at once)."""
    supporter_ids = [delivery.supporter_id for delivery in deliveries if delivery.supporter_id]
    consenting = set()
    if supporter_ids:
        consenting = set(
            queries.consenting(Supporter.objects.filter(pk__in=supporter_ids), message.audience).values_list(
                "pk", flat=True
            )
        )
    addresses = [delivery.address for delivery in deliveries if not delivery.supporter_id]
    suppressed = queries.suppressed_among(addresses) if addresses else set()
    return {
        delivery.pk
        for delivery in deliveries
        if (delivery.supporter_id in consenting)
        or (not delivery.supporter_id and delivery.address not in suppressed)
    }


def send_deliveries(*, message_id: int, first_id: int, last_id: int) -> dict[str, int]:
    """Send the queued deliveries of one message whose ids are in [first_id, last_id].

    At most once: only deliveries this call claims are sent, each only if it is still this call's
    when it is marked attempted (see the module docstring), so running it again (a retried task, a
    second worker, a worker slower than its lease) sends nothing twice. One failing address is
    recorded on its delivery and does not stop the others. A worker killed mid-batch leaves its
    deliveries in `sending`; the sweep queues again those never attempted (sent once, by another
    worker) and marks the one being handed over `failed` (`UNKNOWN_OUTCOME`), never sent twice.
    """
    with _commits_without_waiting_for_the_disk():
        return _send_deliveries(message_id=message_id, first_id=first_id, last_id=last_id)


@contextmanager
def _commits_without_waiting_for_the_disk():
    """PostgreSQL: the status commits of a batch (attempted, sent, failed, renewals) do not wait for
    the WAL to reach the disk (`synchronous_commit = off`; a worker crash loses nothing, a database
    server crash at most the last fraction of a second of them: a delivery whose `sent` is lost then
    looks attempted and unanswered, and is marked `UNKNOWN_OUTCOME`, not sent again; one whose
    `attempted` is lost is in a chunk whose `handover_at` is older than the restart, and is treated
    the same). The mark the promise rests on, a chunk's `handover_at`, is committed durably
    (`Lease.open_handover`)."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_deliveries(*, message_id: int, first_id: int, last_id: int) -> dict[str, int]:
    counts = {"sent": 0, "failed": 0, "skipped": 0, "lost": 0}
    lease = _claim(message_id, first_id, last_id)
    if not lease.delivery_ids:
        return counts
    message = Message.objects.select_related("sender").get(pk=message_id)
    deliveries = list(
        Delivery.objects.filter(pk__in=lease.delivery_ids).select_related("supporter").order_by("pk")
    )
    if message.channel == Message.Channel.SMS:
        _send_sms_batch(message, deliveries, counts, lease)
        finish_if_done(message_id)
        return counts
    sendable = _still_sendable(message, deliveries)
    to_send = [delivery for delivery in deliveries if delivery.pk in sendable]
    skipped = [delivery.pk for delivery in deliveries if delivery.pk not in sendable]
    if skipped:
        counts["skipped"] = lease.settle(skipped, status=Delivery.Status.SKIPPED)
    if not to_send:
        return counts

    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        logger.exception("outreach: cannot reach the mail server for message %s", message_id)
        counts["failed"] = lease.settle(
            [d.pk for d in to_send], status=Delivery.Status.FAILED, error=_short_error(error)
        )
        return counts
    renderer = emails.Renderer(message) if message.audience != PERSONAL else None
    if renderer is not None:
        renderer.prepare([delivery.supporter for delivery in to_send])
    sent: list[int] = []  # handed over, their `sent` written together (`_record_sent`)
    try:
        for index, delivery in enumerate(to_send):
            if index and index % CANCEL_CHECK_EVERY == 0 and _cancelled(message_id):
                counts["skipped"] += _give_back(lease, to_send[index:], cancelled=True)
                break
            try:
                if renderer is not None:
                    email = renderer.email_for(
                        delivery.supporter, connection=connection, delivery_id=delivery.pk
                    )
                else:
                    email = emails.build_email(message, delivery.address, connection=connection)
            except Exception:
                # Our own bug (a template, a URL), not the recipient's: give the rest back to
                # `queued` and fail loudly; `enqueue_deliveries(message_id)` sends them once fixed.
                _give_back(lease, to_send[index:], cancelled=False)
                raise
            throttle.wait_for_slot()
            if lease.is_due():  # before the lease of those handed over but not yet recorded runs out
                _record_sent_batch(lease, sent)
            lease.renew_if_due(d.pk for d in to_send[index:])
            # Marked before the mail server hears of it, if still ours: a crash from here on leaves
            # the delivery "attempted" (never sent again, see `sweep`); a crash before leaves it safe
            # to queue again; one the sweep gave back meanwhile is another worker's to send.
            if not lease.attempt(delivery.pk, ahead=(d.pk for d in to_send[index : index + HANDOVER_CHUNK])):
                counts["lost"] += 1
                continue
            try:
                email.send()
            except Exception as error:
                # Whatever the backend (SMTP, an ESP), an error sending to one address is that
                # delivery's alone: recorded on it, and the others still go.
                logger.warning("outreach: delivery %s failed: %s", delivery.pk, error)
                lease.record(delivery.pk, status=Delivery.Status.FAILED, error=_short_error(error))
                counts["failed"] += 1
            else:
                sent.append(delivery.pk)
                counts["sent"] += 1
                if len(sent) >= RECORD_EVERY:
                    _record_sent_batch(lease, sent)
    finally:
        _record_sent_batch(lease, sent)
        connection.close()
    finish_if_done(message_id)
    return counts


def _record_sent_batch(lease: Lease, sent: list[int]) -> None:
    """`sent` for the deliveries handed over since the last call, in one fenced UPDATE; emptied.

    A crash before it leaves them attempted and unanswered: the sweep marks them `UNKNOWN_OUTCOME`,
    never sends them again (the promise rests on the durable `attempted` mark, not on this one)."""
    if sent:
        lease.mine(sent).update(status=Delivery.Status.SENT, sent_at=timezone.now(), error="")
        sent.clear()


def _cancelled(message_id: int) -> bool:
    return Message.objects.filter(pk=message_id, status=Message.Status.CANCELLED).exists()


def _give_back(lease: Lease, deliveries: list[Delivery], *, cancelled: bool) -> int:
    """Deliveries claimed but not attempted: back to `queued`, or `skipped` when the send was cancelled."""
    status = Delivery.Status.SKIPPED if cancelled else Delivery.Status.QUEUED
    return lease.settle(
        [delivery.pk for delivery in deliveries],
        status=status,
        claimed_at=None,
        claim_token="",
        error="cancelled" if cancelled else "",
    )


def finish_if_done(message_id: int) -> bool:
    """Mark a message sent once none of its deliveries is waiting; record it in the journal once."""
    waiting = Delivery.objects.filter(
        message_id=message_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    ).exists()
    if waiting:
        return False
    finished = Message.objects.filter(pk=message_id, status=Message.Status.SENDING).update(
        status=Message.Status.SENT, finished_at=timezone.now()
    )
    if finished:
        _record_sent(message_id)
    return bool(finished)


def _record_sent(message_id: int) -> None:
    """`outreach.sent` in the activity journal: who sent how many emails (see the module docstring)."""
    journal = _journal()
    if journal is None:
        return
    message = Message.objects.select_related("sender").get(pk=message_id)
    sent = Delivery.objects.filter(message_id=message_id, status=Delivery.Status.SENT).count()
    journal.record_activity(
        "outreach.sent",
        supporter=message.sender,
        key=f"message:{message_id}",
        occurred_at=message.finished_at,
        count=sent,
        group_id=_group_of(message.audience),
        detail={"message": message_id, "audience": message.audience, "channel": message.channel},
    )


def _group_of(audience: str) -> int | None:
    kind, _colon, number = audience.partition(":")
    return int(number) if kind == "group" and number.isdigit() else None


def _journal():
    try:
        from quartier.accounts import activity
    except ImportError:  # the journal arrives with issue 11
        return None
    return activity


def _zone(zone_name: str):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(zone_name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def in_quiet_hours(zone_name: str, now: datetime | None = None) -> bool:
    """Whether it is too late or too early to text someone in `zone_name` (`SMS_QUIET_HOURS`)."""
    hour = (now or timezone.now()).astimezone(_zone(zone_name)).hour
    start, end = settings.SMS_QUIET_HOURS
    return (hour >= start or hour < end) if start > end else (start <= hour < end)


def quiet_hours_end(zone_name: str, now: datetime | None = None) -> datetime:
    """The next time the quiet hours end in `zone_name` (9:00 there by default): when a deferred
    text may go."""
    zone = _zone(zone_name)
    local = (now or timezone.now()).astimezone(zone)
    end = local.replace(hour=settings.SMS_QUIET_HOURS[1], minute=0, second=0, microsecond=0)
    if end <= local:
        end = (end.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=zone)
    return end


def _send_sms_batch(
    message: Message, deliveries: list[Delivery], counts: dict[str, int], lease: Lease
) -> None:
    """Text each delivery's supporter whose subscription is still active (STOP during a send is
    honoured here), in the subscription's language, unless it is quiet hours where they are: those
    are deferred (back to the queue, not claimed before their quiet hours end), never dropped.
    Fenced as email is (see the module docstring)."""
    from quartier.outreach import sms, sms_text

    gateway = sms.gateway()
    subscriptions = {
        row.supporter_id: row
        for row in SmsSubscription.objects.filter(
            supporter_id__in=[d.supporter_id for d in deliveries], opted_out_at__isnull=True
        ).order_by("opted_in_at", "pk")
    }
    wants_values = bool(
        merge.used_fields(message.body, *[v.get("body", "") for v in message.versions.values()])
    )
    later: dict[datetime, list[int]] = {}
    for index, delivery in enumerate(deliveries):
        subscription = subscriptions.get(delivery.supporter_id)
        if subscription is None or subscription.opted_out_at is not None:
            counts["skipped"] += lease.settle([delivery.pk], status=Delivery.Status.SKIPPED)
            continue
        if in_quiet_hours(subscription.time_zone):
            later.setdefault(quiet_hours_end(subscription.time_zone), []).append(delivery.pk)
            continue
        language = sms_text.language_of(subscription.language or delivery.supporter.language)
        values = {
            "first_name": (delivery.supporter.display_name.split() or [""])[0],
            "town": delivery.supporter.town,
        }
        text = sms_text.compose(message.version(language)["body"], language, values if wants_values else {})
        lease.renew_if_due(
            [*(pk for ids in later.values() for pk in ids), *(d.pk for d in deliveries[index:])]
        )
        if not lease.attempt(delivery.pk, ahead=(d.pk for d in deliveries[index : index + HANDOVER_CHUNK])):
            counts["lost"] += 1
            continue
        try:
            gateway.send(to=subscription.phone, body=text)
        except Exception as error:
            lease.record(delivery.pk, status=Delivery.Status.FAILED, error=_short_error(error))
            counts["failed"] += 1
        else:
            lease.record(delivery.pk, status=Delivery.Status.SENT, sent_at=timezone.now())
            counts["sent"] += 1
    for when, delivery_ids in later.items():
        counts["deferred"] = counts.get("deferred", 0) + lease.settle(
            delivery_ids, status=Delivery.Status.QUEUED, claimed_at=None, claim_token="", not_before=when
        )
