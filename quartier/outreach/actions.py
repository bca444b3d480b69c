"""Writes: record consent, write a message to an audience, send its deliveries, unsubscribe.

Who may write to an audience is the caller's rule (a group's leaders, an event's hosts, staff);
this module makes sure that only people who said yes get the message, each at most once, with a
one-click way out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone, translation

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Supporter
from quartier.lib.text import render_markdown
from quartier.outreach import emails, queries
from quartier.outreach.models import (
    ADDRESS_MAX_LENGTH,
    CAMPAIGN_NEWS,
    PERSONAL,
    SOURCE_MAX_LENGTH,
    AudienceConsent,
    Delivery,
    Message,
    Suppression,
    validate_audience,
)
from quartier.outreach.queries import normalize_address

logger = logging.getLogger(__name__)

# Deliveries per Celery task: small enough that a task finishes in well under a minute over SMTP.
BATCH_SIZE = 200
# Rows per INSERT when writing a message's deliveries.
INSERT_BATCH_SIZE = 1000
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
    *, supporter: Supporter, audience: str, wording: str, language: str, ip_address: str | None
) -> bool:
    """Record a "no" from an unsubscribe link; return whether anything changed (twice is harmless)."""
    # Serialises a mail client's one-click POST and the person's own click on the page.
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)
    if not queries.has_consented(supporter, audience):
        return False
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
    """Move the queued deliveries of a range to `sending`, so that no other worker sends them."""
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                message_id=message_id,
                pk__gte=first_id,
                pk__lte=last_id,
                status=Delivery.Status.QUEUED,
            )
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=claimed, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING
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
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    claimed = _claim(message_id, first_id, last_id)
    if not claimed:
        return counts
    message = Message.objects.select_related("sender").get(pk=message_id)
    deliveries = list(Delivery.objects.filter(pk__in=claimed).select_related("supporter").order_by("pk"))
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
    try:
        for index, delivery in enumerate(to_send):
            try:
                email = emails.build_email(
                    message, delivery.supporter or delivery.address, connection=connection
                )
            except Exception:
                # Our own bug (a template, a URL), not the recipient's: give the rest back to
                # `queued` and fail loudly; `enqueue_deliveries(message_id)` sends them once fixed.
                Delivery.objects.filter(
                    pk__in=[d.pk for d in to_send[index:]], status=Delivery.Status.SENDING
                ).update(status=Delivery.Status.QUEUED)
                raise
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
    return counts
