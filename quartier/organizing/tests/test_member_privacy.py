"""Member lists follow each member's privacy; leaders' exports too; message counts are what is sent."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Profile, Visibility
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Membership
from quartier.outreach.models import Delivery
from quartier.testing import client_for


def join(group, supporter, *, listed: bool = True, accepts: bool = False) -> Membership:
    return groups_actions.join_group(
        supporter=supporter, group=group, accepts_messages=accepts, consent_wording="Yes", language="en",
        ip_address=None, is_listed=listed,
    )  # fmt: skip


def member_names(client: Client, group) -> str:
    page = client.get(group.get_absolute_url()).content.decode()
    return page.split('class="member-list"', 1)[1].split("</ul>", 1)[0]


@pytest.fixture
def crowd(group, make_supporter):
    """A listed member, an unlisted one and a listed one who never confirmed their address."""
    listed = make_supporter("Listed Lina")
    hidden = make_supporter("Hidden Hector")
    unconfirmed = make_supporter("Unconfirmed Uma", verified=False)
    join(group, listed)
    join(group, hidden, listed=False)
    join(group, unconfirmed)
    return {"listed": listed, "hidden": hidden, "unconfirmed": unconfirmed}


@pytest.mark.django_db
def test_the_member_list_shows_others_only_listed_members_with_a_public_profile(persona, group, crowd):
    name, viewer = persona

    names = member_names(client_for(viewer), group)

    assert "Listed Lina" in names
    # Staff act as leaders of every group (see the next test); everyone else sees the public list.
    assert ("Hidden Hector" in names) is (name == "staff")
    assert ("Unconfirmed Uma" in names) is (name == "staff")


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["leader", "staff"])
def test_leaders_and_staff_see_every_member_in_their_tools(request, group, crowd, viewer):
    names = member_names(client_for(request.getfixturevalue(viewer)), group)

    assert all(name in names for name in ("Listed Lina", "Hidden Hector", "Unconfirmed Uma"))
    assert "not listed" in names


@pytest.mark.django_db
def test_an_unlisted_member_still_sees_themselves(group, crowd):
    assert "Hidden Hector" in member_names(client_for(crowd["hidden"]), group)


@pytest.mark.django_db
def test_a_member_chooses_whether_to_be_listed(group, member, django_capture_on_commit_callbacks):
    client = client_for(member)

    with django_capture_on_commit_callbacks(execute=True):  # the page cache's stamps are bumped on commit
        client.post(reverse("organizing:group_listing", args=[group.slug]), {"is_listed": "no"})
    assert Membership.objects.get(group=group, supporter=member).is_listed is False
    assert "Max Member" not in member_names(Client(), group)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organizing:group_listing", args=[group.slug]), {"is_listed": "yes"})
    assert Membership.objects.get(group=group, supporter=member).is_listed is True
    assert "Max Member" in member_names(Client(), group)


@pytest.mark.django_db
def test_only_the_member_themselves_changes_their_listing(persona, group, member):
    _name, visitor = persona
    before = list(Membership.objects.order_by("pk").values())

    response = client_for(visitor).post(
        reverse("organizing:group_listing", args=[group.slug]), {"is_listed": "yes"}
    )

    assert response.status_code == (302 if visitor is None else 404)
    if visitor is None:
        assert response["Location"].startswith(reverse("account_login"))
    assert list(Membership.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_joining_without_ticking_the_box_keeps_one_off_the_list(group, supporter):
    client_for(supporter).post(reverse("organizing:group_join", args=[group.slug]), {})

    assert Membership.objects.get(group=group, supporter=supporter).is_listed is False


@pytest.mark.django_db
def test_choosing_the_listing_needs_a_membership(group, supporter):
    assert (
        client_for(supporter).post(reverse("organizing:group_listing", args=[group.slug])).status_code == 404
    )
    assert not Membership.objects.filter(supporter=supporter).exists()


@pytest.mark.django_db
def test_the_group_page_runs_a_bounded_number_of_queries_whatever_the_members(
    group, make_supporter, django_assert_max_num_queries
):
    for number in range(3):
        join(group, make_supporter(f"First {number}"))
    with django_assert_max_num_queries(12) as captured:
        Client().get(group.get_absolute_url())
    few = len(captured)
    for number in range(20):
        join(group, make_supporter(f"Later {number}"))

    with django_assert_max_num_queries(few):
        Client().get(group.get_absolute_url())


def members_csv(leader, group) -> list[list[str]]:
    import csv
    import io

    body = b"".join(
        client_for(leader).get(reverse("organizing:group_members_csv", args=[group.slug])).streaming_content
    )
    return list(csv.reader(io.StringIO(body.decode().lstrip("\ufeff"))))


@pytest.mark.django_db
def test_the_members_csv_gives_emails_only_of_members_who_accepted_the_leaders_messages(
    group, leader, make_supporter
):
    accepting, declining = make_supporter("Ann Accepts"), make_supporter("Dan Declines")
    join(group, accepting, accepts=True)
    join(group, declining, accepts=False)

    rows = {row[0]: row for row in members_csv(leader, group)[1:]}

    assert rows["Ann Accepts"][1] == accepting.email
    assert rows["Dan Declines"][1] == ""
    assert rows["Léa Leader"][1] == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("level", "shown"),
    [(Visibility.PUBLIC, True), (Visibility.SUPPORTERS, True), (Visibility.PRIVATE, False)],
)
def test_the_members_csv_gives_the_town_only_when_the_member_shows_it_to_the_leader(
    group, leader, member, level, shown
):
    Profile.objects.filter(supporter=member).update(town_visibility=level)

    rows = {row[0]: row for row in members_csv(leader, group)[1:]}

    assert rows["Max Member"][2] == ("Montréal" if shown else "")


@pytest.mark.django_db
@pytest.mark.parametrize(("target", "expected"), [("group", 4), ("event", 3)])
def test_the_count_before_sending_is_the_number_of_emails_sent(
    target, expected, group, leader, host, make_event, make_supporter, django_capture_on_commit_callbacks
):
    event = make_event(host, shifts=2)
    first, second = event.shifts.all()
    people = [make_supporter(f"Person {n}") for n in range(4)]
    people.append(make_supporter("Unconfirmed Person", verified=False))
    for number, person in enumerate(people):
        join(group, person, accepts=number != 1)
        for shift in (first, second):  # two RSVPs each: still one email
            rsvps_actions.rsvp(supporter=person, shift=shift)
        if number != 1:
            accounts_actions.record_consent(
                supporter=person, audience=common_actions.event_audience(event), granted=True, wording="Yes",
                language="en", source="join", ip_address=None,
            )  # fmt: skip
    rsvps_actions.rsvp(supporter=host, shift=first)
    if target == "group":
        url, sender = reverse("organizing:group_message", args=[group.slug]), leader
    else:
        url, sender = reverse("organizing:event_message", args=[event.pk]), host
    client = client_for(sender)

    shown = client.get(url).context["reachable"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"subject": "Tuesday", "body": "See you there."})

    # Three people who accepted (the group's own member too), not the one who declined, not the
    # unconfirmed address, never the sender.
    assert shown == Delivery.objects.count() == len(mail.outbox) == expected
    assert not Delivery.objects.filter(supporter=sender).exists()
