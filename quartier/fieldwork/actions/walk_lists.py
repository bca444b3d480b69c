"""Turf cut into walk lists, assigned to volunteers or claimed near them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.models import Supporter
from quartier.fieldwork.actions.common import FieldworkError
from quartier.fieldwork.models import (
    Contact,
    FieldCampaign,
    Result,
    Target,
    WalkList,
)
from quartier.lib.contacts import walking_order
from quartier.lib.geo import haversine_km


@dataclass
class Door:
    household_key: str
    street: str
    number: int | None
    latitude: float | None
    longitude: float | None
    target_ids: list[int]


def cut_walk_lists(
    *,
    campaign: FieldCampaign,
    contacts: QuerySet[Contact],
    doors_per_list: int,
    max_lists: int,
    name_prefix: str = "",
) -> list[WalkList]:
    """Cut the selected contacts' doors (not yet on a list of this campaign, not done) into walk lists.

    Doors are households; they are read in (postal code, street, number) order from an index, so
    that each list covers a compact stretch of streets, and only as many as the lists need. Each
    list is then put in walking order (`walking_order`). Contacts who asked not to be knocked on, and
    those without an address, are left out. Only the contacts taken join the campaign's universe,
    and only contacts of the campaign's scope (`queries.contacts_in_scope`) are ever taken.
    """
    from quartier.fieldwork.queries import door_candidates

    if campaign.kind != FieldCampaign.Kind.CANVASS:
        raise FieldworkError(_("Walk lists belong to walking campaigns."))
    if not 1 <= doors_per_list <= 500 or not 1 <= max_lists <= 5000:
        raise FieldworkError(_("Choose between 1 and 500 doors per list, and at most 5,000 lists."))
    rows = (
        door_candidates(campaign, contacts)
        .order_by("postal_code", "street_name", "house_number", "pk")
        .values_list(
            "pk",
            "household_key",
            "street_name",
            "house_number",
            "latitude",
            "longitude",
            "time_zone",
            "phone",
        )
    )
    wanted = doors_per_list * max_lists
    with transaction.atomic():
        doors: dict[str, Door] = {}
        people: dict[int, tuple[str, str]] = {}
        for pk, household, street, number, lat, lon, zone, phone in rows.iterator(chunk_size=5000):
            door = doors.get(household)
            if door is None:
                if len(doors) >= wanted:
                    break
                door = doors[household] = Door(household, street, number, lat, lon, [])
            door.target_ids.append(pk)  # contact ids until the targets exist
            people[pk] = (zone, phone)
        chunks = [list(doors.values())[i : i + doors_per_list] for i in range(0, len(doors), doors_per_list)]
        start = WalkList.objects.filter(campaign=campaign).count()
        lists: list[WalkList] = []
        for number, chunk in enumerate(chunks, start=start + 1):
            points = [(d.latitude, d.longitude) for d in chunk if d.latitude is not None]
            lists.append(
                WalkList(
                    campaign=campaign,
                    name=f"{name_prefix or campaign.name} · {number}"[:140],
                    door_count=len(chunk),
                    contact_count=sum(len(d.target_ids) for d in chunk),
                    center_latitude=sum(p[0] for p in points) / len(points) if points else None,
                    center_longitude=sum(p[1] for p in points) / len(points) if points else None,
                )
            )
        WalkList.objects.bulk_create(lists, batch_size=1000)
        placed: dict[int, tuple[WalkList, int]] = {}  # contact id → (list, position)
        for walk_list, chunk in zip(lists, chunks, strict=True):
            route = walking_order([(d.street, d.number, d) for d in chunk])
            position = 0
            for door in route:
                for contact_id in door.target_ids:  # type: ignore[attr-defined]
                    position += 1
                    placed[contact_id] = (walk_list, position)
        existing = dict(
            Target.objects.filter(campaign=campaign, contact_id__in=list(placed)).values_list(
                "contact_id", "pk"
            )
        )
        Target.objects.bulk_create(
            [
                Target(
                    campaign=campaign,
                    contact_id=contact_id,
                    walk_list=walk_list,
                    position=position,
                    time_zone=people[contact_id][0],
                    has_phone=bool(people[contact_id][1]),
                )
                for contact_id, (walk_list, position) in placed.items()
                if contact_id not in existing
            ],
            batch_size=2000,
        )
        Target.objects.bulk_update(
            [
                Target(pk=existing[contact_id], walk_list=walk_list, position=position)
                for contact_id, (walk_list, position) in placed.items()
                if contact_id in existing
            ],
            ["walk_list", "position"],
            batch_size=2000,
        )
        zones = {zone for zone, _phone in people.values()} - set(campaign.time_zones)
        if zones:
            campaign.time_zones = sorted({*campaign.time_zones, *zones})
            campaign.save(update_fields=["time_zones"])
    return lists


@transaction.atomic
def assign_walk_list(*, walk_list: WalkList, volunteer: Supporter | None, shift=None) -> WalkList:
    """Give a list to a volunteer (or to an event shift's attendees), or take it back (None)."""
    WalkList.objects.filter(pk=walk_list.pk).update(
        assigned_to=volunteer, shift=shift, assigned_at=timezone.now() if volunteer or shift else None
    )
    walk_list.refresh_from_db()
    return walk_list


class ClaimRefused(FieldworkError):
    """The volunteer already holds as many unfinished lists of every nearby campaign as they may."""


def open_lists_held(volunteer: Supporter, campaign_id: int) -> int:
    """The volunteer's lists of this campaign that still have a door to knock."""
    return (
        WalkList.objects.filter(campaign_id=campaign_id, assigned_to=volunteer)
        .filter(Exists(Target.objects.filter(walk_list=OuterRef("pk"), status=Target.Status.QUEUED)))
        .count()
    )


def claim_list_near(
    *, volunteer: Supporter, latitude: float, longitude: float, campaigns: Iterable[FieldCampaign]
) -> WalkList | None:
    """The nearest walk list nobody holds, in the given open walking campaigns, now the volunteer's.

    A volunteer holds at most `max_lists_per_volunteer` unfinished lists of a campaign: the count and
    the claim happen under a lock on the volunteer's row, so two claims at once cannot both pass it.
    Raises `ClaimRefused` when every nearby free list is in a campaign where they hold their share.
    """
    open_campaigns = {c.pk: c for c in campaigns if c.is_open and c.kind == FieldCampaign.Kind.CANVASS}
    free = WalkList.objects.filter(
        campaign_id__in=list(open_campaigns), assigned_to=None, shift=None, center_latitude__isnull=False
    )
    box = 0.5  # degrees: about 50 km, then the nearest first
    candidates = list(
        free.filter(
            center_latitude__range=(latitude - box, latitude + box),
            center_longitude__range=(longitude - box * 1.5, longitude + box * 1.5),
        ).values_list("pk", "campaign_id", "center_latitude", "center_longitude")[:500]
    )
    candidates.sort(key=lambda row: haversine_km(latitude, longitude, row[2], row[3]))
    full: set[int] = set()
    for pk, campaign_id, _lat, _lon in candidates[:20]:
        if campaign_id in full:
            continue
        with transaction.atomic():
            Supporter.objects.select_for_update().filter(pk=volunteer.pk).first()  # one claim at a time
            if open_lists_held(volunteer, campaign_id) >= open_campaigns[campaign_id].max_lists_per_volunteer:
                full.add(campaign_id)
                continue
            if WalkList.objects.filter(pk=pk, assigned_to=None, shift=None).update(
                assigned_to=volunteer, assigned_at=timezone.now()
            ):
                return WalkList.objects.get(pk=pk)
    if full:
        raise ClaimRefused(
            _("Finish the walk lists you hold before taking another one (or give one back to an organiser).")
        )
    return None


def return_unworked_lists(now: datetime | None = None) -> int:
    """Lists taken by a volunteer more than their campaign's `list_return_hours` ago, with no result
    recorded on them since, go back to the pool (lists given to an event shift stay). Returns how many."""
    now = now or timezone.now()
    worked = Result.objects.filter(walk_list=OuterRef("pk"), received_at__gte=OuterRef("assigned_at"))
    returned = 0
    campaigns = FieldCampaign.objects.filter(
        kind=FieldCampaign.Kind.CANVASS, is_open=True, walk_lists__assigned_to__isnull=False
    ).distinct()
    for campaign_id, hours in campaigns.values_list("pk", "list_return_hours"):
        # One conditional UPDATE per campaign: a result recorded meanwhile keeps the list where it is.
        returned += (
            WalkList.objects.filter(
                campaign_id=campaign_id, assigned_to__isnull=False,
                assigned_at__lte=now - timedelta(hours=hours),
            )
            .exclude(Exists(worked))
            .update(assigned_to=None, assigned_at=None)
        )  # fmt: skip
    return returned
