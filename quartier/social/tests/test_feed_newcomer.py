"""A newcomer's empty feed suggests people and groups: near their postal code, else active ones, only
profiles they may open, never a town they may not see, with follow and join buttons that work."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.accounts.models import Profile, Visibility
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group, Membership
from quartier.social.actions import connections as connections_actions
from quartier.social.models import Follow
from quartier.social.queries import connections as connections_queries
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def far_group(creator) -> Group:
    draft = organizing_groups.GroupDraft(
        name="Kitsilano Greens", description="", area="Kitsilano", country="CA", postal_code="V6K 1A1",
        latitude=49.27, longitude=-123.16, town="Vancouver", join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    return organizing_groups.create_group(creator=creator, draft=draft)


def test_a_newcomer_sees_people_whose_town_they_may_see_and_groups_near_them(
    make_supporter, group, author, make_post
):
    newcomer = make_supporter("Nina Newcomer")
    neighbour = make_supporter("Ned Neighbour")
    secretive = make_supporter("Sid Secretive")
    Profile.objects.update_or_create(supporter=secretive, defaults={"town_visibility": Visibility.PRIVATE})
    unconfirmed = make_supporter("Uma Unconfirmed", verified=False)
    blocker = make_supporter("Bob Blocker")
    connections_actions.block(blocker=blocker, blocked=newcomer)
    far = far_group(make_supporter("Val Vancouver", postal_code="V6K 1A1"))
    assert newcomer.town and newcomer.town == neighbour.town  # the same postal code

    found = connections_queries.newcomer_suggestions(newcomer)

    assert neighbour in found.people and author in found.people  # author: same town too
    assert not {secretive, unconfirmed, blocker, newcomer} & set(found.people)
    assert group in found.groups and far not in found.groups
    assert found.near == newcomer.town

    page = client_for(newcomer).get(reverse("social:feed")).content.decode()
    assert "Ned Neighbour" in page and "Sid Secretive" not in page and "Kitsilano" not in page
    assert reverse("social:follow", args=[neighbour.handle]) in page
    assert reverse("organizing:group_join", args=[group.slug]) in page


def test_without_a_known_place_active_people_and_the_biggest_groups_are_suggested(
    make_supporter, group, make_post
):
    newcomer = make_supporter("Nina Newcomer", postal_code="")
    quiet = make_supporter("Quinn Quiet", postal_code="V6K 1A1")
    poster = make_supporter("Pat Poster", postal_code="V6K 1A1")
    make_post(poster, "Hello Vancouver")
    far = far_group(quiet)

    found = connections_queries.newcomer_suggestions(newcomer)

    assert poster in found.people and quiet not in found.people
    assert group in found.groups and far in found.groups and found.near == ""


def test_the_buttons_follow_and_join_and_the_suggestions_leave_once_the_feed_fills(
    make_supporter, group, make_post
):
    newcomer = make_supporter("Nina Newcomer")
    neighbour = make_supporter("Ned Neighbour")
    make_post(neighbour, "Hello from the Plateau")
    client = client_for(newcomer)

    followed = client.post(
        reverse("social:follow", args=[neighbour.handle]), {"next": reverse("social:feed")}
    )
    joined = client.post(reverse("organizing:group_join", args=[group.slug]))

    assert followed.status_code == joined.status_code == 302
    assert Follow.objects.filter(follower=newcomer, followed=neighbour).exists()
    assert Membership.objects.filter(supporter=newcomer, group=group, status="active").exists()
    page = client.get(reverse("social:feed")).content.decode()
    assert "Hello from the Plateau" in page and 'id="newcomer-title"' not in page


def test_someone_with_a_full_feed_is_not_shown_the_newcomer_block(people, make_post):
    make_post(people["author"], "Something to read")
    page = client_for(people["follower"]).get(reverse("social:feed")).content.decode()
    assert 'id="newcomer-title"' not in page
