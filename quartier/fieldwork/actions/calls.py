"""The call queue: targets, calling zones and quiet hours, exclusive claims and releases."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.models import Supporter
from quartier.fieldwork.actions.common import FieldworkError
from quartier.fieldwork.models import (
    Contact,
    FieldCampaign,
    Target,
)


def add_targets(*, campaign: FieldCampaign, contacts: QuerySet[Contact], batch: int = 5000) -> int:
    """Put contacts in the campaign's universe (once each); returns how many were added. Contacts
    outside the campaign's scope (`queries.contacts_in_scope`) are never added, whatever was passed."""
    from quartier.fieldwork.queries import contacts_in_scope

    added = 0
    zones = set(campaign.time_zones)
    ids = (
        contacts.filter(pk__in=contacts_in_scope(campaign).values("pk"))
        .exclude(targets__campaign=campaign)
        .values_list("pk", "time_zone", "phone")
    )
    chunk: list[Target] = []

    def flush() -> int:
        Target.objects.bulk_create(chunk, ignore_conflicts=True, batch_size=batch)
        count = len(chunk)
        chunk.clear()
        return count

    for contact_id, zone, phone in ids.iterator(chunk_size=batch):
        zones.add(zone)
        chunk.append(Target(campaign=campaign, contact_id=contact_id, time_zone=zone, has_phone=bool(phone)))
        if len(chunk) >= batch:
            added += flush()
    if chunk:
        added += flush()
    if zones != set(campaign.time_zones):
        campaign.time_zones = sorted(zones)
        campaign.save(update_fields=["time_zones"])
    return added


def calling_zones(campaign: FieldCampaign, now: datetime) -> list[str]:
    """The campaign's time zones where it is now within calling hours (the contact's local time)."""
    open_zones = []
    for zone in campaign.time_zones:
        try:
            hour = now.astimezone(ZoneInfo(zone)).hour
        except (KeyError, ValueError):
            continue
        if campaign.calling_hours_start <= hour < campaign.calling_hours_end:
            open_zones.append(zone)
    return open_zones


def callable_targets(campaign: FieldCampaign, volunteer: Supporter, now: datetime) -> QuerySet[Target]:
    """What the volunteer may be handed now: queued, due, free, in calling hours, theirs or nobody's."""
    return Target.objects.filter(
        Q(leased_to__isnull=True) | Q(lease_expires_at__lte=now),
        Q(caller__isnull=True) | Q(caller=volunteer),
        campaign=campaign,
        status=Target.Status.QUEUED,
        has_phone=True,
        available_after__lte=now,
        time_zone__in=calling_zones(campaign, now),
        contact__do_not_call=False,
    )


def claim_next_call(
    *, volunteer: Supporter, campaign: FieldCampaign, now: datetime | None = None
) -> Target | None:
    """Lease the next contact to call to this volunteer, or give back the one they already hold."""
    now = now or timezone.now()
    if not (campaign.is_open and campaign.is_phone_bank):
        raise FieldworkError(_("This phone bank is closed."))
    expires = now + timedelta(minutes=campaign.lease_minutes)
    with transaction.atomic():
        held = Target.objects.filter(
            campaign=campaign, leased_to=volunteer, lease_expires_at__gt=now, status=Target.Status.QUEUED
        ).first()
        if held is not None:
            return held
        if not calling_zones(campaign, now):
            return None  # quiet hours wherever its contacts live, or no contacts yet
        if connection.vendor == "postgresql":
            return _claim_in_one_statement(campaign, volunteer, now, expires)
        for _attempt in range(10):
            candidate = (
                callable_targets(campaign, volunteer, now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("available_after", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            if candidate is None:
                return None
            # The conditional UPDATE is the claim: it fails if anyone took the row since we read it.
            claimed = (
                callable_targets(campaign, volunteer, now)
                .filter(pk=candidate)
                .update(leased_to=volunteer, lease_expires_at=expires)
            )
            if claimed:
                return Target.objects.select_related("contact").get(pk=candidate)
    return None


def _claim_in_one_statement(
    campaign: FieldCampaign, volunteer: Supporter, now: datetime, expires: datetime
) -> Target | None:
    """PostgreSQL: `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING`, one round
    trip; the inner query is the same `callable_targets` the other databases use."""
    candidates = (
        callable_targets(campaign, volunteer, now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("available_after", "pk")
        .values("pk")[:1]
    )
    select_sql, params = candidates.query.get_compiler(connection=connection).as_sql()
    table = Target._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET leased_to_id = %s, lease_expires_at = %s WHERE id = ({select_sql}) "  # noqa: S608 (our own compiled SQL)
            "RETURNING id, contact_id, attempts, caller_id",
            [volunteer.pk, expires, *params],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Target(
        pk=row[0], campaign=campaign, contact_id=row[1], attempts=row[2], caller_id=row[3],
        leased_to_id=volunteer.pk, lease_expires_at=expires, status=Target.Status.QUEUED,
    )  # fmt: skip


@transaction.atomic
def release_call(*, volunteer: Supporter, target: Target) -> bool:
    """Give a leased contact back to the queue at once (the volunteer skipped it)."""
    return bool(
        Target.objects.filter(pk=target.pk, leased_to=volunteer).update(leased_to=None, lease_expires_at=None)
    )
