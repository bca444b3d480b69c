"""Who finds which organiser tools (every persona), and filters that cannot be read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.accounts.activity import record_activity
from quartier.dashboard import actions
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

ORGANIZE = reverse("dashboard:organize")
CAMPAIGN_MONEY = "1,234.56"


def second_group(leader) -> Group:
    draft = organizing_groups.GroupDraft(
        name="Ahuntsic en action", description="", area="Ahuntsic", country="CA", postal_code="H2C 1A1",
        latitude=45.55, longitude=-73.66, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    return organizing_groups.create_group(creator=leader, draft=draft)


@pytest.fixture
def campaign(group, other_supporter, make_supporter):
    """`supporter` leads `group`, `other_supporter` is a member; a gift outside the group."""
    organizing_groups.join_group(
        supporter=other_supporter, group=group, accepts_messages=False, consent_wording="", language="en",
        ip_address=None,
    )  # fmt: skip
    record_activity("donations.gift", supporter=None, key="campaign-gift", amount=123_456, currency="CAD")
    record_activity("social.post", supporter=other_supporter, key="group-post", group_id=group.pk)
    actions.roll_up()
    return group


@pytest.mark.parametrize("name", ["staff", "supporter", "other_supporter", "unverified", "anonymous"])
def test_organise_sends_each_persona_to_what_they_may_see(request, name, campaign):
    person = request.getfixturevalue(name)
    client = client_for(person)
    response = client.get(ORGANIZE)
    body = response.content.decode()
    if name == "staff":
        assert response.status_code == 200
        assert CAMPAIGN_MONEY in body and 'data-figure="amount"' in body
    elif name == "supporter":  # leads one group: sent to its dashboard, with the filters kept
        group_dashboard = reverse("dashboard:organize_group", args=[campaign.slug])
        assert response.status_code == 302 and response["Location"] == group_dashboard
        assert client.get(ORGANIZE + "?start=2026-01-01")["Location"] == group_dashboard + "?start=2026-01-01"
        page = client.get(group_dashboard).content.decode()
        assert "Plateau pour tous" in page and CAMPAIGN_MONEY not in page  # the group's figures only
    elif name == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    else:  # a member, someone in no group
        assert response.status_code == 403
        assert CAMPAIGN_MONEY not in body and "Plateau pour tous" not in body
    assert CAMPAIGN_MONEY not in client.get(ORGANIZE + "?csv=donations").content.decode() or name == "staff"


def test_a_leader_of_several_groups_chooses_among_them(supporter, campaign):
    other = second_group(supporter)
    response = client_for(supporter).get(ORGANIZE)
    assert response.status_code == 200
    body = response.content.decode()
    for group in (campaign, other):
        assert reverse("dashboard:organize_group", args=[group.slug]) in body
    assert CAMPAIGN_MONEY not in body


@pytest.mark.parametrize("name", ["staff", "supporter", "other_supporter", "unverified", "anonymous"])
def test_the_group_page_links_its_leaders_to_their_tools(request, name, campaign):
    body = client_for(request.getfixturevalue(name)).get(campaign.get_absolute_url()).content.decode()
    dashboard_link = (
        f'href="{reverse("dashboard:organize_group", args=[campaign.slug])}">The group\'s dashboard'
    )
    fieldwork_link = f'href="{reverse("fieldwork:home")}">Field campaigns'
    if name in {"staff", "supporter"}:
        assert dashboard_link in body and fieldwork_link in body
    else:
        assert dashboard_link not in body and fieldwork_link not in body


@pytest.mark.parametrize("where", ["campaign", "group"])
@pytest.mark.parametrize(
    ("query", "english", "french"),
    [
        ("?start=2026-12-10&end=2026-12-01", "The start comes after the end.", "Le début est après la fin."),
        ("?start=tomorrow", "Enter a valid date.", "Saisissez une date valide."),
        ("?start=2020-01-01&end=2026-01-01", "Choose at most 366 days.", "366"),
    ],
)
def test_a_filter_that_cannot_be_read_shows_why_and_no_figures(
    staff, campaign, where, query, english, french
):
    url = ORGANIZE if where == "campaign" else reverse("dashboard:organize_group", args=[campaign.slug])
    client = client_for(staff)
    for language, message in (("en", english), ("fr", french)):
        staff.language = language
        staff.save(update_fields=["language"])
        client.cookies["django_language"] = language
        response = client.get(url + query, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        body = response.content.decode().replace("&#x27;", "'")
        assert message in body, (language, body[:3000])
        assert 'role="alert"' in body
        assert 'data-figure="' not in body and CAMPAIGN_MONEY not in body and "chart-" not in body
        value = query.split("&")[0].removeprefix("?start=")
        assert f'value="{value}"' in body  # what they typed, kept
    assert client.get(url + query + "&csv=donations").status_code == 400
