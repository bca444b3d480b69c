"""The call queue: targets, calling zones and quiet hours, exclusive claims and releases."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
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

ANALYZE_AFTER = 1000  # targets added at once past which the queue's statistics are refreshed


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
    if added >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Without fresh statistics the planner takes a new campaign for a handful of rows and sorts its
        # whole queue on every claim (190 ms at 13k targets) until autovacuum gets to it; with them the
        # claim reads the head of `target_fair_queue` (a fraction of a millisecond).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Target._meta.db_table}")
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


# What the call page shows, returned by the claim itself (the page is served without reading them again).
CALL_TARGET_FIELDS = (
    "id",
    "contact_id",
    "attempts",
    "caller_id",
    "lease_expires_at",
    "is_callback",
    "time_zone",
)
CALL_CONTACT_FIELDS = ("first_name", "last_name", "town", "phone", "language", "time_zone")

# PostgreSQL: the whole "next call" in one statement, one round trip (autocommit: no BEGIN/COMMIT).
# - `held`: the contact the volunteer already holds (asking again gives it back: one lease at a time);
# - otherwise the first of the volunteer's own call-backs now due, else the first callable contact in
#   the fair order: untried before retried (`attempts`), then the longest waiting (`available_after`);
# - the claim moves `available_after` to the end of the lease: a lease that runs out puts the contact
#   at the back of the queue, and the index's head holds no leased rows for the next claim to skip;
# - the same filters as `callable_targets` (queued, due, has a number, free, the volunteer's or nobody's,
#   a zone in calling hours, not do-not-call), with row locks skipped rather than waited on.
_CALLABLE = """t.campaign_id = %(campaign)s AND t.status = 'queued' AND t.has_phone
      AND t.available_after <= %(now)s AND (t.leased_to_id IS NULL OR t.lease_expires_at <= %(now)s)
      AND t.time_zone = ANY(%(zones)s)
      AND NOT EXISTS (SELECT 1 FROM {contact} dnc WHERE dnc.id = t.contact_id AND dnc.do_not_call)"""
_CLAIM_SQL = """
WITH held AS (
    SELECT id FROM {target} WHERE campaign_id = %(campaign)s AND leased_to_id = %(volunteer)s
      AND lease_expires_at > %(now)s AND status = 'queued' ORDER BY id LIMIT 1
), claimed AS (
    UPDATE {target} SET leased_to_id = %(volunteer)s, lease_expires_at = %(expires)s,
                        available_after = %(expires)s
    WHERE NOT EXISTS (SELECT 1 FROM held) AND id = COALESCE(
        (SELECT t.id FROM {target} t WHERE {callable} AND t.is_callback AND t.caller_id = %(volunteer)s
         ORDER BY t.available_after, t.id LIMIT 1 FOR UPDATE OF t SKIP LOCKED),
        (SELECT t.id FROM {target} t WHERE {callable}
           AND (t.caller_id IS NULL OR t.caller_id = %(volunteer)s)
         ORDER BY t.attempts, t.available_after, t.id LIMIT 1 FOR UPDATE OF t SKIP LOCKED))
    RETURNING {returned}
), chosen AS (
    SELECT {returned} FROM claimed
    UNION ALL
    SELECT {returned} FROM {target} WHERE id = (SELECT id FROM held)
)
SELECT {chosen}, {contact_columns} FROM chosen JOIN {contact} c ON c.id = chosen.contact_id
"""


@cache
def _claim_sql() -> str:
    target, contact = Target._meta.db_table, Contact._meta.db_table
    return _CLAIM_SQL.format(
        target=target,
        contact=contact,
        callable=_CALLABLE.format(contact=contact),
        returned=", ".join(CALL_TARGET_FIELDS),
        chosen=", ".join(f"chosen.{name}" for name in CALL_TARGET_FIELDS),
        contact_columns=", ".join(f"c.{name}" for name in CALL_CONTACT_FIELDS),
    )


def claim_next_call(
    *, volunteer: Supporter, campaign: FieldCampaign, now: datetime | None = None
) -> Target | None:
    """Lease the next contact to call to this volunteer, or give back the one they already hold.

    The target comes with its contact's name, town, number, language and time zone loaded (what the
    call page shows); other fields load on access. Fair order: the volunteer's own call-backs when due,
    then untried contacts before retried ones, the longest waiting first; skipped and expired contacts
    go to the back."""
    now = now or timezone.now()
    if not (campaign.is_open and campaign.is_phone_bank):
        raise FieldworkError(_("This phone bank is closed."))
    expires = now + timedelta(minutes=campaign.lease_minutes)
    zones = calling_zones(campaign, now)
    if connection.vendor == "postgresql":
        if not zones:
            zones = [""]  # nothing matches: the statement still gives back a contact already held
        params = {
            "campaign": campaign.pk,
            "volunteer": volunteer.pk,
            "now": now,
            "expires": expires,
            "zones": zones,
        }
        with connection.cursor() as cursor:
            cursor.execute(_claim_sql(), params)
            row = cursor.fetchone()
        return _call_from_row(campaign, row) if row else None
    return _claim_with_orm(campaign, volunteer, now, expires, zones)


def _call_from_row(campaign: FieldCampaign, row: tuple) -> Target:
    """The claimed target and its contact from the statement's row, as if loaded with `.only()`."""
    target_values = dict(zip(CALL_TARGET_FIELDS, row[: len(CALL_TARGET_FIELDS)], strict=True))
    contact_values = dict(zip(CALL_CONTACT_FIELDS, row[len(CALL_TARGET_FIELDS) :], strict=True))
    target_values |= {"campaign_id": campaign.pk, "status": Target.Status.QUEUED}
    contact_values["id"] = target_values["contact_id"]
    target = _loaded(Target, target_values)
    target.campaign = campaign
    target.contact = _loaded(Contact, contact_values)
    return target


def _loaded(model: type[Target] | type[Contact], values: dict[str, object]):
    """An instance with these fields loaded and the others deferred (`from_db` wants the model's order)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def _claim_with_orm(
    campaign: FieldCampaign, volunteer: Supporter, now: datetime, expires: datetime, zones: list[str]
) -> Target | None:
    """SQLite and the rest: the same rules and order in a few statements; `BEGIN IMMEDIATE` serialises
    claims, and the conditional UPDATE is the claim (it fails if anyone took the row since we read it)."""
    loaded = Target.objects.select_related("contact").only(
        *CALL_TARGET_FIELDS, "campaign_id", "status", "leased_to_id",
        *(f"contact__{name}" for name in CALL_CONTACT_FIELDS),
    )  # fmt: skip
    with transaction.atomic():
        held = loaded.filter(
            campaign=campaign, leased_to=volunteer, lease_expires_at__gt=now, status=Target.Status.QUEUED
        ).order_by("pk").first()  # fmt: skip
        if held is not None:
            held.campaign = campaign  # the caller's, with its script: the call page needs no second read
            return held
        if not zones:
            return None  # quiet hours wherever its contacts live, or no contacts yet
        for _attempt in range(10):
            callable_now = callable_targets(campaign, volunteer, now)
            candidate = (
                callable_now.filter(is_callback=True, caller=volunteer)
                .order_by("available_after", "pk")
                .values_list("pk", flat=True)
                .first()
            ) or (
                callable_now.order_by("attempts", "available_after", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            if candidate is None:
                return None
            claimed = callable_now.filter(pk=candidate).update(
                leased_to=volunteer, lease_expires_at=expires, available_after=expires
            )
            if claimed:
                target = loaded.get(pk=candidate)
                target.campaign = campaign
                return target
    return None


@transaction.atomic
def release_call(*, volunteer: Supporter, target: Target, now: datetime | None = None) -> bool:
    """Give a leased contact back to the queue at once (the volunteer skipped it): at the back, behind
    every contact already waiting, so that a skipped contact is not handed straight out again."""
    return bool(
        Target.objects.filter(pk=target.pk, leased_to=volunteer).update(
            leased_to=None, lease_expires_at=None, available_after=now or timezone.now()
        )
    )
