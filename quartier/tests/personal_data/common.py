"""What every factory of personal data needs: the other people involved, and the factory's shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Model, QuerySet
from django.utils import timezone

from quartier.accounts.models import (
    Supporter,
)
from quartier.organizing.actions import events as organizing_events
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Event, Group


@dataclass
class People:
    """Who else the factories need: someone who writes, hosts and leads, and a staff member."""

    organiser: Supporter
    staff: Supporter
    markers: list[str] = field(default_factory=list)

    def make_event(self, host: Supporter, *, title: str, capacity: int = 10) -> Event:
        start = timezone.now() + timedelta(days=3)
        draft = organizing_events.EventDraft(
            title=title, description="", event_type="canvass", is_virtual=False, join_url="", venue="Parc",
            address="1 rue du Parc", address_visibility=Event.AddressVisibility.PUBLIC, country="CA",
            postal_code="H2T 1A1", town="Montréal", latitude=45.52, longitude=-73.58, time_zone="America/Toronto",
            max_guests_per_rsvp=0, group=None,
            shifts=[organizing_events.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity)],
        )  # fmt: skip
        return organizing_events.create_event(host=host, draft=draft)

    def make_group(self, creator: Supporter, *, name: str) -> Group:
        draft = organizing_groups.GroupDraft(
            name=name, description="", area="Plateau", country="CA", postal_code="H2X 1Y4", latitude=45.52,
            longitude=-73.58, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
        )  # fmt: skip
        return organizing_groups.create_group(creator=creator, draft=draft)

    def marker(self, source: str, number: int) -> str:
        text = f"marker-{source}-{number}-{len(self.markers)}"  # unique to each row made
        self.markers.append(text)
        return text


@dataclass(frozen=True)
class Factory:
    make: Callable[[Supporter, People], None]
    owned: Callable[[Supporter], dict[type[Model], QuerySet]]
    # How many of the supporter's rows of each model the export lists (None: left out on purpose, and why).
    exported: Callable[[object], dict[type[Model], int]]
    not_exported: str = ""


def count_rows(rows: object) -> int:
    return 0 if rows is None else (len(rows) if isinstance(rows, list) else 1)
