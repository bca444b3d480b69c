"""The segment builder: a group picked by its name (suggestions as staff type), and a refused filter
named with the reason, in the staff member's language, the form kept as it was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.models import Group
from quartier.outreach.tests.helpers import consent
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def make_group(creator, name: str, town: str = "Montréal") -> Group:
    draft = groups_actions.GroupDraft(
        name=name, description="Tuesdays.", area="Plateau", country="CA", postal_code="H2X 1Y4",
        latitude=45.52, longitude=-73.58, town=town, join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    return groups_actions.create_group(creator=creator, draft=draft)


@pytest.fixture
def groups(make_supporter):
    leader = make_supporter("Léa Leader")
    plateau = make_group(leader, "Plateau for Climate")
    make_group(leader, "Verdun Volunteers")
    member = make_supporter("Max Member")
    groups_actions.join_group(
        supporter=member, group=plateau, accepts_messages=True, consent_wording="Yes", language="en", ip_address=None
    )  # fmt: skip
    for person in (leader, member, make_supporter("Not A Member")):
        consent(person, "campaign_news")
    return plateau


def count_page(client, **filters):
    return client.get(
        reverse("outreach:segment_count"), {"topic": "campaign_news", **filters}
    ).content.decode()


def test_typing_part_of_a_name_suggests_the_groups_with_it(staff, groups):
    page = client_for(staff).get(reverse("outreach:group_suggestions"), {"group": "plat"}).content.decode()

    assert f'<option value="Plateau for Climate (#{groups.pk})">Montréal</option>' in page
    assert "Verdun" not in page


@pytest.mark.parametrize("who", ["anonymous", "supporter", "other_supporter"])
def test_only_staff_get_group_suggestions(who, request, groups):
    response = client_for(request.getfixturevalue(who)).get(
        reverse("outreach:group_suggestions"), {"group": "plat"}
    )

    assert response.status_code == 404


@pytest.mark.parametrize("typed", ["Plateau for Climate (#{pk})", "  plateau FOR climate "])
def test_a_group_picked_by_name_counts_its_members(typed, staff, groups):
    page = count_page(client_for(staff), group=typed.format(pk=groups.pk))

    assert "<strong>2</strong> people will get it." in page  # the leader and the member, not the third


def test_an_unknown_group_is_refused_on_its_field_in_the_staff_member_s_language(staff, groups):
    staff.language = "fr"
    staff.save(update_fields=["language"])
    client = client_for(staff)
    client.cookies["django_language"] = "fr"

    page = count_page(client, group="Plateau pour le climat")

    assert "Membres du groupe\u00a0: Aucun groupe ne s’appelle «\u00a0Plateau pour le climat\u00a0»" in page


def test_two_groups_of_one_name_ask_to_pick_from_the_suggestions(staff, groups, make_supporter):
    make_group(make_supporter("Other Leader"), "Plateau for Climate", town="Laval")

    page = count_page(client_for(staff), group="Plateau for Climate")

    assert "Several groups are called “Plateau for Climate”: pick one from the suggestions." in page


def test_a_postal_code_without_a_distance_is_refused_on_the_distance(staff, groups):
    page = count_page(client_for(staff), postal_code="H2X 1Y4")

    assert "<li>Within (km): Give both a postal code and a distance, or neither.</li>" in page


def test_the_compose_form_comes_back_with_the_error_on_its_field_and_what_was_typed(staff, groups):
    response = client_for(staff).post(
        reverse("outreach:message_new"),
        {
            "topic": "campaign_news",
            "subject": "Hello",
            "body": "Hi",
            "group": "Nowhere group",
            "within_km": "abc",
        },
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert 'value="Nowhere group"' in page
    assert "No group is called “Nowhere group”: pick one from the suggestions." in page
    assert "Enter a number." in page


def test_a_saved_segment_shows_its_group_by_name(staff, groups):
    from quartier.outreach.forms import SegmentForm
    from quartier.outreach.segments import Segment

    assert (
        SegmentForm.initial_from(Segment(group_id=groups.pk))["group"]
        == f"Plateau for Climate (#{groups.pk})"
    )
