"""Turf and walk lists: areas, tags and earlier results; doors by household in walking order; lists
near me; offline results synced once each, in any order, even after the list changed hands."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quartier.fieldwork import queries
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.models import Contact, Outcome, Result, Target, WalkList
from quartier.fieldwork.queries import Turf, select_contacts
from quartier.fieldwork.tests.conftest import MONTREAL, targets_of
from quartier.lib.contacts import walking_order
from quartier.testing import client_for


@pytest.mark.django_db
def test_a_polygon_selects_the_contacts_inside_it_only(make_contact, canvass):
    inside = make_contact("Inside", latitude=45.52, longitude=-73.58)
    make_contact("Outside", latitude=45.60, longitude=-73.58)
    square = [(45.51, -73.59), (45.53, -73.59), (45.53, -73.57), (45.51, -73.57)]

    assert list(select_contacts(Turf(polygon=square), canvass)) == [inside]


@pytest.mark.django_db
def test_a_radius_tags_and_earlier_results_narrow_the_turf(make_contact, canvass):
    near = make_contact("Near", latitude=45.521, longitude=-73.581, tags=("climate",))
    make_contact("Near untagged", latitude=45.521, longitude=-73.581)
    make_contact("Far", latitude=45.70, longitude=-73.58, tags=("climate",))
    undecided = make_contact(
        "Undecided", latitude=45.521, longitude=-73.581, tags=("climate",), last_outcome="undecided"
    )

    turf = Turf(center=MONTREAL, radius_km=2, tags=["Climate"])
    assert set(select_contacts(turf, canvass)) == {near, undecided}
    assert list(
        select_contacts(Turf(center=MONTREAL, radius_km=2, earlier_outcomes=["undecided"]), canvass)
    ) == [undecided]
    assert list(
        select_contacts(
            Turf(tags=["climate"], earlier_outcomes=["never"], center=MONTREAL, radius_km=2), canvass
        )
    ) == [near]


@pytest.mark.django_db
def test_lists_group_a_household_on_one_door_and_follow_the_street(walk_list):
    targets = targets_of(walk_list)

    assert walk_list.door_count == 3 and walk_list.contact_count == 4
    # Up the odd side (11), back down the even side (12, then both people at 10).
    assert [t.contact.house_number for t in targets] == [11, 12, 10, 10]
    doors = queries.walk_list_doors(walk_list)
    assert [len(door["people"]) for door in doors] == [1, 1, 2]


def test_the_walking_order_goes_up_the_odd_side_and_back_down_the_even_side():
    doors = [("rue rachel", n, n) for n in (8, 3, 1, 4, 7, 2)] + [("avenue duluth", 5, "d5")]

    assert walking_order(doors) == ["d5", 1, 3, 7, 8, 4, 2]


@pytest.mark.django_db
def test_cutting_never_puts_a_door_on_two_lists_and_leaves_out_do_not_knock(make_contact, canvass):
    for n in range(1, 12):
        make_contact(address=f"{n} rue Fabre")
    make_contact(address="99 rue Fabre", do_not_knock=True)
    make_contact(address="")

    first = walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=Contact.objects.all(), doors_per_list=5, max_lists=2
    )
    second = walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=Contact.objects.all(), doors_per_list=5, max_lists=5
    )

    assert [w.door_count for w in first] == [5, 5] and [w.door_count for w in second] == [1]
    on_lists = Target.objects.filter(campaign=canvass).exclude(walk_list=None)
    assert on_lists.count() == 11 == on_lists.values("contact").distinct().count()
    assert not on_lists.filter(contact__do_not_knock=True).exists()


@pytest.mark.django_db
def test_a_volunteer_gets_the_nearest_free_list_and_nobody_else_gets_it(
    make_contact, canvass, volunteer, other_supporter
):
    for n in range(1, 5):
        make_contact(address=f"{n} rue Near", latitude=45.52, longitude=-73.58)
        make_contact(address=f"{n} rue Far", latitude=46.0, longitude=-73.0, postal_code="J0K 1A0")
    walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=Contact.objects.all(), doors_per_list=4, max_lists=2
    )

    mine = walk_lists_actions.claim_list_near(
        volunteer=volunteer, latitude=45.521, longitude=-73.581, campaigns=[canvass]
    )
    theirs = walk_lists_actions.claim_list_near(
        volunteer=other_supporter, latitude=45.521, longitude=-73.581, campaigns=[canvass]
    )
    nobody = walk_lists_actions.claim_list_near(
        volunteer=other_supporter, latitude=45.521, longitude=-73.581, campaigns=[canvass]
    )

    assert mine.assigned_to == volunteer and mine.center_latitude == pytest.approx(45.52)
    assert theirs is not None and theirs.pk != mine.pk and theirs.assigned_to == other_supporter
    assert nobody is None


def _result(target: Target, outcome: str = Outcome.SUPPORTIVE, **changes) -> dict:
    return {"key": uuid.uuid4().hex, "target": target.pk, "outcome": outcome,
            "recorded_at": timezone.now().isoformat(), **changes}  # fmt: skip


def _sync(client, walk_list: WalkList, results: list[dict], token: str | None = None):
    if token is None:
        page = client.get(reverse("fieldwork:canvass", args=[walk_list.pk]))
        token = page.context["payload"]["token"]
    return client.post(
        reverse("fieldwork:sync", args=[walk_list.pk]),
        json.dumps({"token": token, "results": results}),
        content_type="application/json",
    )


@pytest.mark.django_db
def test_results_synced_twice_are_recorded_once(walk_list, volunteer, script):
    client = client_for(volunteer)
    first, second = targets_of(walk_list)[:2]
    question = script.questions.get(position=1)
    batch = [_result(first, answers={str(question.pk): "yes"}), _result(second, Outcome.NOT_HOME)]

    replies = [_sync(client, walk_list, batch).json(), _sync(client, walk_list, batch).json()]

    assert [r["status"] for r in replies[0]["results"]] == ["recorded", "recorded"]
    assert [r["status"] for r in replies[1]["results"]] == ["duplicate", "duplicate"]
    assert Result.objects.count() == 2
    assert Result.objects.get(target=first).is_success is True
    assert Target.objects.get(pk=first.pk).status == Target.Status.DONE


@pytest.mark.django_db
def test_results_synced_out_of_order_keep_the_newest_state(walk_list, volunteer):
    client = client_for(volunteer)
    target = targets_of(walk_list)[0]
    earlier = _result(target, Outcome.NOT_HOME, recorded_at=(timezone.now() - timedelta(hours=2)).isoformat())
    later = _result(target, Outcome.SUPPORTIVE, recorded_at=(timezone.now() - timedelta(hours=1)).isoformat())

    _sync(client, walk_list, [later])
    _sync(client, walk_list, [earlier])

    stored = Target.objects.get(pk=target.pk)
    assert Result.objects.filter(target=target).count() == 2
    assert (stored.status, stored.last_outcome, stored.attempts) == (
        Target.Status.DONE,
        Outcome.SUPPORTIVE,
        2,
    )


@pytest.mark.django_db
def test_results_sent_after_the_list_was_reassigned_are_kept_as_conflicts(
    walk_list, volunteer, other_supporter
):
    client = client_for(volunteer)
    token = client.get(reverse("fieldwork:canvass", args=[walk_list.pk])).context["payload"]["token"]
    walk_lists_actions.assign_walk_list(walk_list=walk_list, volunteer=other_supporter)
    target = targets_of(walk_list)[0]

    reply = _sync(client, walk_list, [_result(target)], token=token).json()

    assert reply["results"][0]["status"] == "conflict"
    result = Result.objects.get()
    assert result.volunteer == volunteer and result.conflict
    staff_page = queries.review_queue(type(walk_list.campaign).objects.all())
    assert staff_page["conflicts"] == [result]


@pytest.mark.django_db
def test_a_volunteer_cannot_send_results_for_doors_outside_their_list(
    walk_list, volunteer, make_contact, canvass
):
    stranger = make_contact(address="500 rue Ailleurs")
    calls_actions.add_targets(campaign=canvass, contacts=Contact.objects.filter(pk=stranger.pk))
    foreign = Target.objects.get(contact=stranger)

    reply = _sync(client_for(volunteer), walk_list, [_result(foreign)]).json()

    assert reply["results"][0]["status"] == "rejected"
    assert Result.objects.count() == 0


@pytest.mark.django_db
def test_a_forged_token_gives_nothing_to_someone_who_does_not_hold_the_list(walk_list, outsider):
    target = targets_of(walk_list)[0]

    response = _sync(client_for(outsider), walk_list, [_result(target)], token="forged")

    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert Result.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"results": "x"}', b'{"results": [1, {"key": 3}]}'])
def test_a_malformed_sync_is_answered_in_json_without_recording(walk_list, volunteer, body):
    response = client_for(volunteer).post(
        reverse("fieldwork:sync", args=[walk_list.pk]), body, content_type="application/json"
    )

    assert response.status_code in {200, 400}
    assert response["Content-Type"] == "application/json"
    assert Result.objects.count() == 0


@pytest.mark.django_db
def test_quality_signals_flag_doors_faster_than_walking_and_far_from_the_door(walk_list, volunteer):
    client = client_for(volunteer)
    first, second, *_rest = targets_of(walk_list)
    now = timezone.now()
    _sync(client, walk_list, [
        _result(first, recorded_at=now.isoformat()),
        _result(second, recorded_at=(now + timedelta(seconds=3)).isoformat(), latitude=45.60, longitude=-73.58),
    ])  # fmt: skip

    flags = dict(Result.objects.values_list("target_id", "quality_flags"))
    assert flags[first.pk] == []
    assert set(flags[second.pk]) == {"too_fast", "far_from_door"}


@pytest.mark.django_db
def test_identical_answers_in_bulk_are_flagged(phone_bank, make_contact, volunteer):
    people = [make_contact(phone=f"+1514558{n:04d}") for n in range(11)]
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[p.pk for p in people])
    )
    for _n in range(11):
        target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
        results_actions.record_result(
            volunteer=volunteer, target=target, data=results_actions.ResultInput(outcome=Outcome.SUPPORTIVE),
            channel=Result.Channel.CALL,
        )  # fmt: skip

    flagged = [bool(r.quality_flags) for r in Result.objects.order_by("recorded_at", "pk")]
    assert flagged == [False] * 9 + [True, True]


@pytest.mark.django_db
def test_each_result_lands_once_in_the_activity_journal(walk_list, volunteer, canvass, script):
    from quartier.accounts.models import Activity

    client = client_for(volunteer)
    target = targets_of(walk_list)[0]
    question = script.questions.get(position=1)
    batch = [_result(target, answers={str(question.pk): "yes"})]
    _sync(client, walk_list, batch)
    _sync(client, walk_list, batch)

    activity = Activity.objects.get(kind="fieldwork.door")
    assert activity.supporter == volunteer and activity.group_id == canvass.group_id
    assert activity.detail == {
        "result": "supportive", "reached": True, "campaign": canvass.pk,
        "answers": [{"question": "Will you vote for us?", "answer": "yes"}],
    }  # fmt: skip
