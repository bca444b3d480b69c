"""Starting a send: the audience snapshot (email or SMS), deliveries written in bulk, the sweep of due and stalled sends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from quartier.accounts.models import Supporter, validate_audience
from quartier.lib.text import render_markdown
from quartier.outreach import merge, queries
from quartier.outreach.actions.delivery import UNKNOWN_OUTCOME, finish_if_done
from quartier.outreach.models import (
    TOPICS,
    Delivery,
    Message,
)

# Deliveries per Celery task: small enough that a task finishes in well under a minute over SMTP.
BATCH_SIZE = 200

# Rows per INSERT when writing a message's deliveries.
INSERT_BATCH_SIZE = 1000

SUBJECT_MAX_LENGTH = Message._meta.get_field("subject").max_length


def _consenting_ids(recipients: Iterable[Supporter], audience: str) -> list[int]:
    if isinstance(recipients, QuerySet):
        if recipients.model is not Supporter:
            raise TypeError(f"recipients must be supporters, not {recipients.model.__name__} rows")
        candidates = Supporter.objects.filter(pk__in=recipients.values("pk"))
        return list(queries.consenting(candidates, audience).order_by("pk").values_list("pk", flat=True))
    wanted = sorted({recipient.pk for recipient in recipients})
    found: list[int] = []
    for start in range(0, len(wanted), INSERT_BATCH_SIZE):  # stays under SQLite's variable limit
        chunk = Supporter.objects.filter(pk__in=wanted[start : start + INSERT_BATCH_SIZE])
        found.extend(queries.consenting(chunk, audience).order_by("pk").values_list("pk", flat=True))
    return found


@transaction.atomic
def send_message(
    *,
    sender: Supporter | None,
    audience: str,
    audience_label: str,
    recipients: Iterable[Supporter],
    subject: str,
    body: str,
    reply_to_sender: bool = True,
) -> Message:
    """Write a message and queue one delivery per recipient who consents to `audience`.

    The caller decides who may write to the audience and who its recipients are; recipients who have
    not consented (or unsubscribed, or are not verified and active) are left out. The emails go out
    after commit, in Celery tasks of `BATCH_SIZE` deliveries (at once when Celery runs eagerly).
    """
    validate_audience(audience)
    subject = " ".join(subject.split())
    if not subject or len(subject) > SUBJECT_MAX_LENGTH:
        raise ValueError(f"a message needs a subject of 1 to {SUBJECT_MAX_LENGTH} characters")
    if not body.strip():
        raise ValueError("a message needs a body")
    message = Message.objects.create(
        sender=sender,
        audience=audience,
        audience_label=" ".join(audience_label.split()),
        subject=subject,
        body=body,
        body_html=render_markdown(body),
        reply_to_sender=reply_to_sender,
    )
    supporter_ids = _consenting_ids(recipients, audience)
    Delivery.objects.bulk_create(
        [Delivery(message=message, supporter_id=supporter_id) for supporter_id in supporter_ids],
        batch_size=INSERT_BATCH_SIZE,
    )
    message.recipient_count = len(supporter_ids)
    message.save(update_fields=["recipient_count"])
    message_id = message.pk
    # robust: the message is saved whatever happens to the broker; a failure is logged, not a 500.
    transaction.on_commit(lambda: enqueue_deliveries(message_id), robust=True)
    return message


def enqueue_deliveries(message_id: int) -> int:
    """Queue one task per `BATCH_SIZE` range of the message's delivery ids; return how many."""
    from quartier.outreach import tasks

    bounds = Delivery.objects.filter(message_id=message_id, status=Delivery.Status.QUEUED).aggregate(
        first=Min("pk"), last=Max("pk")
    )
    if bounds["first"] is None:
        return 0
    batches = 0
    for first in range(bounds["first"], bounds["last"] + 1, BATCH_SIZE):
        tasks.send_deliveries.delay(message_id, first, first + BATCH_SIZE - 1)
        batches += 1
    return batches


class OutreachError(Exception):
    """A rule a message breaks, said in words a staff member can act on (translated by the caller's
    language at the time it is raised)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _start_task(message_id: int) -> None:
    from quartier.outreach import tasks

    tasks.start_sending.delay(message_id)


def start_sending(message_id: int) -> int:
    """Snapshot the audience of a scheduled message and queue its deliveries; return how many.

    Exactly once: the conditional UPDATE from `scheduled` to `sending` lets one caller through
    (a retried task, the sweep and a worker racing find nothing to do). The deliveries are written
    in the same transaction by one INSERT … SELECT, so the audience is who matched at that moment.
    """
    from quartier.outreach import segments

    with transaction.atomic():
        started = Message.objects.filter(
            pk=message_id, status=Message.Status.SCHEDULED, scheduled_at__lte=timezone.now()
        ).update(status=Message.Status.SENDING, started_at=timezone.now())
        if not started:
            return 0
        message = Message.objects.get(pk=message_id)
        people = segments.recipients(segments.Segment.from_dict(message.segment)).order_by("pk").values("pk")
        count = _insert_deliveries(message, people)
        Message.objects.filter(pk=message_id).update(recipient_count=count)
    enqueue_deliveries(message_id)
    if count == 0:
        finish_if_done(message_id)
    return count


def _insert_deliveries(message: Message, people: QuerySet) -> int:
    """INSERT … SELECT the deliveries of `message` for the supporter ids `people` selects (`.values("pk")`)."""
    from django.db import connection

    select_sql, params = people.query.sql_with_params()
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (message_id, supporter_id, address, source, status, error, claim_token) "  # noqa: S608
            f"SELECT %s, chosen.pk, '', '', %s, '', '' FROM ({select_sql}) AS chosen",
            [message.pk, Delivery.Status.QUEUED, *params],
        )
        return cursor.rowcount


def sweep() -> dict[str, int]:
    """The periodic clean-up (celery beat, every minute):

    - start scheduled messages whose time has come;
    - deliveries whose lease ran out (claimed, and not renewed by their worker, for
      `OUTREACH_LEASE_SECONDS`): those never attempted (and whose chunk was handed over since the
      database server last started: see `actions.delivery`) go back to `queued` (their worker, if it is
      only slow, finds them no longer its own and leaves them: see `actions.delivery`); an attempted
      one (its worker went silent while handing it over) may have arrived and is never sent again:
      it is marked `failed` with `UNKNOWN_OUTCOME`, for review (a late answer from a worker that was
      only slow still records it `sent`);
    - batches of running messages left queued (a broker outage lost their task) are queued again:
      claims make a duplicate task harmless.
    """
    now = timezone.now()
    counts = {"started": 0, "requeued": 0, "unknown": 0, "batches": 0}
    for message_id in Message.objects.filter(
        status=Message.Status.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        if start_sending(message_id) or Message.objects.filter(pk=message_id, status="sending").exists():
            counts["started"] += 1
    stale = now - timedelta(seconds=settings.OUTREACH_LEASE_SECONDS)
    expired = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=stale)
    # `attempted_at` is committed without waiting for the disk (`actions.delivery`): a chunk opened
    # before the database server last started may have lost some, so none of it is sent again.
    restarted = database_started_at()
    trusted = Q() if restarted is None else Q(handover_at__isnull=True) | Q(handover_at__gt=restarted)
    counts["requeued"] = expired.filter(trusted, attempted_at__isnull=True).update(
        status=Delivery.Status.QUEUED, claimed_at=None, claim_token="", handover_at=None
    )
    counts["unknown"] = expired.update(status=Delivery.Status.FAILED, error=UNKNOWN_OUTCOME)
    for message_id in Message.objects.filter(status=Message.Status.SENDING).values_list("pk", flat=True):
        idle = Delivery.objects.filter(
            message_id=message_id, status=Delivery.Status.SENDING, claimed_at__gte=stale
        ).exists()
        if not idle:
            counts["batches"] += enqueue_deliveries(message_id)
        finish_if_done(message_id)
    return counts


def database_started_at():
    """When the database server last started (PostgreSQL); None where commits are always durable."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        return cursor.fetchone()[0]


def send_sms_message(
    *,
    author: Supporter,
    body: str,
    segment: dict,
    versions: dict[str, str] | None = None,
    send_key: str = "",
) -> Message:
    """A text to everyone of a segment with an active text subscription, sent now by Celery tasks
    after commit (quiet hours are waited out per recipient). `body` is in the default language,
    `versions` the other languages' words (`{"fr": "…"}`): each recipient gets the words of their
    number's language, framed with the campaign's name and the STOP line (`sms_text.compose`).
    Merge fields as in email.

    Exactly once per `send_key` (the compose form's): a double click or a retried request returns
    the message already written and queues nothing more.
    """
    from quartier.outreach import segments

    versions = {code: words for code, words in (versions or {}).items() if words.strip()}
    if not body.strip():
        raise OutreachError([gettext("Write the message.")])
    unknown = merge.unknown_fields(body, *versions.values())
    if unknown:
        raise OutreachError([gettext("Unknown merge fields: %(fields)s.") % {"fields": ", ".join(unknown)}])
    if send_key and (existing := Message.objects.filter(send_key=send_key).first()):
        return existing
    chosen = segments.Segment.from_dict(segment)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                sender=author,
                audience=chosen.topic,
                audience_label=str(TOPICS[chosen.topic]),
                subject=_first_words(body),
                body=body,
                body_html="",
                language=settings.LANGUAGE_CODE,
                versions={
                    code: {"subject": _first_words(words), "body": words} for code, words in versions.items()
                },
                channel=Message.Channel.SMS,
                segment=chosen.to_dict(),
                reply_to_sender=False,
                started_at=timezone.now(),
                send_key=send_key,
            )
            people = segments.sms_recipients(chosen).order_by("pk").values("pk")
            count = _insert_deliveries(message, people)
            message.recipient_count = count
            message.save(update_fields=["recipient_count"])
    except IntegrityError:
        # The same form sent twice at once: the other request wrote it (and queues it).
        existing = Message.objects.filter(send_key=send_key).first() if send_key else None
        if existing is None:
            raise
        return existing
    message_id = message.pk
    transaction.on_commit(lambda: enqueue_deliveries(message_id), robust=True)
    if count == 0:
        transaction.on_commit(lambda: finish_if_done(message_id), robust=True)
    return message


def _first_words(text: str) -> str:
    return " ".join(text.split())[:60]
