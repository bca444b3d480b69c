"""Issue 17, point 1: the contact file is not readable by anyone who makes a group.

Contacts belong to a scope (the campaign's own file, or a group staff granted them to); a campaign
reaches only its scope; a group's fieldwork needs staff approval; a volunteer holds a bounded number
of open lists, claims are rate-limited and unworked lists go back; a volunteer's list shows only what
knocking needs. Issue 19, point 4: a sync token works only for the volunteer it was issued to."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.fieldwork import queries
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.models import Contact, FieldCampaign, GroupAccess, ImportJob, Result, Target, WalkList
from quartier.fieldwork.tests.conftest import MONTREAL, targets_of
from quartier.fieldwork.tests.test_import import map_and_run, upload
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
PERSONAS = ["staff", "leader", "member", "outsider", "anonymous"]
TURF = {
    "center": "45.52, -73.58",
    "radius_km": "5",
    "country": "CA",
    "doors_per_list": "5",
    "max_lists": "10",
}


def snapshot() -> dict[str, list]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Contact, FieldCampaign, Target, WalkList, Result, GroupAccess, ImportJob)
    }


@pytest.fixture
def clients(staff, leader, volunteer, outsider) -> dict[str, Client]:
    return {
        "staff": client_for(staff), "leader": client_for(leader), "member": client_for(volunteer),
        "outsider": client_for(outsider), "anonymous": Client(),
    }  # fmt: skip


@pytest.fixture
def scoped(make_contact, group, outsider):
    """Contacts of three scopes around the same streets: the group's, the campaign's own, another group's."""
    other = organizing_groups.create_group(
        creator=outsider,
        draft=organizing_groups.GroupDraft(
            name="Someone else's group", description="", area="Plateau", country="CA", postal_code="H2X 1Y4",
            latitude=MONTREAL[0], longitude=MONTREAL[1], town="Montréal", join_policy=Group.JoinPolicy.OPEN,
        ),
    )  # fmt: skip
    return {
        "granted": {make_contact("Granted", address=f"{n} rue Rachel", phone=f"+1514555{1100 + n}") for n in (2, 4)},
        "campaign": {make_contact("Staff", address=f"{n} rue Fabre", phone=f"+1514555{1200 + n}", scope_group=None)
                     for n in (2, 4)},
        "other": {make_contact("Other", address=f"{n} rue Boyer", phone=f"+1514555{1300 + n}", scope_group=other)
                  for n in (2, 4)},
        "other_group": other,
    }  # fmt: skip


def reached(campaign: FieldCampaign) -> set[Contact]:
    return {t.contact for t in Target.objects.filter(campaign=campaign).select_related("contact")}


# --- scopes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["canvass", "phone_bank"])
def test_a_group_campaign_reaches_only_the_contacts_granted_to_its_group(
    scoped, clients, canvass, phone_bank, kind
):
    campaign = canvass if kind == "canvass" else phone_bank

    response = clients["leader"].post(reverse("fieldwork:turf", args=[campaign.pk]), TURF)

    assert response.status_code == 302
    assert reached(campaign) == scoped["granted"]


def test_a_staff_campaign_reaches_the_campaigns_own_file_only(scoped, clients):
    campaign = FieldCampaign.objects.create(kind="canvass", name="Staff canvass")

    clients["staff"].post(reverse("fieldwork:turf", args=[campaign.pk]), TURF)

    assert reached(campaign) == scoped["campaign"]


def test_the_actions_keep_to_the_scope_whatever_contacts_they_are_given(scoped, canvass, phone_bank):
    from quartier.fieldwork.actions import calls as calls_actions

    walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=Contact.objects.all(), doors_per_list=5, max_lists=9
    )
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.all())

    assert reached(canvass) == scoped["granted"] and reached(phone_bank) == scoped["granted"]


def test_staff_grant_contacts_to_a_group_by_importing_them_for_it(staff, group):
    client = client_for(staff)
    upload(
        client,
        b"first name,last name,address,postal code\nAnne,Roy,3 rue Fabre,H2J 3V5\n",
        scope_group=group.pk,
    )
    map_and_run(client, ImportJob.objects.get())

    assert Contact.objects.get(last_name="Roy").scope_group == group


def test_an_unapproved_group_runs_no_fieldwork_for_any_persona(scoped, clients, group):
    """The leader of a group staff did not approve (anyone may create one) creates no campaign and
    cuts no turf; nobody else can do it for them either."""
    GroupAccess.objects.filter(group=group).delete()
    campaign = FieldCampaign.objects.create(kind="canvass", name="Made before", group=group)
    create = {"kind": "canvass", "name": "Grab the file", "group": str(group.pk), "retry_minutes": 60,
              "callback_hours": 24, "max_attempts": 3, "calling_hours_start": 9, "calling_hours_end": 21}  # fmt: skip
    before = snapshot()

    for persona, client in clients.items():
        made = client.post(reverse("fieldwork:campaign_create"), create)
        cut = client.post(reverse("fieldwork:turf", args=[campaign.pk]), TURF)
        page = client.get(reverse("fieldwork:campaign", args=[campaign.pk]))

        assert made.status_code in {302, 400, 404} and cut.status_code in {302, 400, 404}, persona
        if made.status_code == 302:
            assert "/accounts/" in made["Location"], persona
        assert snapshot() == before, persona
        assert page.status_code == (200 if persona == "staff" else 302 if persona == "anonymous" else 404)


# --- claims: bounded, rate-limited, returned --------------------------------------------------------


@pytest.fixture
def free_lists(make_contact, canvass) -> list[WalkList]:
    for n in range(1, 13):
        make_contact(f"Door{n}", address=f"{2 * n} rue Marie-Anne")
    return walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=Contact.objects.all(), doors_per_list=2, max_lists=6
    )


def claim(client: Client):
    return client.post(reverse("fieldwork:list_near_me"), {"latitude": "45.52", "longitude": "-73.58"})


def test_a_volunteer_holds_at_most_the_campaigns_number_of_open_lists(
    free_lists, clients, volunteer, canvass
):
    answers = [claim(clients["member"]) for _attempt in range(3)]

    held = WalkList.objects.filter(assigned_to=volunteer)
    assert held.count() == canvass.max_lists_per_volunteer == 2
    assert answers[2]["Location"] == reverse("fieldwork:home")
    page = clients["member"].get(reverse("fieldwork:home"))
    assert "Finish the walk lists you hold" in page.content.decode()


def test_a_finished_list_does_not_count_against_the_bound(free_lists, volunteer, canvass):
    first, second = (
        walk_lists_actions.claim_list_near(
            volunteer=volunteer, latitude=45.52, longitude=-73.58, campaigns=[canvass]
        )
        for _n in range(2)
    )
    Target.objects.filter(walk_list=first).update(status=Target.Status.DONE)

    third = walk_lists_actions.claim_list_near(
        volunteer=volunteer, latitude=45.52, longitude=-73.58, campaigns=[canvass]
    )

    assert third is not None and len({first.pk, second.pk, third.pk}) == 3


def test_claiming_is_rate_limited(free_lists, clients, volunteer, canvass, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "fieldwork_claim_list": "2/m/user"}
    FieldCampaign.objects.filter(pk=canvass.pk).update(max_lists_per_volunteer=10)

    for _attempt in range(4):
        claim(clients["member"])

    assert WalkList.objects.filter(assigned_to=volunteer).count() == 2
    assert (
        "several walk lists in a short time"
        in clients["member"].get(reverse("fieldwork:home")).content.decode()
    )


def test_the_claim_rate_and_the_return_sweep_are_configured():
    assert settings.ACCOUNT_RATE_LIMITS["fieldwork_claim_list"]
    entry = settings.CELERY_BEAT_SCHEDULE["fieldwork-sweep"]
    from quartier.celery import app

    assert entry["task"] in app.tasks


def test_unworked_lists_go_back_after_the_deadline(free_lists, volunteer, other_supporter, canvass):
    stale, worked, fresh = free_lists[:3]
    old = timezone.now() - timedelta(hours=canvass.list_return_hours, minutes=1)
    for walk_list in (stale, worked, fresh):
        walk_lists_actions.assign_walk_list(walk_list=walk_list, volunteer=volunteer)
    WalkList.objects.filter(pk__in=[stale.pk, worked.pk]).update(assigned_at=old)
    results_actions.record_result(
        volunteer=volunteer, target=targets_of(worked)[0], walk_list=worked, channel=Result.Channel.DOOR,
        data=results_actions.ResultInput(outcome="not_home"),
    )  # fmt: skip

    from quartier.fieldwork.tasks import sweep

    assert sweep()["lists_returned"] == 1

    holders = dict(
        WalkList.objects.filter(pk__in=[stale.pk, worked.pk, fresh.pk]).values_list("pk", "assigned_to")
    )
    assert holders == {stale.pk: None, worked.pk: volunteer.pk, fresh.pk: volunteer.pk}
    again = walk_lists_actions.claim_list_near(
        volunteer=other_supporter, latitude=45.52, longitude=-73.58, campaigns=[canvass]
    )
    assert again is not None


# --- what a volunteer sees ----------------------------------------------------------------------


def test_the_list_shows_only_what_knocking_needs(walk_list, volunteer):
    contact = targets_of(walk_list)[0].contact
    Contact.objects.filter(pk=contact.pk).update(
        email="private@example.org",
        phone="+15145559999",
        language="fr",
        tags=",secret-tag,",
        external_id="VOTER-42",
    )
    client = client_for(volunteer)
    canvass_page = client.get(reverse("fieldwork:canvass", args=[walk_list.pk])).content.decode()
    printable = client.get(reverse("fieldwork:print_list", args=[walk_list.pk])).content.decode()
    doors = queries.walk_list_doors(walk_list)

    assert all(set(door) == set(queries.DOOR_KEYS) for door in doors)
    assert all(set(person) == set(queries.PERSON_KEYS) for door in doors for person in door["people"])
    for page in (canvass_page, printable):
        assert contact.first_name in page
        for secret in ("private@example.org", "5559999", "secret-tag", "VOTER-42", str(contact.latitude)):
            assert secret not in page


def test_the_canvass_page_carries_the_script_merge_fields(walk_list, volunteer):
    """The walk list page fills `{{ first_name }}` and `{{ volunteer_first_name }}` in the browser
    (offline too): its data carries each person's first name and the volunteer's, nothing more."""
    page = client_for(volunteer).get(reverse("fieldwork:canvass", args=[walk_list.pk])).content.decode()
    payload = json.loads(
        page.split('id="canvass-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    )
    assert payload["volunteer_first_name"] == "Victor"
    people = {p["name"]: p["first_name"] for door in payload["doors"] for p in door["people"]}
    assert people["Alice Martin"] == "Alice" and people["Bob Martin"] == "Bob"


def test_the_call_page_shows_the_name_town_and_number_only(world_call):
    target, client = world_call
    page = client.get(reverse("fieldwork:call", args=[target.pk])).content.decode()

    assert target.contact.first_name in page and "5551000" in page.replace(" ", "").replace("-", "")
    for secret in ("private@example.org", "secret-tag", "VOTER-7", "rue Saint-Denis"):
        assert secret not in page


@pytest.fixture
def world_call(callable_contacts, phone_bank, volunteer):
    from quartier.fieldwork.actions import calls as calls_actions

    Contact.objects.filter(pk__in=[c.pk for c in callable_contacts]).update(
        email="private@example.org", tags=",secret-tag,", external_id="VOTER-7"
    )
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
    return target, client_for(volunteer)


# --- sync tokens are personal (issue 19, point 4) -------------------------------------------------


def test_another_volunteers_valid_token_records_nothing_on_the_list(walk_list, volunteer, clients):
    door = targets_of(walk_list)[0]
    token = queries.sync_token(walk_list, volunteer, [door.pk])
    before = snapshot()

    for persona in ("staff", "leader", "outsider", "anonymous"):
        body = {
            "token": token,
            "results": [{"key": f"stolen-{persona}-0001", "target": door.pk, "outcome": "supportive"}],
        }
        response = clients[persona].post(
            reverse("fieldwork:sync", args=[walk_list.pk]), json.dumps(body), content_type="application/json"
        )

        assert response.status_code in {302, 403}, persona
        assert snapshot() == before, persona
    mine = {
        "token": token,
        "results": [{"key": "mine-000000001", "target": door.pk, "outcome": "supportive"}],
    }
    response = clients["member"].post(
        reverse("fieldwork:sync", args=[walk_list.pk]), json.dumps(mine), content_type="application/json"
    )
    assert response.json()["results"][0]["status"] == "recorded"


def test_a_token_issued_to_a_volunteer_fails_for_anyone_else_who_holds_the_list_now(
    walk_list, volunteer, outsider
):
    """The list changed hands: the old holder's token still records (as a conflict), and the new holder
    cannot use the old holder's token to record in their name."""
    door = targets_of(walk_list)[0]
    token = queries.sync_token(walk_list, volunteer, [door.pk])

    assert queries.read_sync_token(token, walk_list, volunteer) == {door.pk}
    assert queries.read_sync_token(token, walk_list, outsider) is None


# --- shared phones (issue 17, point 11; the browser journey is in e2e/test_fieldwork_journeys.py) ---


def test_signing_out_tells_the_browser_to_forget_the_cached_lists(walk_list, volunteer):
    client = client_for(volunteer)
    client.get(reverse("fieldwork:canvass", args=[walk_list.pk]))

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get(reverse("fieldwork:canvass", args=[walk_list.pk])).status_code == 302  # signed out
