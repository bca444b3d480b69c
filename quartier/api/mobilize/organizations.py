"""Mobilize organizations: the campaign is organization 1, and each active local group is one too.

Mobilize's model has organizations that own events and promote each other's: the campaign owns the
events it runs and promotes every group's, as a national organisation promotes its chapters' events.
A group's organization id is its own id plus one (`GROUP_ID_OFFSET`), so that it never meets the
campaign's. See docs/decisions.md ("Mobilize-compatible API: organizations").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.text import slugify

from quartier.accounts import branding
from quartier.accounts.models import Branding
from quartier.lib.areas import area_of
from quartier.lib.urls import absolute_url
from quartier.organizing.models import Group

CAMPAIGN_ORGANIZATION_ID = 1
GROUP_ID_OFFSET = 1


def unix(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment is not None else 0


@dataclass(frozen=True)
class Organization:
    """An organization as the API sees it: the campaign (group None) or one active group."""

    id: int
    group: Group | None = None

    @property
    def is_campaign(self) -> bool:
        return self.group is None


def region_code(country: str, postal_code: str) -> str:
    """The province or state code of a postal code (`QC`, `NY`), or "" when unknown."""
    area = area_of(country, postal_code) if postal_code else ""
    return area.partition("-")[2]


def active_groups() -> QuerySet[Group]:
    return Group.objects.filter(status=Group.Status.ACTIVE)


def find(organization_id: int) -> Organization | None:
    """The organization of this id, or None (a closed or merged group is no organization)."""
    if organization_id == CAMPAIGN_ORGANIZATION_ID:
        return Organization(CAMPAIGN_ORGANIZATION_ID)
    group = active_groups().filter(pk=organization_id - GROUP_ID_OFFSET).first()
    return Organization(organization_id, group) if group is not None else None


def group_organization_id(group_id: int) -> int:
    return group_id + GROUP_ID_OFFSET


def campaign_dict() -> dict:
    brand = branding.current()
    changed = Branding.objects.filter(pk=1).values_list("updated_at", flat=True).first()
    return {
        "id": CAMPAIGN_ORGANIZATION_ID,
        "name": brand.name,
        "slug": slugify(brand.name) or "campaign",
        "is_coordinated": True,
        "is_independent": False,
        "is_primary_campaign": False,
        "race_type": None,
        "state": "",
        "district": "",
        "candidate_name": "",
        "event_feed_url": absolute_url("/events/"),
        "created_date": unix(changed),
        "modified_date": unix(changed),
        "org_type": "CAMPAIGN",
    }


def group_dict(group: Group) -> dict:
    return {
        "id": group_organization_id(group.pk),
        "name": group.name,
        "slug": group.slug,
        "is_coordinated": True,
        "is_independent": False,
        "is_primary_campaign": False,
        "race_type": None,
        "state": region_code(group.country, group.postal_code),
        "district": "",
        "candidate_name": "",
        "event_feed_url": absolute_url(group.get_absolute_url()),
        "created_date": unix(group.created_at),
        "modified_date": unix(group.created_at),
        "org_type": "COORDINATED",
    }


class Sponsors:
    """The organization dict of an event's sponsor, the campaign's read once per request."""

    def __init__(self) -> None:
        self._campaign: dict | None = None

    def campaign(self) -> dict:
        if self._campaign is None:
            self._campaign = campaign_dict()
        return self._campaign

    def of(self, group: Group | None) -> dict:
        if group is not None and group.status == Group.Status.ACTIVE:
            return group_dict(group)
        return self.campaign()
