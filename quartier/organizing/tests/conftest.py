"""Fixtures for local groups and events: a group led by `leader`, an upcoming event hosted by `host`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.models import Event, Group, Membership, Shift

MONTREAL = (45.5200, -73.5800)


@pytest.fixture
def leader(make_supporter) -> Supporter:
    return make_supporter("Léa Leader")


@pytest.fixture
def member(make_supporter) -> Supporter:
    return make_supporter("Max Member")


@pytest.fixture
def host(make_supporter) -> Supporter:
    return make_supporter("Hana Host")


@pytest.fixture
def outsider(make_supporter) -> Supporter:
    return make_supporter("Oscar Outsider", postal_code="M5V 2T6")


@pytest.fixture
def make_group(db) -> Callable[..., Group]:
    def make(creator: Supporter, name: str = "Plateau for Climate", **changes) -> Group:
        draft = groups_actions.GroupDraft(
            name=name, description="We meet **every Tuesday**.", area="Plateau Mont-Royal", country="CA",
            postal_code="H2X 1Y4", latitude=MONTREAL[0], longitude=MONTREAL[1], town="Montréal",
            join_policy=Group.JoinPolicy.OPEN,
        )  # fmt: skip
        for key, value in changes.items():
            setattr(draft, key, value)
        return groups_actions.create_group(creator=creator, draft=draft)

    return make


@pytest.fixture
def group(make_group, leader, member) -> Group:
    group = make_group(leader)
    groups_actions.join_group(
        supporter=member,
        group=group,
        accepts_messages=True,
        consent_wording="Yes",
        language="en",
        ip_address=None,
    )
    return group


@pytest.fixture
def make_event(db) -> Callable[..., Event]:
    def make(
        host: Supporter,
        *,
        title: str = "Door-knocking in Mile End",
        capacity: int = 10,
        shifts: int = 1,
        starts_in: timedelta = timedelta(days=3),
        latitude: float | None = MONTREAL[0],
        longitude: float | None = MONTREAL[1],
        **changes,
    ) -> Event:
        start = timezone.now() + starts_in
        draft = events_actions.EventDraft(
            title=title, description="Bring **good shoes**.", event_type="canvass", is_virtual=False, join_url="",
            venue="Café Olimpico", address="124 rue Saint-Viateur O", address_visibility=Event.AddressVisibility.PUBLIC,
            country="CA", postal_code="H2T 1A1", town="Montréal", latitude=latitude, longitude=longitude,
            time_zone="America/Toronto", max_guests_per_rsvp=2, group=None,
            shifts=[
                events_actions.ShiftDraft(starts_at=start + timedelta(hours=3 * n), ends_at=start + timedelta(hours=3 * n + 2),
                                   capacity=capacity)
                for n in range(shifts)
            ],
        )  # fmt: skip
        for key, value in changes.items():
            setattr(draft, key, value)
        return events_actions.create_event(host=host, draft=draft)

    return make


@pytest.fixture
def event(make_event, host) -> Event:
    return make_event(host)


@pytest.fixture
def shift(event) -> Shift:
    return event.shifts.get()


def leader_membership(group: Group, supporter: Supporter) -> Membership:
    return Membership.objects.get(group=group, supporter=supporter)
