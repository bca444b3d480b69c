"""Email a supporter sends to their own network of plain addresses, with its daily cap."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation

from quartier.accounts.models import Supporter
from quartier.lib.text import render_markdown
from quartier.outreach import queries
from quartier.outreach.actions.campaign_send import INSERT_BATCH_SIZE, SUBJECT_MAX_LENGTH, enqueue_deliveries
from quartier.outreach.models import (
    ADDRESS_MAX_LENGTH,
    PERSONAL,
    SOURCE_MAX_LENGTH,
    Delivery,
    Message,
)
from quartier.outreach.queries import normalize_address


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
