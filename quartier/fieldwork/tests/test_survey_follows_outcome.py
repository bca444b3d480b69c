"""The survey follows the outcome: questions are asked only of someone reached, answers sent with
another outcome are ignored, and only a reached contact can be a success."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from quartier.fieldwork import queries
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions.results import ResultInput, record_result
from quartier.fieldwork.models import REACHED, Answer, Outcome, Result
from quartier.fieldwork.tests.conftest import targets_of
from quartier.testing import client_for

NOT_REACHED = sorted(set(Outcome.values) - set(REACHED))


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", NOT_REACHED)
def test_answers_given_without_reaching_anyone_record_nothing_and_no_success(
    phone_bank, callable_contacts, volunteer, script, outcome
):
    question = script.questions.get(position=1)
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)

    result, _created = record_result(
        volunteer=volunteer, target=target, channel=Result.Channel.CALL,
        data=ResultInput(outcome=outcome, answers={question.pk: ["yes"]}),
    )  # fmt: skip

    assert result.is_success is False
    assert not Answer.objects.filter(result=result).exists()


@pytest.mark.django_db
def test_a_reached_contact_with_the_success_answer_counts(phone_bank, callable_contacts, volunteer, script):
    question = script.questions.get(position=1)
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)

    result, _created = record_result(
        volunteer=volunteer, target=target, channel=Result.Channel.CALL,
        data=ResultInput(outcome=Outcome.UNDECIDED, answers={question.pk: ["yes"]}),
    )  # fmt: skip

    assert result.is_success is True
    assert list(Answer.objects.filter(result=result).values_list("value", flat=True)) == ["yes"]


@pytest.mark.django_db
def test_the_call_page_ignores_answers_sent_with_not_home(phone_bank, callable_contacts, volunteer, script):
    question = script.questions.get(position=1)
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
    client = client_for(volunteer)
    form = {"outcome": Outcome.NOT_HOME, "idempotency_key": uuid.uuid4().hex, f"q{question.pk}": "yes"}

    response = client.post(reverse("fieldwork:call", args=[target.pk]), form)

    assert response.status_code == 302
    result = Result.objects.get(target=target)
    assert (result.outcome, result.is_success) == (Outcome.NOT_HOME, False)
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_the_canvass_sync_ignores_answers_sent_with_not_home(walk_list, volunteer, script):
    client = client_for(volunteer)
    first, second = targets_of(walk_list)[:2]
    question = script.questions.get(position=1)
    token = client.get(reverse("fieldwork:canvass", args=[walk_list.pk])).context["payload"]["token"]
    batch = [
        {"key": uuid.uuid4().hex, "target": target.pk, "outcome": outcome, "answers": {str(question.pk): "yes"},
         "recorded_at": timezone.now().isoformat()}
        for target, outcome in ((first, Outcome.NOT_HOME), (second, Outcome.SUPPORTIVE))
    ]  # fmt: skip

    reply = client.post(
        reverse("fieldwork:sync", args=[walk_list.pk]),
        json.dumps({"token": token, "results": batch}),
        content_type="application/json",
    ).json()

    assert [r["status"] for r in reply["results"]] == ["recorded", "recorded"]
    assert dict(Result.objects.values_list("target_id", "is_success")) == {first.pk: False, second.pk: True}
    assert list(Answer.objects.values_list("result__target_id", flat=True)) == [second.pk]


@pytest.mark.django_db
def test_the_pages_know_which_outcomes_take_the_survey(phone_bank, canvass, callable_contacts, volunteer):
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)
    page = client_for(volunteer).get(reverse("fieldwork:call", args=[target.pk])).content.decode()

    assert set(queries.script_payload(canvass)["survey_outcomes"]) == set(REACHED)
    assert 'id="survey-outcomes"' in page and '"not_home"' not in page.split('id="survey-outcomes"')[1][:200]


# --- the call page: the contact's language, scripts with merge fields -------------------------


@pytest.mark.django_db
def test_the_call_page_shows_the_contacts_language(phone_bank, make_contact, volunteer):
    contact = make_contact("Camille", phone="+15145551234", language="fr")
    calls_actions.add_targets(campaign=phone_bank, contacts=type(contact).objects.filter(pk=contact.pk))
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)

    page = client_for(volunteer).get(reverse("fieldwork:call", args=[target.pk])).content.decode()

    assert "Speaks: French" in page


@pytest.mark.django_db
def test_the_script_greets_the_contact_by_name_escaped(phone_bank, make_contact, volunteer, script):
    script.introduction = "Hi {{ first_name }}, I am {{volunteer_first_name}} <b>&</b> {{ unknown }}."
    script.save()
    hostile = '<script>alert("x")</script>'
    contact = make_contact(hostile, phone="+15145551234")
    calls_actions.add_targets(campaign=phone_bank, contacts=type(contact).objects.filter(pk=contact.pk))
    target = calls_actions.claim_next_call(volunteer=volunteer, campaign=phone_bank)

    page = client_for(volunteer).get(reverse("fieldwork:call", args=[target.pk])).content.decode()

    assert (
        "Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;, I am Victor &lt;b&gt;&amp;&lt;/b&gt;" in page
    )
    assert "{{ unknown }}." in page
    assert hostile not in page
