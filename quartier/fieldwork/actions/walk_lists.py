"""Turf cut into walk lists, assigned to volunteers or claimed near them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.models import Supporter
from quartier.fieldwork.actions.common import FieldworkError
from quartier.fieldwork.models import (
    Contact,
    FieldCampaign,
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
    those without an address, are left out. Only the contacts taken join the campaign's universe.
    """
    if campaign.kind != FieldCampaign.Kind.CANVASS:
        raise FieldworkError(_("Walk lists belong to walking campaigns."))
    if not 1 <= doors_per_list <= 500 or not 1 <= max_lists <= 5000:
        raise FieldworkError(_("Choose between 1 and 500 doors per list, and at most 5,000 lists."))
    taken = Target.objects.filter(campaign=campaign).filter(
        Q(walk_list__isnull=False) | ~Q(status=Target.Status.QUEUED)
    )
    rows = (
        contacts.filter(do_not_knock=False)
        .exclude(household_key="")
        .exclude(pk__in=taken.values("contact_id"))
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


def claim_list_near(
    *, volunteer: Supporter, latitude: float, longitude: float, campaigns: Iterable[FieldCampaign]
) -> WalkList | None:
    """The nearest walk list nobody holds, in the given open walking campaigns, now the volunteer's."""
    campaign_ids = [c.pk for c in campaigns if c.is_open and c.kind == FieldCampaign.Kind.CANVASS]
    free = WalkList.objects.filter(
        campaign_id__in=campaign_ids, assigned_to=None, shift=None, center_latitude__isnull=False
    )
    box = 0.5  # degrees: about 50 km, then the nearest first
    candidates = list(
        free.filter(
            center_latitude__range=(latitude - box, latitude + box),
            center_longitude__range=(longitude - box * 1.5, longitude + box * 1.5),
        ).values_list("pk", "center_latitude", "center_longitude")[:500]
    )
    candidates.sort(key=lambda row: haversine_km(latitude, longitude, row[1], row[2]))
    for pk, _lat, _lon in candidates[:20]:
        with transaction.atomic():
            if WalkList.objects.filter(pk=pk, assigned_to=None, shift=None).update(
                assigned_to=volunteer, assigned_at=timezone.now()
            ):
                return WalkList.objects.get(pk=pk)
    return None
