"""Writes: record consent, write a message to an audience, send its deliveries, unsubscribe.

Who may write to an audience is the caller's rule (a group's leaders, an event's hosts, staff);
this module makes sure that only people who said yes get the message, each at most once, with a
one-click way out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Supporter
from quartier.lib.text import render_markdown
from quartier.outreach import emails, merge, queries, throttle
from quartier.outreach.models import (
    ADDRESS_MAX_LENGTH,
    CAMPAIGN_NEWS,
    PERSONAL,
    SOURCE_MAX_LENGTH,
    TOPICS,
    AudienceConsent,
    Delivery,
    InboundSms,
    Message,
    SmsSubscription,
    Suppression,
    validate_audience,
)
from quartier.outreach.queries import normalize_address

logger = logging.getLogger(__name__)

# Deliveries per Celery task: small enough that a task finishes in well under a minute over SMTP.
BATCH_SIZE = 200
# Rows per INSERT when writing a message's deliveries.
INSERT_BATCH_SIZE = 1000
# A batch looks whether its message was cancelled every so many emails.
CANCEL_CHECK_EVERY = 50
SUBJECT_MAX_LENGTH = Message._meta.get_field("subject").max_length


def record_consent(
    *,
    supporter: Supporter,
    audience: str,
    granted: bool,
    wording: str,
    language: str,
    source: str,
    ip_address: str | None,
) -> AudienceConsent:
    """Append a yes or no; the latest one per (supporter, audience) is the current choice.

    For `campaign_news` the record is an `accounts.EmailConsent` (the one truth for campaign news):
    the returned `AudienceConsent` is then an unsaved copy of it, which the database refuses to store.
    """
    validate_audience(audience)
    if audience == CAMPAIGN_NEWS:
        record = accounts_actions.record_email_consent(
            supporter=supporter,
            topic=CAMPAIGN_NEWS,
            granted=granted,
            wording=wording,
            language=language,
            source=source,
            ip_address=ip_address,
        )
        return AudienceConsent(
            supporter=supporter,
            audience=audience,
            granted=record.granted,
            wording=record.wording,
            language=record.language,
            source=record.source,
            ip_address=record.ip_address,
            created_at=record.created_at,
        )
    return AudienceConsent.objects.create(
        supporter=supporter,
        audience=audience,
        granted=granted,
        wording=str(wording),
        language=language,
        source=source,
        ip_address=ip_address,
    )


@transaction.atomic
def unsubscribe(
    *,
    supporter: Supporter,
    audience: str,
    wording: str,
    language: str,
    ip_address: str | None,
    message_id: int | None = None,
) -> bool:
    """Record a "no" from an unsubscribe link; return whether anything changed (twice is harmless).

    `message_id`: the message whose link it was, counted in its statistics.
    """
    # Serialises a mail client's one-click POST and the person's own click on the page.
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)
    if not queries.has_consented(supporter, audience):
        return False
    if message_id is not None:
        Delivery.objects.filter(
            message_id=message_id, supporter=supporter, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=timezone.now())
    record_consent(
        supporter=supporter,
        audience=audience,
        granted=False,
        wording=wording,
        language=language,
        source=AudienceConsent.Source.UNSUBSCRIBE,
        ip_address=ip_address,
    )
    return True


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


def suppress_address(*, address: str, reason: str, source: str) -> bool:
    """Put an address on the global suppression list; return whether it was not there yet.

    Safe to call twice or at the same time (the address is unique): the first reason is kept, except
    that a complaint or a bounce replaces a mere unsubscription (it says more about the address).
    """
    address = normalize_address(address)
    if not address or len(address) > ADDRESS_MAX_LENGTH:
        raise ValueError(f"not an address: {address!r}")
    if reason not in Suppression.Reason.values:
        raise ValueError(f"not a suppression reason: {reason!r}")
    with transaction.atomic():
        _row, created = Suppression.objects.get_or_create(
            address=address, defaults={"reason": reason, "source": source[:SOURCE_MAX_LENGTH]}
        )
    if not created and reason != Suppression.Reason.UNSUBSCRIBED:
        Suppression.objects.filter(address=address, reason=Suppression.Reason.UNSUBSCRIBED).update(
            reason=reason, source=source[:SOURCE_MAX_LENGTH]
        )
    return created


def lift_suppression(*, address: str) -> bool:
    """Take an address off the suppression list after its owner opted in again; bounces and
    complaints stay (only a new, verified address clears those)."""
    deleted, _by_model = Suppression.objects.filter(
        address=normalize_address(address), reason=Suppression.Reason.UNSUBSCRIBED
    ).delete()
    return bool(deleted)


@dataclass
class PersonalSendResult:
    """What `send_personal_email` did with each address it was given (normalised, in input order)."""

    message: Message
    accepted: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    over_limit: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def _clean_addresses(addresses: Iterable[str], result: PersonalSendResult) -> list[str]:
    """Valid, normalised, distinct addresses; the others go to `result.invalid` / `.duplicates`."""
    seen: set[str] = set()
    valid: list[str] = []
    for raw in addresses:
        address = normalize_address(raw)
        if not address:
            continue
        try:
            if len(address) > ADDRESS_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(address)
        except ValidationError:
            result.invalid.append(str(raw).strip()[:ADDRESS_MAX_LENGTH])
            continue
        if address in seen:
            result.duplicates.append(address)
            continue
        seen.add(address)
        valid.append(address)
    return valid


def personal_sends_left_today(sender: Supporter) -> int:
    """How many more people `sender` may email from their pages in the next 24 hours."""
    since = timezone.now() - timedelta(hours=24)
    used = Delivery.objects.filter(
        message__sender=sender, message__audience=PERSONAL, message__created_at__gte=since
    ).count()
    return max(0, settings.OUTREACH_PERSONAL_DAILY_LIMIT - used)


@transaction.atomic
def send_personal_email(
    *,
    sender: Supporter,
    addresses: Iterable[str],
    subject: str,
    body: str,
    link_url: str,
    source: str,
    language: str | None = None,
) -> PersonalSendResult:
    """A supporter emails people of their own network (who need not be supporters) about a page.

    One email per valid, non-suppressed address, at most once per (`source`, address) ever (a
    database constraint says so), at most `OUTREACH_PERSONAL_DAILY_LIMIT` addresses per sender in
    24 hours (the sender's row is locked while counting, so concurrent sends cannot pass the cap).
    From the campaign's address named after the sender, replies to the sender, with a one-click
    unsubscribe that suppresses the address globally. Sent after commit in Celery batches, like
    every other message (`send_deliveries`). `link_url` must be a link to this site (`SITE_URL`).
    """
    if not sender.is_verified:
        raise PermissionError("only a verified supporter may email their network")
    subject = " ".join(subject.split())
    if not subject or len(subject) > SUBJECT_MAX_LENGTH:
        raise ValueError(f"a message needs a subject of 1 to {SUBJECT_MAX_LENGTH} characters")
    if not body.strip():
        raise ValueError("a message needs a body")
    site = settings.SITE_URL.rstrip("/") + "/"
    if link_url and not (link_url + "/").startswith(site):
        raise ValueError(f"the link must lead to this site ({settings.SITE_URL}), not {link_url!r}")
    source = source.strip()
    if not source or len(source) > SOURCE_MAX_LENGTH:
        raise ValueError(f"a personal message needs a source of 1 to {SOURCE_MAX_LENGTH} characters")

    # Serialises this sender's sends, so that two at once cannot both pass the daily cap.
    Supporter.objects.select_for_update().only("pk").get(pk=sender.pk)
    message = Message.objects.create(
        sender=sender,
        audience=PERSONAL,
        audience_label=" ".join(sender.display_name.split())[:200],
        subject=subject,
        body=body,
        body_html=render_markdown(body),
        reply_to_sender=True,
        source=source,
        link_url=link_url,
        language=(language or translation.get_language() or settings.LANGUAGE_CODE)[:8],
    )
    result = PersonalSendResult(message=message)
    candidates = _clean_addresses(addresses, result)
    suppressed = queries.suppressed_among(candidates)
    already = set()
    for start in range(0, len(candidates), 500):
        already.update(
            Delivery.objects.filter(source=source, address__in=candidates[start : start + 500]).values_list(
                "address", flat=True
            )
        )
    room = personal_sends_left_today(sender)
    wanted: list[str] = []
    for address in candidates:
        if address in suppressed:
            result.suppressed.append(address)
        elif address in already:
            result.duplicates.append(address)
        elif len(wanted) < room:
            wanted.append(address)
        else:
            result.over_limit.append(address)
    # Another sender writing from the same source at this moment may win an address: the
    # constraint keeps one delivery, and the loser counts it as a duplicate.
    Delivery.objects.bulk_create(
        [Delivery(message=message, address=address, source=source) for address in wanted],
        batch_size=INSERT_BATCH_SIZE,
        ignore_conflicts=True,
    )
    inserted = set(Delivery.objects.filter(message=message).values_list("address", flat=True))
    result.accepted = [address for address in wanted if address in inserted]
    result.duplicates.extend(address for address in wanted if address not in inserted)
    message.recipient_count = len(result.accepted)
    message.save(update_fields=["recipient_count"])
    message_id = message.pk
    transaction.on_commit(lambda: enqueue_deliveries(message_id), robust=True)
    return result


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


def _claim(message_id: int, first_id: int, last_id: int) -> list[int]:
    """Move the queued deliveries of a range to `sending`, so that no other worker sends them.

    Nothing is claimed for a message that is not being sent (cancelled, or not started).
    """
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
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=claimed, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claimed_at=timezone.now()
        )
    return claimed


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

    Idempotent: only deliveries this call claims are sent, and a delivery is claimed once, so running
    it again (a retried task, a second worker) sends nothing twice. One failing address is recorded
    on its delivery and does not stop the others. A worker killed mid-batch leaves its deliveries in
    `sending`: at most once, never twice.
    """
    with _commits_without_waiting_for_the_disk():
        return _send_deliveries(message_id=message_id, first_id=first_id, last_id=last_id)


@contextmanager
def _commits_without_waiting_for_the_disk():
    """PostgreSQL: the per-delivery status commits of a batch do not wait for the WAL to reach the
    disk (`synchronous_commit = off`; a worker crash loses nothing, a database server crash at most
    the last fraction of a second of marks, whose deliveries the sweep then sends again). Each email
    costs two small commits; waiting for the disk on each made a worker wait, not work."""
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
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    claimed = _claim(message_id, first_id, last_id)
    if not claimed:
        return counts
    message = Message.objects.select_related("sender").get(pk=message_id)
    deliveries = list(Delivery.objects.filter(pk__in=claimed).select_related("supporter").order_by("pk"))
    if message.channel == Message.Channel.SMS:
        _send_sms_batch(message, deliveries, counts)
        finish_if_done(message_id)
        return counts
    sendable = _still_sendable(message, deliveries)
    to_send = [delivery for delivery in deliveries if delivery.pk in sendable]
    skipped = [delivery.pk for delivery in deliveries if delivery.pk not in sendable]
    if skipped:
        counts["skipped"] = Delivery.objects.filter(pk__in=skipped).update(status=Delivery.Status.SKIPPED)
    if not to_send:
        return counts

    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        logger.exception("outreach: cannot reach the mail server for message %s", message_id)
        counts["failed"] = Delivery.objects.filter(pk__in=[d.pk for d in to_send]).update(
            status=Delivery.Status.FAILED, error=_short_error(error)
        )
        return counts
    renderer = emails.Renderer(message) if message.audience != PERSONAL else None
    if renderer is not None:
        renderer.prepare([delivery.supporter for delivery in to_send])
    try:
        for index, delivery in enumerate(to_send):
            if index and index % CANCEL_CHECK_EVERY == 0 and _cancelled(message_id):
                counts["skipped"] += _give_back(to_send[index:], cancelled=True)
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
                _give_back(to_send[index:], cancelled=False)
                raise
            throttle.wait_for_slot()
            # Marked before the mail server hears of it: a crash from here on leaves the delivery
            # "attempted" (see `sweep`); a crash before leaves it safe to queue again.
            Delivery.objects.filter(pk=delivery.pk).update(attempted_at=timezone.now())
            try:
                email.send()
            except Exception as error:
                # Whatever the backend (SMTP, an ESP), an error sending to one address is that
                # delivery's alone: recorded on it, and the others still go.
                logger.warning("outreach: delivery %s failed: %s", delivery.pk, error)
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.FAILED, error=_short_error(error)
                )
                counts["failed"] += 1
            else:
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
                )
                counts["sent"] += 1
    finally:
        connection.close()
    finish_if_done(message_id)
    return counts


def _cancelled(message_id: int) -> bool:
    return Message.objects.filter(pk=message_id, status=Message.Status.CANCELLED).exists()


def _give_back(deliveries: list[Delivery], *, cancelled: bool) -> int:
    """Deliveries claimed but not attempted: back to `queued`, or `skipped` when the send was cancelled."""
    status = Delivery.Status.SKIPPED if cancelled else Delivery.Status.QUEUED
    return Delivery.objects.filter(
        pk__in=[delivery.pk for delivery in deliveries], status=Delivery.Status.SENDING
    ).update(status=status, claimed_at=None, error="cancelled" if cancelled else "")


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


# --- staff messages: compose, check, test, schedule, send, cancel -----------------------------------


class OutreachError(Exception):
    """A rule a message breaks, said in words a staff member can act on (translated by the caller's
    language at the time it is raised)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Draft:
    """What staff write: the default version, other languages' versions and the segment."""

    subject: str
    body: str
    preview_text: str = ""
    language: str = ""
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    segment: dict = field(default_factory=dict)


def draft_problems(draft: Draft) -> list[str]:
    """What keeps a draft from being saved or sent, in the active language: empty when it is fine."""
    problems: list[str] = []
    if not " ".join(draft.subject.split()):
        problems.append(gettext("Write a subject."))
    if len(" ".join(draft.subject.split())) > SUBJECT_MAX_LENGTH:
        problems.append(gettext("The subject is too long."))
    if not draft.body.strip():
        problems.append(gettext("Write the message."))
    texts = [draft.subject, draft.preview_text, draft.body]
    for language, version in draft.versions.items():
        if bool(version.get("subject", "").strip()) != bool(version.get("body", "").strip()):
            problems.append(
                gettext("The %(language)s version needs both a subject and a message, or neither.")
                % {"language": language}
            )
        texts.extend(version.get(part, "") for part in ("subject", "preview_text", "body"))
    unknown = merge.unknown_fields(*texts)
    if unknown:
        problems.append(
            gettext("Unknown merge fields: %(fields)s. Use %(known)s.")
            % {
                "fields": ", ".join(unknown),
                "known": ", ".join(f"{{{{ {name} }}}}" for name in merge.FIELDS),
            }
        )
    return problems


def _versions(draft: Draft) -> dict[str, dict[str, str]]:
    versions = {}
    for language, version in draft.versions.items():
        if language in dict(settings.LANGUAGES) and version.get("subject", "").strip():
            versions[language] = {
                "subject": " ".join(version["subject"].split()),
                "preview_text": " ".join(version.get("preview_text", "").split()),
                "body": version["body"],
                "body_html": render_markdown(version["body"]),
            }
    return versions


@transaction.atomic
def save_draft(*, author: Supporter, draft: Draft, message: Message | None = None) -> Message:
    """Create or update a staff draft; raise `OutreachError` with what to fix."""
    problems = draft_problems(draft)
    if problems:
        raise OutreachError(problems)
    from quartier.outreach.segments import Segment

    segment = Segment.from_dict(draft.segment)
    if segment.topic not in TOPICS:
        raise OutreachError([f"not a topic: {segment.topic}"])
    fields = {
        "subject": " ".join(draft.subject.split()),
        "preview_text": " ".join(draft.preview_text.split()),
        "body": draft.body,
        "body_html": render_markdown(draft.body),
        "language": draft.language or settings.LANGUAGE_CODE,
        "versions": _versions(draft),
        "segment": segment.to_dict(),
        "audience": segment.topic,
        "audience_label": str(TOPICS[segment.topic]),
    }
    if message is None:
        from quartier.reach.actions import new_campaign_code

        return Message.objects.create(
            sender=author,
            reply_to_sender=False,
            status=Message.Status.DRAFT,
            refcode=new_campaign_code(fields["subject"]),
            **fields,
        )
    editable = Message.objects.select_for_update().get(pk=message.pk)
    if editable.status != Message.Status.DRAFT:
        raise OutreachError(
            [gettext("Only a draft can be changed: this message is already scheduled or sent.")]
        )
    for name, value in fields.items():
        setattr(editable, name, value)
    editable.save(update_fields=list(fields))
    return editable


def send_problems(message: Message) -> list[str]:
    """What must be fixed before this message can go: the draft's own problems and an empty segment."""
    from quartier.outreach import segments

    draft = Draft(
        subject=message.subject,
        body=message.body,
        preview_text=message.preview_text,
        versions=message.versions,
    )
    problems = draft_problems(draft)
    if message.status != Message.Status.DRAFT:
        problems.append(gettext("This message is already scheduled or sent."))
    elif segments.count(segments.Segment.from_dict(message.segment)) == 0:
        problems.append(gettext("Nobody in this segment accepted this kind of email: widen the segment."))
    return problems


def send_test(*, message: Message, to: Supporter, as_recipient: Supporter | None = None) -> None:
    """Email the staff member themselves the message as `as_recipient` would get it (their language
    and merge fields), marked as a test; its unsubscribe link is the staff member's own."""
    renderer = emails.Renderer(message)
    reader = as_recipient or to
    renderer.prepare([reader])
    email = renderer.email_for(reader)
    email.to = [to.email]
    _language, _subject, _text, _html, own_unsubscribe = emails.Renderer(message).render(to)
    marker = renderer.render(reader)[4]
    email.body = email.body.replace(marker, own_unsubscribe)
    alternatives, email.alternatives = email.alternatives, []
    for content, mimetype in alternatives:
        email.attach_alternative(content.replace(marker, own_unsubscribe), mimetype)
    email.extra_headers["List-Unsubscribe"] = f"<{own_unsubscribe}>"
    email.subject = "[" + gettext("Test") + "] " + email.subject
    email.send()


@transaction.atomic
def schedule(*, message: Message, at: datetime | None) -> Message:
    """Send at `at` (the sweep starts it), or now when `at` is None. Only a ready draft can go."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    problems = send_problems(locked)
    if problems:
        raise OutreachError(problems)
    locked.status = Message.Status.SCHEDULED
    locked.scheduled_at = at or timezone.now()
    locked.save(update_fields=["status", "scheduled_at"])
    if at is None or at <= timezone.now():
        message_id = locked.pk
        transaction.on_commit(lambda: _start_task(message_id), robust=True)
    return locked


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
            f"INSERT INTO {table} (message_id, supporter_id, address, source, status, error) "  # noqa: S608
            f"SELECT %s, chosen.pk, '', '', %s, '' FROM ({select_sql}) AS chosen",
            [message.pk, Delivery.Status.QUEUED, *params],
        )
        return cursor.rowcount


@transaction.atomic
def cancel(*, message: Message) -> int:
    """Stop a scheduled or running send: what is not yet handed to the mail server is skipped.

    Returns how many deliveries were skipped. Batches running look every `CANCEL_CHECK_EVERY`
    emails and give back the rest.
    """
    cancelled = Message.objects.filter(
        pk=message.pk, status__in=[Message.Status.SCHEDULED, Message.Status.SENDING, Message.Status.DRAFT]
    ).update(status=Message.Status.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        return 0
    return Delivery.objects.filter(message=message, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SKIPPED, error="cancelled"
    )


def sweep() -> dict[str, int]:
    """The periodic clean-up (celery beat, every minute):

    - start scheduled messages whose time has come;
    - deliveries claimed by a worker that went silent for `OUTREACH_LEASE_SECONDS` go back to
      `queued`: those never attempted are safe; one that was being handed to the mail server when
      the worker died (at most one per worker process) is sent again with the same Message-ID, since
      the mail server keeps a message only once it has received all of it;
    - batches of running messages left queued (a broker outage lost their task) are queued again:
      claims make a duplicate task harmless.
    """
    now = timezone.now()
    counts = {"started": 0, "requeued": 0, "batches": 0}
    for message_id in Message.objects.filter(
        status=Message.Status.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        if start_sending(message_id) or Message.objects.filter(pk=message_id, status="sending").exists():
            counts["started"] += 1
    stale = now - timedelta(seconds=settings.OUTREACH_LEASE_SECONDS)
    counts["requeued"] = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=stale).update(
        status=Delivery.Status.QUEUED, claimed_at=None, attempted_at=None
    )
    for message_id in Message.objects.filter(status=Message.Status.SENDING).values_list("pk", flat=True):
        idle = Delivery.objects.filter(
            message_id=message_id, status=Delivery.Status.SENDING, claimed_at__gte=stale
        ).exists()
        if not idle:
            counts["batches"] += enqueue_deliveries(message_id)
        finish_if_done(message_id)
    return counts


# --- text messages ----------------------------------------------------------------------------------

SMS_WORDING_DEFAULT = gettext_lazy(
    "Yes, text me news and calls to action from the campaign (a few a month). Reply STOP to stop, HELP for help."
)


@transaction.atomic
def sms_opt_in(
    *,
    phone: str,
    wording: str,
    language: str,
    source: str,
    supporter: Supporter | None = None,
    ip_address: str | None = None,
    time_zone: str = "",
) -> SmsSubscription:
    """Record that a number asked for texts, with the exact wording it agreed to (a new opt-in after a
    STOP replaces the old one and clears it)."""
    subscription, _created = SmsSubscription.objects.select_for_update().update_or_create(
        phone=phone,
        defaults={
            "supporter": supporter,
            "wording": str(wording),
            "language": language,
            "source": source,
            "ip_address": ip_address,
            "time_zone": time_zone or (supporter and _zone_of(supporter)) or settings.TIME_ZONE,
            "opted_in_at": timezone.now(),
            "opted_out_at": None,
            "opt_out_confirmed_at": None,
        },
    )
    return subscription


def _zone_of(supporter: Supporter) -> str:
    return ""  # supporters have no time zone of their own yet: the campaign's is used


def _reply(gateway_name: str, phone: str, text: str) -> None:
    from quartier.outreach import sms

    try:
        sms.gateway(gateway_name).send(to=phone, body=text)
    except Exception:
        logger.exception("outreach: could not answer %s by text", phone)


def handle_inbound_sms(*, provider: str, inbound) -> str:
    """Act on a text received: STOP (and its synonyms) at once, confirmed once; START; HELP answered.

    Idempotent per provider message id: a webhook delivered twice acts once. Returns the keyword.
    """
    from quartier.outreach import sms

    word = sms.keyword(inbound.body)
    phone = sms.normalize_phone(inbound.phone) or inbound.phone[:20]
    with transaction.atomic():
        _row, created = InboundSms.objects.get_or_create(
            provider=provider,
            provider_id=inbound.provider_id or f"{phone}:{inbound.body}"[:64],
            defaults={"phone": phone, "body": inbound.body[:1600], "keyword": word},
        )
        if not created:
            return word
        subscription = SmsSubscription.objects.select_for_update().filter(phone=phone).first()
        reply = ""
        language = subscription.language if subscription else settings.LANGUAGE_CODE
        with translation.override(language):
            if word == "stop":
                if subscription is None:
                    subscription = SmsSubscription.objects.create(
                        phone=phone, wording="", language=language, source=SmsSubscription.Source.KEYWORD,
                        opted_out_at=timezone.now(),
                    )  # fmt: skip
                elif subscription.opted_out_at is None:
                    subscription.opted_out_at = timezone.now()
                    subscription.save(update_fields=["opted_out_at"])
                if subscription.opt_out_confirmed_at is None:
                    subscription.opt_out_confirmed_at = timezone.now()
                    subscription.save(update_fields=["opt_out_confirmed_at"])
                    reply = gettext(
                        "%(site)s: you will get no more texts from us. Reply START to receive them again."
                    ) % {"site": settings.SITE_NAME}
            elif word == "start":
                sms_opt_in(
                    phone=phone, wording=inbound.body[:200], language=language,
                    source=SmsSubscription.Source.KEYWORD,
                    supporter=subscription.supporter if subscription else None,
                )  # fmt: skip
                reply = gettext("%(site)s: you will get our texts again. Reply STOP to stop.") % {
                    "site": settings.SITE_NAME
                }
            elif word == "help":
                reply = gettext(
                    "%(site)s: campaign news by text, a few a month. Reply STOP to stop. Help: %(url)s"
                ) % {"site": settings.SITE_NAME, "url": settings.SITE_URL}
    if reply:
        transaction.on_commit(lambda: _reply(provider, phone, reply))
    return word


def in_quiet_hours(zone_name: str, now: datetime | None = None) -> bool:
    """Whether it is too late or too early to text someone in `zone_name` (`SMS_QUIET_HOURS`)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(zone_name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(settings.TIME_ZONE)
    hour = (now or timezone.now()).astimezone(zone).hour
    start, end = settings.SMS_QUIET_HOURS
    return (hour >= start or hour < end) if start > end else (start <= hour < end)


@transaction.atomic
def send_sms_message(*, author: Supporter, body: str, segment: dict) -> Message:
    """A text to everyone of a segment with an active text subscription, sent now (quiet hours are
    waited out per recipient). Merge fields as in email; the STOP line is added."""
    from quartier.outreach import segments

    if not body.strip():
        raise OutreachError([gettext("Write the message.")])
    unknown = merge.unknown_fields(body)
    if unknown:
        raise OutreachError([gettext("Unknown merge fields: %(fields)s.") % {"fields": ", ".join(unknown)}])
    chosen = segments.Segment.from_dict(segment)
    message = Message.objects.create(
        sender=author,
        audience=chosen.topic,
        audience_label=str(TOPICS[chosen.topic]),
        subject=body[:60],
        body=body,
        body_html="",
        channel=Message.Channel.SMS,
        segment=chosen.to_dict(),
        reply_to_sender=False,
        started_at=timezone.now(),
    )
    texting = SmsSubscription.objects.filter(opted_out_at__isnull=True, supporter__isnull=False)
    people = (
        segments.supporters_in(chosen)
        .filter(pk__in=texting.values("supporter_id"), is_active=True, deleted_at__isnull=True)
        .order_by("pk")
        .values("pk")
    )
    count = _insert_deliveries(message, people)
    message.recipient_count = count
    message.save(update_fields=["recipient_count"])
    message_id = message.pk
    transaction.on_commit(lambda: enqueue_deliveries(message_id), robust=True)
    return message


def _send_sms_batch(message: Message, deliveries: list[Delivery], counts: dict[str, int]) -> None:
    """Text each delivery's supporter whose subscription is still active (STOP during a send is
    honoured here), unless it is quiet hours where they are: those go back to the queue."""
    from quartier.outreach import sms

    gateway = sms.gateway()
    subscriptions = {
        row.supporter_id: row
        for row in SmsSubscription.objects.filter(supporter_id__in=[d.supporter_id for d in deliveries])
    }
    renderer_fields = merge.used_fields(message.body)
    later: list[int] = []
    for delivery in deliveries:
        subscription = subscriptions.get(delivery.supporter_id)
        if subscription is None or subscription.opted_out_at is not None:
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
            counts["skipped"] += 1
            continue
        if in_quiet_hours(subscription.time_zone):
            later.append(delivery.pk)
            continue
        values = {
            "first_name": (delivery.supporter.display_name.split() or [""])[0],
            "town": delivery.supporter.town,
        }
        with translation.override(subscription.language or settings.LANGUAGE_CODE):
            text = merge.fill(message.body, values if renderer_fields else {}, html=False)
            text = f"{settings.SITE_NAME}: {text}\n" + gettext("Reply STOP to stop.")
        Delivery.objects.filter(pk=delivery.pk).update(attempted_at=timezone.now())
        try:
            gateway.send(to=subscription.phone, body=text)
        except Exception as error:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, error=_short_error(error)
            )
            counts["failed"] += 1
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT, sent_at=timezone.now()
            )
            counts["sent"] += 1
    if later:
        Delivery.objects.filter(pk__in=later).update(status=Delivery.Status.QUEUED, claimed_at=None)
        counts["quiet_hours"] = len(later)


# --- preferences and double opt-in -------------------------------------------------------------------


def topic_wording(topic: str) -> str:
    """The sentence a supporter agrees to for a topic, in the active language (kept with the consent)."""
    return gettext("Yes, email me: %(topic)s.") % {"topic": TOPICS[topic]}


def set_topics(
    *, supporter: Supporter, wanted: dict[str, bool], language: str, ip_address: str | None
) -> list[str]:
    """Record each changed topic choice; with `OUTREACH_DOUBLE_OPT_IN`, a new yes is only asked for
    (a confirmation email) and recorded when its link is followed. Returns the topics awaiting
    confirmation."""
    awaiting: list[str] = []
    for topic, granted in wanted.items():
        if topic not in TOPICS or queries.has_consented(supporter, topic) == granted:
            continue
        if granted and settings.OUTREACH_DOUBLE_OPT_IN:
            awaiting.append(topic)
            continue
        record_consent(
            supporter=supporter, audience=topic, granted=granted, wording=topic_wording(topic),
            language=language, source=AudienceConsent.Source.SETTINGS, ip_address=ip_address,
        )  # fmt: skip
        if granted:
            lift_suppression(address=supporter.email)
    if awaiting:
        transaction.on_commit(lambda: _send_confirmation(supporter, awaiting, language))
    return awaiting


def _send_confirmation(supporter: Supporter, topics: list[str], language: str) -> None:
    """The double opt-in email: transactional (sent whatever the suppression list says, no marketing)."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse

    from quartier.lib.urls import absolute_url
    from quartier.outreach.access import confirm_token

    with translation.override(language):
        links = [
            (
                TOPICS[topic],
                absolute_url(reverse("outreach:confirm_topic", args=[confirm_token(supporter, topic)])),
            )
            for topic in topics
        ]
        context = {
            "links": links,
            "site_name": settings.SITE_NAME,
            "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
        }
        email = EmailMultiAlternatives(
            subject=gettext("Confirm the emails you asked for"),
            body=render_to_string("outreach/email/confirm_topics.txt", context),
            to=[supporter.email],
        )
        email.attach_alternative(render_to_string("outreach/email/confirm_topics.html", context), "text/html")
    email.send()


@transaction.atomic
def confirm_topic(*, supporter: Supporter, topic: str, language: str, ip_address: str | None) -> bool:
    """The double opt-in link was followed: record the yes (once; a second click changes nothing)."""
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)
    if queries.has_consented(supporter, topic):
        return False
    record_consent(
        supporter=supporter, audience=topic, granted=True,
        wording=gettext("%(wording)s (confirmed from the link emailed to the address)") % {"wording": topic_wording(topic)},
        language=language, source=AudienceConsent.Source.SETTINGS, ip_address=ip_address,
    )  # fmt: skip
    lift_suppression(address=supporter.email)
    return True


def unsubscribe_from_everything(*, supporter: Supporter, language: str, ip_address: str | None) -> None:
    """Every topic and audience to no, and the address on the suppression list."""
    for topic in TOPICS:
        if queries.has_consented(supporter, topic):
            record_consent(
                supporter=supporter, audience=topic, granted=False, wording="Unsubscribe from everything",
                language=language, source=AudienceConsent.Source.SETTINGS, ip_address=ip_address,
            )  # fmt: skip
    suppress_address(address=supporter.email, reason=Suppression.Reason.UNSUBSCRIBED, source="preferences")


# --- feedback from the mail provider -----------------------------------------------------------------


def record_feedback(
    *, event_type: str, recipient: str, delivery_id: str | None, esp: str, event_id: str
) -> None:
    """A delivered, bounced, complained or unsubscribed event (anymail's normalised types).

    Idempotent (a webhook delivered twice changes nothing more): dates are set only when empty, and
    the suppression list keeps one row per address.
    """
    now = timezone.now()
    deliveries = Delivery.objects.none()
    if delivery_id and str(delivery_id).isdigit():
        deliveries = Delivery.objects.filter(pk=int(delivery_id))
    if event_type == "delivered":
        deliveries.filter(delivered_at__isnull=True).update(delivered_at=now)
    elif event_type == "bounced":
        deliveries.filter(bounced_at__isnull=True).update(bounced_at=now)
        if recipient:
            suppress_address(address=recipient, reason=Suppression.Reason.BOUNCED, source=f"{esp}:{event_id}")
    elif event_type == "complained":
        deliveries.filter(complained_at__isnull=True).update(complained_at=now)
        if recipient:
            suppress_address(
                address=recipient, reason=Suppression.Reason.COMPLAINED, source=f"{esp}:{event_id}"
            )
    elif event_type == "unsubscribed":
        deliveries.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        if recipient:
            suppress_address(
                address=recipient, reason=Suppression.Reason.UNSUBSCRIBED, source=f"{esp}:{event_id}"
            )
