from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quartier.organizing.actions import events as organizing_events
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Event, Group


@pytest.fixture
def group(supporter) -> Group:
    """A group led by `supporter`."""
    draft = organizing_groups.GroupDraft(
        name="Plateau pour tous", description="", area="Plateau", country="CA", postal_code="H2X 1Y4",
        latitude=45.52, longitude=-73.58, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    return organizing_groups.create_group(creator=supporter, draft=draft)


def make_event(host, *, days: float = 3, group=None, capacity: int = 10) -> Event:
    start = timezone.now() + timedelta(days=days)
    draft = organizing_events.EventDraft(
        title="Porte-à-porte", description="", event_type="canvass", is_virtual=False, join_url="", venue="Parc",
        address="1 rue du Parc", address_visibility=Event.AddressVisibility.PUBLIC, country="CA",
        postal_code="H2T 1A1", town="Montréal", latitude=45.52, longitude=-73.58, time_zone="America/Toronto",
        max_guests_per_rsvp=0, group=group,
        shifts=[organizing_events.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity)],
    )  # fmt: skip
    return organizing_events.create_event(host=host, draft=draft)
