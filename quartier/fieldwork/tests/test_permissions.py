"""Every fieldwork view tried by every persona; a refusal changes nothing, and a volunteer never sees
a contact outside their walk list or lease."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.models import Contact, FieldCampaign, ImportJob, Result, Target, WalkList
from quartier.fieldwork.tests.conftest import targets_of
from quartier.testing import client_for

PERSONAS = ["anonymous", "unverified", "volunteer", "leader", "staff", "outsider", "caller"]
LOGIN, OK, HIDDEN = "login", 200, 404


def snapshot() -> dict[str, list]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Contact, FieldCampaign, Target, WalkList, Result, ImportJob)
    }


@pytest.fixture
def world(
    walk_list,
    phone_bank,
    callable_contacts,
    volunteer,
    leader,
    staff,
    outsider,
    unverified,
    make_supporter,
    canvass,
):
    """`volunteer` holds the walk list; `caller` holds a lease in the phone bank; a closed-door bank
    (not open from home) exists; a result asks for an organiser."""
    caller = make_supporter("Carla Caller")
    lease = calls_actions.claim_next_call(volunteer=caller, campaign=phone_bank)
    private_bank = FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.PHONE_BANK, name="Event only", group=phone_bank.group, calling_hours_start=0,
        calling_hours_end=24,
    )  # fmt: skip
    door = targets_of(walk_list)[0]
    result, _created = results_actions.record_result(
        volunteer=volunteer, target=door, data=results_actions.ResultInput(outcome="undecided", needs_action=True),
        channel=Result.Channel.DOOR, walk_list=walk_list,
    )  # fmt: skip
    job = ImportJob.objects.create(
        original_name="x.csv", header=["a", "b"], file=SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    )
    clients = {
        "anonymous": Client(), "unverified": client_for(unverified), "volunteer": client_for(volunteer),
        "leader": client_for(leader), "staff": client_for(staff), "outsider": client_for(outsider),
        "caller": client_for(caller),
    }  # fmt: skip
    return {
        "walk_list": walk_list, "phone_bank": phone_bank, "canvass": canvass, "lease": lease, "private": private_bank,
        "result": result, "job": job, "clients": clients, "caller": caller,
    }  # fmt: skip


def expect(**by_persona: object) -> dict[str, object]:
    default = by_persona.pop("default")
    return {persona: by_persona.get(persona, default) for persona in PERSONAS}


SIGNED_IN = {"anonymous": LOGIN, "unverified": LOGIN}
MANAGERS = expect(default=HIDDEN, **SIGNED_IN, leader=OK, staff=OK)

PAGES = {
    "home": (lambda w: reverse("fieldwork:home"), expect(default=OK, **SIGNED_IN)),
    "canvass": (lambda w: reverse("fieldwork:canvass", args=[w["walk_list"].pk]),
                expect(default=HIDDEN, **SIGNED_IN, volunteer=OK, leader=OK, staff=OK)),
    "print": (lambda w: reverse("fieldwork:print_list", args=[w["walk_list"].pk]),
              expect(default=HIDDEN, **SIGNED_IN, volunteer=OK, leader=OK, staff=OK)),
    "phone_bank_open_from_home": (lambda w: reverse("fieldwork:phone_bank", args=[w["phone_bank"].pk]),
                                  expect(default=OK, **SIGNED_IN)),
    "phone_bank_for_the_event": (lambda w: reverse("fieldwork:phone_bank", args=[w["private"].pk]), MANAGERS),
    "call": (lambda w: reverse("fieldwork:call", args=[w["lease"].pk]), expect(default=HIDDEN, **SIGNED_IN, caller=OK)),
    "campaign": (lambda w: reverse("fieldwork:campaign", args=[w["canvass"].pk]), MANAGERS),
    "turf": (lambda w: reverse("fieldwork:turf", args=[w["canvass"].pk]), MANAGERS),
    "turf_points": (lambda w: reverse("fieldwork:turf_points", args=[w["canvass"].pk]) + "?zoom=12", MANAGERS),
    "turf_count": (lambda w: reverse("fieldwork:turf_count", args=[w["canvass"].pk])
                   + "?tags=x&doors_per_list=5&max_lists=1&country=CA", MANAGERS),
    "export": (lambda w: reverse("fieldwork:export", args=[w["phone_bank"].pk]), MANAGERS),
    "assign": (lambda w: reverse("fieldwork:assign", args=[w["walk_list"].pk]), MANAGERS),
    "review": (lambda w: reverse("fieldwork:review"), MANAGERS),
    "campaign_create": (lambda w: reverse("fieldwork:campaign_create"), MANAGERS),
    "imports": (lambda w: reverse("fieldwork:imports"), expect(default=HIDDEN, **SIGNED_IN, staff=OK)),
    "import": (lambda w: reverse("fieldwork:import", args=[w["job"].pk]), expect(default=HIDDEN, **SIGNED_IN, staff=OK)),
    "service_worker": (lambda w: reverse("fieldwork:service_worker"), expect(default=OK)),
    "campaign_edit": (lambda w: reverse("fieldwork:campaign_edit", args=[w["canvass"].pk]), MANAGERS),
    "script_create": (lambda w: reverse("fieldwork:script_create"), expect(default=HIDDEN, **SIGNED_IN, staff=OK)),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_gets_the_expected_answer_from_every_page(world, page, persona):
    url, expected = PAGES[page]
    response = world["clients"][persona].get(url(world))

    if expected[persona] == LOGIN:
        assert response.status_code == 302
        assert "/accounts/" in response["Location"]
    else:
        assert response.status_code == expected[persona], response.content.decode()[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_holder_and_organisers_see_the_contacts_of_a_walk_list(world, persona):
    response = world["clients"][persona].get(reverse("fieldwork:canvass", args=[world["walk_list"].pk]))
    names = [t.contact.last_name for t in targets_of(world["walk_list"])]

    shown = [name for name in names if name in response.content.decode()]
    assert shown == (names if persona in {"volunteer", "leader", "staff"} else [])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_caller_holding_the_lease_sees_the_number(world, persona):
    contact = world["lease"].contact
    response = world["clients"][persona].get(reverse("fieldwork:call", args=[world["lease"].pk]))

    assert (contact.phone in response.content.decode()) == (persona == "caller")


def _actions(w) -> dict[str, tuple[str, dict | str, set[str]]]:
    """Action → (url, data, personas allowed)."""
    door = targets_of(w["walk_list"])[1]
    return {
        "claim_in_event_bank": (reverse("fieldwork:phone_bank", args=[w["private"].pk]), {}, {"leader", "staff"}),
        "record_call": (reverse("fieldwork:call", args=[w["lease"].pk]),
                        {"outcome": "supportive", "idempotency_key": "k" * 32}, {"caller"}),
        "release_call": (reverse("fieldwork:release", args=[w["lease"].pk]), {}, {"caller"}),
        "sync": (reverse("fieldwork:sync", args=[w["walk_list"].pk]),
                 json.dumps({"results": [{"key": "s" * 32, "target": door.pk, "outcome": "supportive"}]}),
                 {"volunteer"}),
        "assign": (reverse("fieldwork:assign", args=[w["walk_list"].pk]), {"volunteer": ""}, {"leader", "staff"}),
        "resolve": (reverse("fieldwork:resolve", args=[w["result"].pk]), {"back": "0"}, {"leader", "staff"}),
        "turf": (reverse("fieldwork:turf", args=[w["canvass"].pk]),
                 {"center": "45.52, -73.58", "radius_km": "5", "country": "CA", "doors_per_list": "2", "max_lists": "1"},
                 {"leader", "staff"}),
        "campaign_create": (reverse("fieldwork:campaign_create"),
                            {"kind": "canvass", "name": "New", "group": str(w["canvass"].group_id), "retry_minutes": 60,
                             "callback_hours": 24, "max_attempts": 3, "calling_hours_start": 9, "calling_hours_end": 21},
                            {"leader", "staff"}),
        "upload": (reverse("fieldwork:imports"), {"file": "x", "country": "CA"}, {"staff"}),
    }  # fmt: skip


ALLOWED = {
    "claim_in_event_bank": {"leader", "staff"}, "record_call": {"caller"}, "release_call": {"caller"},
    "sync": {"volunteer"}, "assign": {"leader", "staff"}, "resolve": {"leader", "staff"}, "turf": {"leader", "staff"},
    "campaign_create": {"leader", "staff"}, "upload": {"staff"},
}  # fmt: skip
REFUSED = [
    (action, persona) for action, allowed in ALLOWED.items() for persona in PERSONAS if persona not in allowed
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "persona"), REFUSED)
def test_only_allowed_personas_can_act_and_a_refusal_changes_nothing(world, action, persona):
    url, data, allowed = _actions(world)[action]
    assert allowed == ALLOWED[action]
    before = snapshot()
    client = world["clients"][persona]
    if isinstance(data, str):
        response = client.post(url, data, content_type="application/json")
    elif action == "upload":
        response = client.post(
            url, {"file": SimpleUploadedFile("c.csv", b"name,address\nA,1 rue\n"), "country": "CA"}
        )
    else:
        response = client.post(url, data)

    assert response.status_code in {302, 403, 404}
    if response.status_code == 302:
        assert "/accounts/" in response["Location"]
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "persona"), [(a, p) for a, allowed in ALLOWED.items() for p in sorted(allowed)]
)
def test_the_allowed_personas_can_act(world, action, persona):
    url, data, _allowed = _actions(world)[action]
    client = world["clients"][persona]
    if isinstance(data, str):
        response = client.post(url, data, content_type="application/json")
    elif action == "upload":
        response = client.post(
            url, {"file": SimpleUploadedFile("c.csv", b"name,address\nA,1 rue\n"), "country": "CA"}
        )
    else:
        response = client.post(url, data)

    assert response.status_code in {200, 302}, response.content.decode()[:500]
    if response.status_code == 302:
        assert "/accounts/" not in response["Location"]
