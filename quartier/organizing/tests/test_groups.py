from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from quartier.accounts import branding
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.models import Event, Group, Membership
from quartier.outreach.models import Delivery
from quartier.testing import client_for

GROUP_FORM = {
    "name": "Rosemont en action", "area": "Rosemont", "description": "On se voit **le mardi**.", "country": "CA",
    "postal_code": "H2X 1Y4", "coordinates": "", "join_policy": "open",
}  # fmt: skip


@pytest.mark.django_db
def test_a_verified_supporter_starts_a_group_and_leads_it(supporter):
    response = client_for(supporter).post(reverse("organizing:group_create"), GROUP_FORM)

    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert (group.slug, group.town, group.member_count) == ("rosemont-en-action", "Montréal", 1)
    assert group.latitude == pytest.approx(45.512)
    assert Membership.objects.get(group=group).role == "leader"
    assert group.description_html == "<p>On se voit <strong>le mardi</strong>.</p>\n"


@pytest.mark.django_db
def test_coordinates_typed_directly_place_the_group(supporter):
    client_for(supporter).post(
        reverse("organizing:group_create"), {**GROUP_FORM, "postal_code": "", "coordinates": "46.81, -71.21"}
    )

    group = Group.objects.get()
    assert (group.latitude, group.longitude) == (46.81, -71.21)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postal_code": "Z9Z 9Z9"}, "postal_code", "not a valid postal code"),
        ({"country": "FR", "postal_code": "99999"}, "postal_code", "do not know where this postal code is"),
        ({"postal_code": "", "coordinates": "north-ish"}, "coordinates", "latitude, longitude"),
        ({"postal_code": "", "coordinates": "95, 10"}, "coordinates", "latitude, longitude"),
        ({"postal_code": ""}, "postal_code", "Give a postal code, or coordinates."),
        ({"name": ""}, "name", "required"),
    ],
)
def test_a_bad_group_form_comes_back_with_the_data_and_a_reason(supporter, changes, field, message):
    response = client_for(supporter).post(reverse("organizing:group_create"), {**GROUP_FORM, **changes})

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "Rosemont" in response.content.decode()
    assert Group.objects.count() == 0


@pytest.mark.django_db
def test_an_unverified_supporter_is_asked_to_confirm_before_starting_a_group(unverified):
    response = client_for(unverified).post(reverse("organizing:group_create"), GROUP_FORM)

    assert response.status_code == 302 and response["Location"] == reverse("account_email")
    assert Group.objects.count() == 0


@pytest.mark.django_db
def test_search_finds_groups_near_a_postal_code_nearest_first(make_group, leader):
    near = make_group(leader, name="Near")
    far = make_group(leader, name="Quebec City", latitude=46.81, longitude=-71.21)

    page = Client().get(reverse("organizing:groups"), {"near": "H2X 1Y4", "country": "CA", "within": "25"})

    results = [item for item, _distance in page.context["results"]]
    assert results == [near]
    wide = Client().get(reverse("organizing:groups"), {"near": "H2X 1Y4", "country": "CA", "within": "300"})
    assert [item for item, _d in wide.context["results"]] == [near, far]


@pytest.mark.django_db
def test_search_speaks_miles_to_americans(make_group, leader, make_supporter):
    american = make_supporter("Amy", country="US", postal_code="10001")
    make_group(leader, name="NYC", latitude=40.75, longitude=-73.99)

    page = client_for(american).get(
        reverse("organizing:groups"), {"near": "10001", "country": "US", "within": "10"}
    )

    assert page.context["unit"] == "mi"
    assert "mi away" in page.content.decode()


@pytest.mark.django_db
def test_an_unknown_postal_code_in_search_says_so(make_group, leader):
    page = Client().get(reverse("organizing:groups"), {"near": "99999", "country": "FR"})

    assert page.status_code == 200
    assert "We do not know this postal code" in page.content.decode()


@pytest.mark.django_db
def test_the_group_list_runs_a_bounded_number_of_queries_whatever_it_shows(make_group, leader):
    branding.current()  # the campaign's branding is read once, then served from the cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_search() -> int:
        with CaptureQueriesContext(connection) as captured:
            Client().get(reverse("organizing:groups"), {"near": "H2X 1Y4", "country": "CA"})
        return len(captured)

    make_group(leader, name="First")
    with_one = queries_for_search()
    for number in range(25):
        make_group(leader, name=f"Group {number}")

    # The postal code, up to four widening boxes of ids, then the rows: never one query per group.
    assert queries_for_search() <= with_one <= 6


@pytest.mark.django_db
def test_joining_an_open_group_counts_once(group, supporter):
    client = client_for(supporter)
    client.post(reverse("organizing:group_join", args=[group.slug]), {"accepts_messages": "on"})
    client.post(reverse("organizing:group_join", args=[group.slug]), {"accepts_messages": "on"})

    assert Membership.objects.filter(group=group, supporter=supporter).count() == 1
    assert Group.objects.get(pk=group.pk).member_count == 3


@pytest.mark.django_db
def test_an_approval_group_waits_for_a_leader(
    make_group, leader, supporter, django_capture_on_commit_callbacks
):
    group = make_group(leader, join_policy="approval")
    client_for(supporter).post(reverse("organizing:group_join", args=[group.slug]), {})
    membership = Membership.objects.get(group=group, supporter=supporter)
    assert membership.status == "pending"
    assert Group.objects.get(pk=group.pk).member_count == 1

    with django_capture_on_commit_callbacks(execute=True):
        client_for(leader).post(
            reverse("organizing:group_member", args=[group.slug, membership.pk]), {"action": "approve"}
        )

    assert Membership.objects.get(pk=membership.pk).status == "active"
    assert Group.objects.get(pk=group.pk).member_count == 2
    assert mail.outbox[-1].to == [supporter.email]


@pytest.mark.django_db
def test_the_last_leader_cannot_leave_a_group_with_members(group, leader):
    response = client_for(leader).post(reverse("organizing:group_leave", args=[group.slug]), follow=True)

    assert "only leader" in response.content.decode()
    assert Membership.objects.filter(group=group, supporter=leader).exists()


@pytest.mark.django_db
def test_leaders_message_only_members_who_accepted(
    group, leader, member, make_supporter, django_capture_on_commit_callbacks
):
    refuser = make_supporter("Rita Refuser")
    groups_actions.join_group(supporter=refuser, group=group, accepts_messages=False, consent_wording="No", language="en",
                       ip_address=None)  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(leader).post(
            reverse("organizing:group_message", args=[group.slug]),
            {"subject": "Tuesday", "body": "See you **there**."},
        )

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_leaders_export_members_as_csv_safely(group, leader, member):
    member.display_name = '=HYPERLINK("http://evil")'
    member.save(update_fields=["display_name"])

    response = client_for(leader).get(reverse("organizing:group_members_csv", args=[group.slug]))

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert member.email in body  # accepted the leaders' messages
    assert leader.email not in body  # never said yes to them
    assert "'=HYPERLINK" in body


@pytest.mark.django_db
def test_staff_merge_two_groups(make_group, leader, member, supporter, staff):
    source = make_group(leader, name="Mile End")
    target = make_group(supporter, name="Plateau")
    groups_actions.join_group(supporter=member, group=source, accepts_messages=True, consent_wording="", language="en",
                       ip_address=None)  # fmt: skip

    response = client_for(staff).post(
        reverse("organizing:group_staff", args=[source.slug]), {"action": "merge", "target": target.slug}
    )

    assert response.status_code == 302
    source.refresh_from_db()
    target.refresh_from_db()
    assert source.status == "merged" and source.merged_into == target
    assert target.member_count == 3
    assert set(target.memberships.values_list("supporter__display_name", "role")) == {
        ("Marie Tremblay", "leader"), ("Léa Leader", "co_leader"), ("Max Member", "member"),
    }  # fmt: skip
    assert Client().get(source.get_absolute_url())["Location"] == target.get_absolute_url()


@pytest.mark.django_db
def test_staff_feature_and_close_groups(group, staff):
    client = client_for(staff)
    client.post(reverse("organizing:group_staff", args=[group.slug]), {"action": "feature"})
    assert Group.objects.get(pk=group.pk).is_featured

    client.post(reverse("organizing:group_staff", args=[group.slug]), {"action": "close"})

    assert Group.objects.get(pk=group.pk).status == "closed"
    assert Client().get(group.get_absolute_url()).status_code == 404
    assert client.get(group.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_group_page_lists_its_upcoming_events(group, leader, make_event):
    event = make_event(leader, group=group)

    page = Client().get(group.get_absolute_url())

    assert page.context["events"] == [event]
    assert Event.objects.get(pk=event.pk).group == group


@pytest.mark.django_db
def test_the_group_page_runs_constant_queries_however_many_members_and_events(
    group, leader, make_supporter, make_event, django_assert_max_num_queries
):
    branding.current()  # the campaign's branding is read once, then served from the cache
    for number in range(8):
        groups_actions.join_group(supporter=make_supporter(f"M{number}"), group=group, accepts_messages=True,
                           consent_wording="", language="en", ip_address=None)  # fmt: skip
        make_event(leader, title=f"E{number}", group=group)

    with django_assert_max_num_queries(3):
        assert Client().get(group.get_absolute_url()).status_code == 200
