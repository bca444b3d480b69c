"""Issue 21: the walk list and "next call" are signed-in hot pages. Their queries are counted (they do
not grow with the list or the queue), the walk list reads plain values, and the call page keeps the
HTML of its unfilled result inputs per campaign and language: never stale when the script changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.models import Contact, Question, Target
from quartier.fieldwork.queries import walk_list_doors
from quartier.fieldwork.tests.test_fair_queue import queue
from quartier.testing import client_for

# The volunteer's row comes from the cache (`accounts.signed_in`), not from a query.
# session, the walk list (with its campaign and script), its doors, the script's questions
CANVASS_QUERIES = 4
# session, the phone bank, the claim (one statement on PostgreSQL; five on SQLite), questions
CALL_NEXT_QUERIES = {"postgresql": 4, "sqlite": 8}
# session, the leased call (with contact, campaign and script), the script's questions
CALL_PAGE_QUERIES = 3


def statements(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.django_db
def test_the_canvass_page_costs_the_same_queries_whatever_the_size_of_the_list(
    walk_list, canvass, make_contact, volunteer
):
    for number in range(40):
        make_contact(f"Door{number}", address=f"{100 + number} rue Marie-Anne")
    (long_list,) = walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=Contact.objects.filter(first_name__startswith="Door"), doors_per_list=50,
        max_lists=1,
    )  # fmt: skip
    walk_lists_actions.assign_walk_list(walk_list=long_list, volunteer=volunteer)
    client = client_for(volunteer)
    client.get(reverse("fieldwork:canvass", args=[walk_list.pk]))

    counts = []
    for shown in (walk_list, long_list):
        with CaptureQueriesContext(connection) as context:
            page = client.get(reverse("fieldwork:canvass", args=[shown.pk]))
        assert page.status_code == 200
        counts.append(len(statements(context)))

    assert counts == [CANVASS_QUERIES, CANVASS_QUERIES], counts
    assert sum(len(door["people"]) for door in walk_list_doors(long_list)) == 40


@pytest.mark.django_db
def test_the_walk_list_doors_hold_what_the_contacts_say(walk_list):
    doors = walk_list_doors(walk_list)

    people = {person["target"]: person for door in doors for person in door["people"]}
    for target in Target.objects.filter(walk_list=walk_list).select_related("contact"):
        person = people[target.pk]
        assert (person["name"], person["first_name"], person["status"], person["do_not_knock"]) == (
            target.contact.name, target.contact.first_name.strip(), target.status, target.contact.do_not_knock,
        )  # fmt: skip
    shared = [door for door in doors if len(door["people"]) == 2]
    assert [door["address"] for door in shared] == ["10 rue Rachel"]  # Alice and Bob: one door


@pytest.mark.django_db
def test_next_call_and_the_call_page_cost_a_fixed_number_of_queries(phone_bank, make_contact, volunteer):
    queue(phone_bank, make_contact, 30)
    client = client_for(volunteer)
    client.get(reverse("fieldwork:phone_bank", args=[phone_bank.pk]))

    with CaptureQueriesContext(connection) as context:
        page = client.post(reverse("fieldwork:phone_bank", args=[phone_bank.pk]))
    target = page.context["target"]
    with CaptureQueriesContext(connection) as again:
        reloaded = client.get(reverse("fieldwork:call", args=[target.pk]))

    assert page.status_code == 200 and reloaded.status_code == 200
    assert len(statements(context)) == CALL_NEXT_QUERIES[connection.vendor], "\n".join(statements(context))
    assert len(statements(again)) == CALL_PAGE_QUERIES, statements(again)


@pytest.mark.django_db
def test_the_kept_result_inputs_follow_an_edited_script_and_the_language(
    phone_bank, make_contact, make_supporter, volunteer, script
):
    queue(phone_bank, make_contact, 3)
    client = client_for(volunteer)
    url = reverse("fieldwork:phone_bank", args=[phone_bank.pk])
    first = client.post(url).content.decode()
    question = Question.objects.get(script=script, position=1)

    Question.objects.filter(pk=question.pk).update(
        text="Can we count on your vote?",  # what the script editor's update writes
        choices=[
            {"value": "yes", "label": "Absolutely", "next": 2},
            {"value": "no", "label": "No", "next": 0},
        ],
    )
    Target.objects.filter(leased_to=volunteer).update(leased_to=None, lease_expires_at=None)
    edited = client.post(url).content.decode()
    french = client_for(make_supporter("Françoise", language="fr")).post(url).content.decode()

    assert "Will you vote for us?" in first and "Can we count on your vote?" not in first
    assert "Can we count on your vote?" in edited and "Absolutely" in edited
    assert "Will you vote for us?" not in edited
    assert "Voterez-vous pour nous" in french and "Can we count on your vote?" not in french
    assert first.count('name="idempotency_key"') == edited.count('name="idempotency_key"') == 1
    assert _key(first) != _key(edited)  # a new idempotency key on every page, never kept


def _key(html: str) -> str:
    start = html.index('name="idempotency_key" value="') + len('name="idempotency_key" value="')
    return html[start : html.index('"', start)]


@pytest.mark.django_db
def test_a_bulk_add_to_the_queue_refreshes_its_statistics_on_postgresql(
    phone_bank, make_contact, monkeypatch
):
    """Stale statistics made the claim sort a new campaign's whole queue (190 ms at 13k targets)."""
    from quartier.fieldwork.actions import calls as calls_actions

    monkeypatch.setattr(calls_actions, "ANALYZE_AFTER", 3)
    few = [make_contact(f"A{n}", phone=f"+1514557{n:04d}") for n in range(5)][:2]
    with CaptureQueriesContext(connection) as small:
        calls_actions.add_targets(
            campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[c.pk for c in few])
        )
    with CaptureQueriesContext(connection) as large:
        many = calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.all())

    analyzed = [q["sql"] for q in large.captured_queries if q["sql"].startswith("ANALYZE")]
    assert many == 3
    assert not any(q["sql"].startswith("ANALYZE") for q in small.captured_queries)
    assert analyzed == (["ANALYZE fieldwork_target"] if connection.vendor == "postgresql" else [])
