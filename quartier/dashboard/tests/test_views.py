"""Every dashboard view with every persona, the figures each may see, query counts, bad filters."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.dashboard import actions
from quartier.dashboard.models import IndexRules
from quartier.dashboard.tests.conftest import make_event
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.actions import rsvps as organizing_rsvps
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

PERSONAL = reverse("dashboard:personal")
ORGANIZE = reverse("dashboard:organize")


def index_level(response) -> int:
    return int(re.search(r'data-level="(\d+)"', response.content.decode()).group(1))


def test_the_personal_dashboard_asks_a_visitor_to_sign_in():
    response = client_for(None).get(PERSONAL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["unverified", "supporter", "other_supporter", "staff"])
def test_every_signed_in_persona_sees_their_own_dashboard_in_few_queries(
    request, name, django_assert_max_num_queries
):
    person = request.getfixturevalue(name)
    client = client_for(person)
    # Every panel's counts are read together; lists only when not empty (test_personal_queries.py).
    with django_assert_max_num_queries(15):
        response = client.get(PERSONAL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "My activity level" in body
    for panel in ("Door-to-door and phone banks", "Messages and notifications", "Email"):
        assert f"<h2>{panel}</h2>" in body, panel
    assert 'id="donations-panel-title"' in body


def test_the_index_rises_with_each_action_and_lists_what_counted(supporter, other_supporter):
    client = client_for(supporter)
    assert index_level(client.get(PERSONAL)) == 1
    shift = make_event(other_supporter).shifts.get()
    record = organizing_rsvps.rsvp(supporter=supporter, shift=shift)
    organizing_rsvps.check_in(rsvp_record=record, attended=True)
    body = client.get(PERSONAL).content.decode()
    assert "RSVPed to an event" in body and "1 event attended" in body
    # The journal rows the fieldwork and donations apps record (the browser journey goes through them).
    for number in range(3):
        record_activity("fieldwork.call", supporter=supporter, key=f"call:{number}", detail={"reached": True})
    record_activity("donations.gift", supporter=other_supporter, key="gift:1", amount=10_000, currency="CAD",
                    credited_to=supporter)  # fmt: skip
    response = client.get(PERSONAL)
    body = response.content.decode()
    # 1 (RSVP) + 3 (attended) + 3 calls + 10 (100 raised, 1 point per 10) = 17 points: level 5
    assert "17 points" in body
    assert index_level(response) == 5
    assert "3 calls made" in body and "Money raised through my pages and links" in body


def test_a_cancelled_rsvp_takes_its_point_back(supporter, other_supporter):
    shift = make_event(other_supporter).shifts.get()
    record = organizing_rsvps.rsvp(supporter=supporter, shift=shift)
    organizing_rsvps.cancel_rsvp(rsvp_record=record)
    body = client_for(supporter).get(PERSONAL).content.decode()
    assert "RSVPed to an event</th>" not in body
    assert "0 points" in body


def test_actions_older_than_the_window_do_not_count(supporter):
    IndexRules.objects.create(window_days=30, weights={"social.post": 2}, levels=[1, 2, 3, 4, 5, 6, 7, 8, 9])
    record_activity(
        "social.post", supporter=supporter, key="old", occurred_at=timezone.now() - timedelta(days=31)
    )
    record_activity("social.post", supporter=supporter, key="new")
    actions.roll_up()
    body = client_for(supporter).get(PERSONAL).content.decode()
    assert "2 points" in body


def test_the_reach_counts_first_hand_and_down_the_chain(supporter, other_supporter, make_supporter):
    newcomer = make_supporter("Newcomer")
    record_activity("reach.referral_signup", supporter=other_supporter, key="r1", credited_to=supporter)
    record_activity("reach.referral_signup", supporter=newcomer, key="r2", credited_to=other_supporter)
    record_activity("donations.gift", supporter=newcomer, key="g", amount=5_000, currency="CAD",
                    credited_to=other_supporter)  # fmt: skip
    actions.roll_up()
    body = client_for(supporter).get(PERSONAL).content.decode()
    reach = body[body.index('id="reach-heading"') :]
    assert re.search(r"Signed up</th><td>1</td><td>1</td>", reach)
    assert re.search(r"Gave</th><td>0 · \$0</td><td>1 · \$50</td>", reach)


@pytest.mark.parametrize("name", ["anonymous", "unverified", "supporter", "other_supporter"])
def test_the_organiser_dashboard_is_for_staff_only(request, name):
    person = request.getfixturevalue(name)
    record_activity("donations.gift", supporter=None, key="g", amount=123_456, currency="CAD")
    actions.roll_up()
    response = client_for(person).get(ORGANIZE)
    assert response.status_code in {302, 403}
    assert "1,234.56" not in response.content.decode()
    assert client_for(person).get(ORGANIZE + "?csv=donations").status_code in {302, 403}


def test_staff_see_the_campaign_and_filter_by_region_in_few_queries(staff, supporter, other_supporter,
                                                                    django_assert_max_num_queries):  # fmt: skip
    record_activity("fieldwork.door", supporter=supporter, key="d1",
                    detail={"reached": True, "answers": [{"question": "Vote?", "answer": "yes"}]})  # fmt: skip
    record_activity("fieldwork.door", supporter=other_supporter, key="d2", detail={"reached": False})
    actions.roll_up()
    client = client_for(staff)
    with django_assert_max_num_queries(16):
        everyone = client.get(ORGANIZE)
    assert everyone.status_code == 200
    with django_assert_max_num_queries(16):
        montreal = client.get(ORGANIZE + "?region=H2X")
    assert montreal.status_code == 200
    assert ">50 %<" in everyone.content.decode().replace(" / ", "<").replace("</dd>", "<") or "50 %" in (
        everyone.content.decode()
    )
    assert "100 %" in montreal.content.decode()
    assert "Vote?" in montreal.content.decode()
    ontario = client.get(ORGANIZE + "?area=CA-ON").content.decode()
    assert "Vote?" not in ontario


def test_the_csv_has_the_chart_figures(staff, supporter):
    today = timezone.localdate()
    record_activity("donations.gift", supporter=supporter, key="g1", amount=2_000, currency="CAD")
    record_activity("donations.gift", supporter=supporter, key="g2", amount=30_000, currency="CAD")
    record_activity(
        "donations.refund", supporter=supporter, key="g2", amount=-30_000, currency="CAD", count=0
    )
    actions.roll_up()
    client = client_for(staff)
    page = client.get(ORGANIZE).content.decode()
    bars = dict(
        re.findall(
            r'<rect [^>]*data-day="([\d-]+)" data-value="([\d.]+)"',
            page[page.index('id="chart-donations"') :].split("</section>")[0],
        )
    )
    response = client.get(ORGANIZE + "?csv=donations")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "Amount given"]
    assert rows[-1] == [today.isoformat(), "20.00"]
    assert dict(rows[1:]) == bars


def test_a_bad_filter_re_renders_with_the_data_kept_and_a_message(staff):
    response = client_for(staff).get(ORGANIZE + "?start=2026-12-10&end=2026-12-01&region=H2%3C")
    assert response.status_code == 400
    body = response.content.decode()
    assert "The start comes after the end." in body and "Type letters and digits only." in body
    assert 'value="2026-12-10"' in body


def test_an_unknown_group_and_csv_are_refused_politely(staff):
    assert "No group has this address." in client_for(staff).get(ORGANIZE + "?group=nowhere").content.decode()
    assert client_for(staff).get(ORGANIZE + "?csv=nothing").status_code == 404


@pytest.mark.parametrize("name", ["anonymous", "unverified", "other_supporter", "staff", "supporter"])
def test_a_group_dashboard_is_for_its_leaders_and_staff(request, name, group, other_supporter, supporter):
    organizing_groups.join_group(
        supporter=other_supporter, group=group, accepts_messages=False, consent_wording="", language="en",
        ip_address=None,
    )  # fmt: skip
    record_activity("social.post", supporter=other_supporter, key="p", group_id=group.pk)
    record_activity("social.post", supporter=other_supporter, key="elsewhere", group_id=group.pk + 100)
    actions.roll_up()
    person = request.getfixturevalue(name)
    response = client_for(person).get(reverse("dashboard:organize_group", args=[group.slug]))
    if name in {"supporter", "staff"}:  # `supporter` leads the group
        assert response.status_code == 200
        body = response.content.decode()
        assert "Members&#x27; activity levels" in body or "Members' activity levels" in body
        posts = re.findall(r'data-series="Posts"', body)
        assert posts
        # Only the group's post is counted: one post today.
        assert re.search(r'data-day="[\d-]+" data-value="1"><title>Posts: 1</title>', body)
    else:
        assert response.status_code in {302, 404}
        assert "Members" not in response.content.decode()


def test_the_dashboards_speak_french_with_french_numbers(staff):
    record_activity("donations.gift", supporter=staff, key="g", amount=123_456, currency="CAD")
    actions.roll_up()
    staff.language = "fr"
    staff.save(update_fields=["language"])
    client = client_for(staff)
    client.cookies["django_language"] = "fr"
    body = client.get(ORGANIZE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Tableau de bord" in body
    assert "1\u202f234,56" in body or "1 234,56" in body or "1\xa0234,56" in body


def test_areas_are_kept_apart_by_country(staff, make_supporter):
    """A Dallas ZIP code and a Paris postal code both start with 750: each counts in its own country."""
    dallas = make_supporter("Dallas Donor", country="US", postal_code="75001")
    paris = make_supporter("Paris Donor", country="FR", postal_code="75011")
    record_activity("donations.gift", supporter=dallas, key="us", amount=1_100, currency="USD")
    record_activity("donations.gift", supporter=paris, key="fr", amount=2_200, currency="EUR")
    actions.roll_up()
    client = client_for(staff)

    def given(query: str) -> str:
        response = client.get(ORGANIZE + query)
        assert response.status_code == 200, query
        return response.content.decode().split('data-figure="amount">')[1].split("</dd>")[0]

    assert "$11 " in given("?area=US-TX") and "$22 " not in given("?area=US-TX")
    assert "$22 " in given("?area=FR-IDF") and "$11 " not in given("?area=FR-IDF")
    assert "$22 " in given("?country=FR&region=75") and "$11 " not in given("?country=FR&region=75")
    assert "$11 " in given("?country=US") and "$22 " not in given("?country=US")
    assert "$11 " not in given("?area=US-NY") and "$22 " not in given("?area=CA-QC")
    lyon = make_supporter("Lyon Poster", country="FR", postal_code="69001")
    record_activity("social.post", supporter=lyon, key="lyon")
    actions.roll_up()
    page = client.get(ORGANIZE + "?country=FR").content.decode()
    assert "750 · Île-de-France" in page and "690 · Auvergne-Rhône-Alpes" in page  # the map's table
    paris_only = client.get(ORGANIZE + "?area=FR-IDF").content.decode()
    assert "750 · Île-de-France" in paris_only and "690 ·" not in paris_only


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?region=750", "Choose the country of this postal code."),
        ("?region=H2X&area=CA-QC", "Choose a postal prefix or a province, state or region, not both."),
        ("?country=US&area=CA-QC", "This province, state or region is not in the country chosen."),
        ("?area=CA-ZZ", "Select a valid choice."),
        ("?group=some-group&area=CA-QC", "Choose a group or an area, not both."),
    ],
)
def test_an_area_filter_that_cannot_be_read_says_why(staff, query, message):
    response = client_for(staff).get(ORGANIZE + query)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
