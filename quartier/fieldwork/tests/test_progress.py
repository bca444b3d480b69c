"""Progress and quality: live counts, why the queue is blocked, the CSV export, the dashboard panel."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from quartier.fieldwork import queries
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.models import Contact, Outcome, Result, Target
from quartier.testing import client_for


def record(volunteer, target, outcome, **changes):
    return results_actions.record_result(
        volunteer=volunteer, target=target, data=results_actions.ResultInput(outcome=outcome, **changes),
        channel=Result.Channel.CALL,
    )[0]  # fmt: skip


@pytest.mark.django_db
def test_the_queue_says_why_each_contact_is_not_ready(phone_bank, make_contact, volunteer, other_supporter):
    people = [make_contact(phone=f"+1514559{n:04d}") for n in range(5)]
    no_number = make_contact(phone="")
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.all())
    held = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
    cooling = calls_actions.claim_next_call(volunteer=other_supporter, campaign=phone_bank)
    record(other_supporter, cooling, Outcome.NOT_HOME)
    later = calls_actions.claim_next_call(volunteer=other_supporter, campaign=phone_bank)
    record(other_supporter, later, Outcome.COME_BACK_LATER)
    action = calls_actions.claim_next_call(volunteer=other_supporter, campaign=phone_bank)
    record(other_supporter, action, Outcome.UNDECIDED, needs_action=True)

    state = queries.queue_state(phone_bank)

    assert (state["total"], state["leased"], state["cooling"], state["callback"], state["action"]) == (
        6,
        1,
        1,
        1,
        1,
    )
    assert (state["no_number"], state["ready"], state["done"]) == (1, 1, 0)
    assert held.contact_id in {p.pk for p in people} and no_number.pk != held.contact_id


@pytest.mark.django_db
def test_the_campaign_page_counts_calls_reached_and_answers(phone_bank, callable_contacts, volunteer, leader, script,
                                                            django_assert_max_num_queries):  # fmt: skip
    question = script.questions.get(position=1)
    for outcome in (Outcome.SUPPORTIVE, Outcome.NOT_HOME, Outcome.OPPOSED):
        target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
        record(
            volunteer,
            target,
            outcome,
            answers={question.pk: ["yes" if outcome == Outcome.SUPPORTIVE else "no"]},
        )
    client = client_for(leader)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("fieldwork:campaign", args=[phone_bank.pk]), HTTP_HX_REQUEST="true")

    progress = response.context["progress"]
    assert (
        progress["results"]["calls"],
        progress["results"]["reached"],
        progress["results"]["successes"],
    ) == (3, 2, 1)
    assert sorted(progress["answers"][0][1]) == [("No", 1), ("Yes", 1)]  # not home: no answer kept
    assert progress["volunteers"][0]["results"] == 3


@pytest.mark.django_db
def test_the_export_lists_every_result_and_neutralises_formulas(
    phone_bank, callable_contacts, volunteer, leader
):
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
    record(volunteer, target, Outcome.SUPPORTIVE, notes="=HYPERLINK(evil)")

    response = client_for(leader).get(reverse("fieldwork:export", args=[phone_bank.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert rows[0] == queries.EXPORT_HEADER and len(rows) == 2
    assert rows[1][rows[0].index("notes")] == "'=HYPERLINK(evil)"
    assert rows[1][rows[0].index("phone")] == target.contact.phone  # a number is not a formula


@pytest.mark.django_db
def test_the_dashboard_summary_lists_my_lists_my_phone_banks_and_those_open_from_home(
    walk_list, phone_bank, callable_contacts, volunteer, outsider
):
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
    record(volunteer, target, Outcome.SUPPORTIVE)

    mine = queries.dashboard_summary(volunteer)
    theirs = queries.dashboard_summary(outsider)
    html = render_to_string("fieldwork/_dashboard_panel.html", {"summary": mine})

    assert mine["walk_lists"] == [walk_list]
    assert mine["phone_banks"] == [
        {"campaign_id": phone_bank.pk, "campaign__name": phone_bank.name, "calls": 1}
    ]
    assert mine["totals"] == {"doors": 0, "calls": 1}
    assert theirs["walk_lists"] == [] and theirs["open_phone_banks"] == [phone_bank]
    assert walk_list.name in html and phone_bank.name in html


@pytest.mark.django_db
def test_the_dashboard_summary_is_empty_with_nothing_to_show(outsider):
    assert queries.dashboard_summary(outsider) == {}
    html = render_to_string("fieldwork/_dashboard_panel.html", {"summary": {}})
    assert "Get a walk list or join a phone bank" in html


@pytest.mark.django_db
def test_a_volunteer_records_a_call_and_gets_the_next_contact(
    phone_bank, callable_contacts, volunteer, script
):
    client = client_for(volunteer)
    page = client.post(reverse("fieldwork:phone_bank", args=[phone_bank.pk]))  # the call page itself
    target_id = page.context["target"].pk
    url = reverse("fieldwork:call", args=[target_id])
    key = page.context["form"]["idempotency_key"].value()

    second = client.post(url, {"outcome": "supportive", "idempotency_key": key, "next": "1"})
    again = client.post(url, {"outcome": "supportive", "idempotency_key": key})  # a double click

    assert page.status_code == 200 and "tel:+1514555" in page.content.decode()
    assert f'data-call-url="{url}"' in page.content.decode()
    assert second.status_code == 200 and second.context["target"].pk != target_id  # the next call
    assert (
        f'action="{reverse("fieldwork:call", args=[second.context["target"].pk])}"' in second.content.decode()
    )
    assert again.status_code == 404  # the lease is gone: the contact is no longer theirs
    assert Result.objects.filter(target_id=target_id).count() == 1
    assert Target.objects.get(pk=target_id).status == Target.Status.DONE


@pytest.mark.django_db
def test_an_invalid_result_re_renders_with_a_message_and_records_nothing(
    phone_bank, callable_contacts, volunteer
):
    client = client_for(volunteer)
    page = client.post(reverse("fieldwork:phone_bank", args=[phone_bank.pk]))
    url = reverse("fieldwork:call", args=[page.context["target"].pk])

    response = client.post(url, {"outcome": "", "notes": "Call back Tuesday", "idempotency_key": "k" * 32})

    assert response.status_code == 400
    assert "Call back Tuesday" in response.content.decode()
    assert Result.objects.count() == 0


@pytest.mark.django_db
def test_offline_results_older_than_two_weeks_are_dated_two_weeks_back(walk_list, volunteer):
    from quartier.fieldwork.tests.conftest import targets_of

    target = targets_of(walk_list)[0]
    data = results_actions.ResultInput(
        outcome=Outcome.SUPPORTIVE, recorded_at=timezone.now() - timedelta(days=400)
    )
    result, _created = results_actions.record_result(
        volunteer=volunteer, target=target, data=data, channel=Result.Channel.DOOR
    )

    assert timezone.now() - result.recorded_at <= results_actions.OLDEST_OFFLINE_RESULT + timedelta(minutes=1)
