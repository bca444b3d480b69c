"""The shared part of the signed-in event and group pages (`cached_fragment`) is fresh after every write
that changes it (a missing stamp bump fails here), a hit renders none of it and reads nothing of it, and
no viewer ever sees another viewer's part (an attendee's address, a host's tools, an unlisted member).

Each case fills the cache for its pages as one signed-in supporter (the second request must take the
shared part from the cache), commits one write through its action, then asks each page again as
another signed-in supporter, who would be served the same cached part.
"""

# ruff: noqa: F811 - `world` and the organizing fixtures are imported, then asked for by name
from __future__ import annotations

import pytest
from django.test import Client

from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Membership
from quartier.organizing.tests.conftest import make_event, make_group  # noqa: F401 — fixtures
from quartier.testing import client_for
from quartier.tests.test_page_stamps import edit_event, edit_group, rename, world  # noqa: F401 — fixture

pytestmark = pytest.mark.django_db

SHARED = {"event": "organizing/_event_shared.html", "group": "organizing/_group_lists.html"}


def rendered(response) -> set[str]:
    return {template.name for template in response.templates}


def warm(client: Client, page: str, path: str) -> str:
    """Fill the cache with the shared part of `page` and check that the next request takes it from there."""
    first, again = client.get(path), client.get(path)
    assert first.status_code == again.status_code == 200, path
    assert SHARED[page] in rendered(first), f"{path}: the shared part is not rendered on a miss"
    assert SHARED[page] not in rendered(again), f"{path}: the shared part is not taken from the cache"
    return again.content.decode()


@pytest.fixture
def viewers(make_supporter):
    """Two signed-in supporters who are neither hosts nor members nor staff."""
    return make_supporter("Vera Viewer"), make_supporter("Otto Other")


def paths(world) -> dict[str, str]:
    return {"event": world.event.get_absolute_url(), "group": world.group.get_absolute_url()}


CASES = {
    "event edited": (
        ["event", "group"], lambda w: edit_event(w, title="Porte-à-porte au Plateau"), "Porte-à-porte au Plateau", None
    ),
    "event described": (["event"], lambda w: edit_event(w, description="Apportez de l'eau."), "Apportez de l", None),
    "event cancelled": (["event"], lambda w: events_actions.cancel_event(event=w.event), "This event is cancelled.", None),
    "event cancelled, its group": (
        ["group"], lambda w: events_actions.cancel_event(event=w.event), None, "Porte-à-porte du samedi"
    ),
    "event's address made private": (
        ["event"], lambda w: edit_event(w, address_visibility=Event.AddressVisibility.ATTENDEES),
        "the full address is shown once you RSVP", "rue Saint-Viateur",
    ),
    "host renamed": (["event", "group"], lambda w: rename(w.leader, "Léa Nouveau-Nom"), "Léa Nouveau-Nom", "Léa Leader"),
    "group renamed": (["event"], lambda w: edit_group(w, name="Mile End en transition"), "Mile End en transition", None),
    "member unlisted": (
        ["group"],
        lambda w: groups_actions.set_listed(
            membership=Membership.objects.get(group=w.group, supporter=w.member), is_listed=False
        ),
        None, "Max Member",
    ),
    "member left": (["group"], lambda w: groups_actions.leave_group(supporter=w.member, group=w.group), None, "Max Member"),
    "member renamed": (["group"], lambda w: rename(w.member, "Max Nouveau-Nom"), "Max Nouveau-Nom", "Max Member"),
    "RSVP (places left)": (
        ["event"], lambda w: rsvps_actions.rsvp(supporter=w.member, shift=w.event.shifts.get()), "9 places left", None
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_the_next_signed_in_viewer_sees_every_write(name, world, viewers, django_capture_on_commit_callbacks):
    pages, write, shows, hides = CASES[name]
    first_viewer, next_viewer = viewers
    for page in pages:
        warm(client_for(first_viewer), page, paths(world)[page])

    with django_capture_on_commit_callbacks(execute=True):
        write(world)

    for page in pages:
        body = client_for(next_viewer).get(paths(world)[page]).content.decode()
        if shows is not None:
            assert shows in body, f"{name}: the {page} page does not show the change"
        if hides is not None:
            assert hides not in body, f"{name}: the {page} page still shows what was removed"


def test_a_change_with_no_bump_is_not_seen_from_the_cache(world, viewers):
    """The cases above see each change through its bump, not some other way around the cache."""
    warm(client_for(viewers[0]), "event", paths(world)["event"])
    Event.objects.filter(pk=world.event.pk).update(title="Changé sans action")

    body = client_for(viewers[1]).get(paths(world)["event"]).content.decode()
    assert "<h1>Porte-à-porte du samedi</h1>" in body  # the shared part; the page's title is read anew


def test_an_attendees_address_never_reaches_another_viewer(
    world,
    viewers,
    django_capture_on_commit_callbacks,
):
    attendee, other = viewers
    with django_capture_on_commit_callbacks(execute=True):
        edit_event(world, address_visibility=Event.AddressVisibility.ATTENDEES)
        rsvps_actions.rsvp(supporter=attendee, shift=world.event.shifts.get())
    path = paths(world)["event"]

    assert "rue Saint-Viateur" in warm(client_for(attendee), "event", path)
    assert "rue Saint-Viateur" not in client_for(other).get(path).content.decode()
    assert "rue Saint-Viateur" not in Client().get(path).content.decode()


def test_the_hosts_page_is_never_shared(world, viewers):
    path = paths(world)["event"]
    host = client_for(world.leader)
    host.get(path)
    assert "Attendees and check-in" in host.get(path).content.decode()
    body = warm(client_for(viewers[0]), "event", path)

    assert "Attendees and check-in" not in body
    assert "Attendees and check-in" in host.get(path).content.decode()


def test_each_viewer_has_their_own_rsvp_buttons_and_csrf_token(
    world, viewers, django_capture_on_commit_callbacks
):
    going, other = viewers
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=going, shift=world.event.shifts.get())
    path = paths(world)["event"]
    going_client, other_client = client_for(going), client_for(other)
    warm(going_client, "event", path)
    page = other_client.get(path)

    assert "Cancel my RSVP" in going_client.get(path).content.decode()
    assert "Cancel my RSVP" not in page.content.decode()
    assert going_client.cookies["csrftoken"].value != other_client.cookies["csrftoken"].value


def test_an_unlisted_member_sees_themselves_and_nobody_else_does(world, viewers):
    membership = Membership.objects.get(group=world.group, supporter=world.member)
    groups_actions.set_listed(membership=membership, is_listed=False)
    path = paths(world)["group"]
    member = client_for(world.member)
    member.get(path)

    assert "Max Member" in member.get(path).content.decode()
    assert "Max Member" not in warm(client_for(viewers[0]), "group", path)
    assert "Max Member" in member.get(path).content.decode()


def test_a_leader_sees_their_tools_and_nobody_else_does(world, viewers):
    path = paths(world)["group"]
    leader = client_for(world.leader)
    leader.get(path)
    assert "Export members (CSV)" in leader.get(path).content.decode()

    assert "Export members (CSV)" not in warm(client_for(viewers[0]), "group", path)
    assert "Export members (CSV)" in leader.get(path).content.decode()


@pytest.mark.parametrize("page", ["event", "group"])
def test_signed_in_pages_run_few_queries_on_a_hit_and_a_miss(
    page,
    world,
    viewers,
    django_assert_num_queries,
):
    """The session (the supporter's row comes from the cache: `accounts.signed_in`), then one read of the
    page's own row with the viewer's part: the event with
    whether the viewer leads its group, its shifts with the viewer's RSVPs and the viewer's referral code
    (one SQL statement), or the group with the viewer's membership and referral code. A miss adds the
    reads of the shared part: the event with its host and group, or the group's events and members."""
    client, path = client_for(viewers[0]), paths(world)[page]
    client.get("/")  # the branding and the layout's own cached reads
    miss = {"event": 3, "group": 4}[page]
    hit = {"event": 2, "group": 2}[page]
    with django_assert_num_queries(miss):
        assert SHARED[page] in rendered(client.get(path))
    with django_assert_num_queries(hit):
        assert SHARED[page] not in rendered(client.get(path))
