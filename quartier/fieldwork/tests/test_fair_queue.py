"""Issue 22: the call queue hands out a contact in one statement, fairly (skipped, expired and no-answer
contacts go to the back), and the call page is served from what the claim returned. Issue 20 §2: a
volunteer sets the call-back date and time, in the contact's time zone."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions.calls import claim_next_call, release_call
from quartier.fieldwork.actions.results import ResultInput, record_result
from quartier.fieldwork.models import Contact, FieldCampaign, Outcome, Result, Target
from quartier.fieldwork.tests.test_call_queue import POSTGRES_CONNECTIONS
from quartier.testing import client_for

# Statements one claim sends: PostgreSQL, the single UPDATE … RETURNING (autocommit, no BEGIN/COMMIT);
# SQLite: the held lease, the call-back, the fair candidate, the conditional UPDATE and the read back.
CLAIM_STATEMENTS = {"postgresql": 1, "sqlite": 5}


def queue(phone_bank, make_contact, count: int, prefix: str = "Q") -> list[Contact]:
    people = [make_contact(f"{prefix}{n}", phone=f"+1514558{n:04d}") for n in range(count)]
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[p.pk for p in people])
    )
    return people


def claim_statements(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


# --- one statement, one round trip -------------------------------------------------------------


@pytest.mark.django_db
def test_next_call_is_one_statement_on_postgresql(phone_bank, callable_contacts, volunteer):
    with CaptureQueriesContext(connection) as context:
        target = claim_next_call(volunteer=volunteer, campaign=phone_bank)

    assert len(claim_statements(context)) == CLAIM_STATEMENTS[connection.vendor]
    if connection.vendor == "postgresql":
        assert context.captured_queries[0]["sql"].lstrip().startswith("WITH held AS")
    assert Target.objects.get(pk=target.pk).leased_to == volunteer
    with CaptureQueriesContext(connection) as context:  # what the call page shows is already there
        shown = (target.contact.name, target.contact.phone, target.contact.town, target.contact.language)
        shown += (target.attempts, target.lease_expires_at, target.contact.time_zone)
    assert context.captured_queries == []
    contact, stored = Contact.objects.get(pk=target.contact_id), Target.objects.get(pk=target.pk)
    assert shown == (contact.name, contact.phone, contact.town, contact.language, stored.attempts,
                     stored.lease_expires_at, contact.time_zone)  # fmt: skip
    assert (target.status, target.campaign_id, target.time_zone) == (
        Target.Status.QUEUED,
        phone_bank.pk,
        stored.time_zone,
    )


@pytest.mark.django_db
def test_asking_again_gives_back_the_held_contact_in_the_same_single_statement(
    phone_bank, callable_contacts, volunteer
):
    first = claim_next_call(volunteer=volunteer, campaign=phone_bank)

    with CaptureQueriesContext(connection) as context:
        again = claim_next_call(volunteer=volunteer, campaign=phone_bank)

    assert again.pk == first.pk and again.contact.first_name == first.contact.first_name
    assert len(claim_statements(context)) <= CLAIM_STATEMENTS[connection.vendor]
    assert Target.objects.filter(leased_to=volunteer).count() == 1


@pytest.mark.django_db
def test_next_contact_serves_the_call_page_without_reading_the_contact_again(
    phone_bank, callable_contacts, volunteer
):
    client = client_for(volunteer)
    client.get(reverse("fieldwork:phone_bank", args=[phone_bank.pk]))  # session and user warm

    with CaptureQueriesContext(connection) as context:
        page = client.post(reverse("fieldwork:phone_bank", args=[phone_bank.pk]))

    target = page.context["target"]
    assert page.status_code == 200 and target.contact.first_name in page.content.decode()
    contact_reads = [q for q in claim_statements(context) if "fieldwork_contact" in q]
    target_reads = [q for q in claim_statements(context) if q.startswith('SELECT "fieldwork_target"')]
    if connection.vendor == "postgresql":
        assert len(contact_reads) == 1 and contact_reads[0].lstrip().startswith("WITH held AS")
        assert target_reads == []
        # session, the phone bank, the claim, the questions (the user's row comes from the cache)
        assert len(claim_statements(context)) == 4, claim_statements(context)
    assert Target.objects.get(pk=target.pk).leased_to == volunteer


# --- fairness ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_skipped_contact_goes_to_the_back_of_the_queue(phone_bank, make_contact, volunteer):
    people = queue(phone_bank, make_contact, 3)

    handed = []
    for _turn in range(6):
        target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
        handed.append(target.contact_id)
        release_call(volunteer=volunteer, target=target)

    assert handed == [p.pk for p in people] * 2  # round robin, never the one just skipped


@pytest.mark.django_db
def test_many_claims_and_skips_reach_every_contact(phone_bank, make_contact, make_supporter):
    """The issue's measure: 1,006 claims reached only 93 contacts when skips went to the front."""
    people = queue(phone_bank, make_contact, 12)
    callers = [make_supporter(f"Skipper {n}") for n in range(3)]

    reached = set()
    for turn in range(24):
        caller = callers[turn % len(callers)]
        target = claim_next_call(volunteer=caller, campaign=phone_bank)
        reached.add(target.contact_id)
        release_call(volunteer=caller, target=target)

    assert reached == {p.pk for p in people}


@pytest.mark.django_db
def test_an_expired_lease_goes_behind_the_contacts_already_waiting(
    phone_bank, make_contact, make_supporter, volunteer, other_supporter
):
    first, second = queue(phone_bank, make_contact, 2)
    held = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    later = timezone.now() + timedelta(minutes=phone_bank.lease_minutes + 1)

    taken = claim_next_call(volunteer=other_supporter, campaign=phone_bank, now=later)

    assert held.contact_id == first.pk and taken.contact_id == second.pk
    assert (
        claim_next_call(volunteer=make_supporter("Third Caller"), campaign=phone_bank, now=later).pk
        == held.pk
    )


@pytest.mark.django_db
def test_a_no_answer_is_not_handed_out_again_before_untried_contacts(phone_bank, make_contact, volunteer):
    first, second = queue(phone_bank, make_contact, 2)
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    record_result(volunteer=volunteer, target=target, data=ResultInput(outcome=Outcome.NOT_HOME),
                  channel=Result.Channel.CALL)  # fmt: skip
    after = timezone.now() + timedelta(minutes=phone_bank.retry_minutes + 1)
    # Contacts added to the bank after the no-answer became due (a later import) are still untried.
    (late,) = queue(phone_bank, make_contact, 1, prefix="Late")
    Target.objects.filter(contact=late).update(available_after=after - timedelta(seconds=1))

    order = []
    for _turn in range(3):
        handed = claim_next_call(volunteer=volunteer, campaign=phone_bank, now=after)
        order.append(handed.contact_id)
        record_result(volunteer=volunteer, target=handed, data=ResultInput(outcome=Outcome.SUPPORTIVE),
                      channel=Result.Channel.CALL)  # fmt: skip

    assert target.contact_id == first.pk
    assert order == [second.pk, late.pk, first.pk]


# --- call-backs at the volunteer's chosen time ------------------------------------------------------


def _future_slot(zone: str, days: int = 2, hour: int = 18) -> datetime:
    local = timezone.now().astimezone(ZoneInfo(zone)) + timedelta(days=days)
    return local.replace(hour=hour, minute=30, second=0, microsecond=0)


def _post_result(client, target, **fields):
    data = {
        "outcome": Outcome.COME_BACK_LATER,
        "idempotency_key": f"cb{target.pk}x{len(fields)}" * 2,
        **fields,
    }
    return client.post(reverse("fieldwork:call", args=[target.pk]), data)


@pytest.mark.django_db
def test_a_call_back_set_on_the_call_page_holds_the_contact_until_then_and_comes_first(
    phone_bank, make_contact, volunteer
):
    phone_bank.calling_hours_start, phone_bank.calling_hours_end = 9, 21
    phone_bank.save()
    people = [
        make_contact(f"Van{n}", phone=f"+1604555{n:04d}", time_zone="America/Vancouver") for n in range(3)
    ]
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[p.pk for p in people])
    )
    phone_bank.refresh_from_db()
    when = _future_slot("America/Vancouver")
    Target.objects.update(available_after=when - timedelta(days=3))
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank, now=when - timedelta(days=2, hours=6))
    client = client_for(volunteer)
    page = client.get(reverse("fieldwork:call", args=[target.pk]))
    assert "America/Vancouver" in page.content.decode() and 'type="date"' in page.content.decode()

    response = _post_result(client, target, callback_date=when.date().isoformat(), callback_time="18:30")

    assert response.status_code == 302
    stored = Target.objects.get(pk=target.pk)
    assert stored.is_callback and stored.available_after == when
    before = claim_next_call(volunteer=volunteer, campaign=phone_bank, now=when - timedelta(minutes=1))
    assert before.pk != target.pk  # not before then: an untried contact instead
    release_call(volunteer=volunteer, target=before, now=when - timedelta(minutes=1))
    assert claim_next_call(volunteer=volunteer, campaign=phone_bank, now=when).pk == target.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slot", "fields", "message"),
    [
        ("past", {}, "Choose a call-back time in the future."),
        ("night", {}, "Calls are made from 9:00 to 21:00 in the contact's time zone."),
        ("far", {}, "Choose a call-back date within the next 60 days."),
        ("no time", {"callback_time": ""}, "Give both a date and a time to call back, or neither."),
    ],
)
def test_a_bad_call_back_time_is_refused_with_the_form_kept(
    phone_bank, callable_contacts, volunteer, slot, fields, message
):
    # Claimed at any hour (the fixture calls round the clock), then the hours the call-back must respect.
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    phone_bank.calling_hours_start, phone_bank.calling_hours_end = 9, 21
    phone_bank.save()
    when = {
        "past": _future_slot("America/Toronto", days=-1),
        "night": _future_slot("America/Toronto", hour=23),
        "far": _future_slot("America/Toronto", days=90),
        "no time": _future_slot("America/Toronto"),
    }[slot]
    data = {"callback_date": when.date().isoformat(), "callback_time": when.strftime("%H:%M"),
            "notes": "Asked for Tuesday"} | fields  # fmt: skip

    response = _post_result(client_for(volunteer), target, **data)

    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 400 and message in page
    assert "Asked for Tuesday" in page and when.date().isoformat() in page
    assert not Result.objects.exists()
    assert Target.objects.get(pk=target.pk).leased_to == volunteer


@pytest.mark.django_db
def test_the_call_back_error_is_in_the_volunteers_language(phone_bank, callable_contacts, volunteer):
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    client = client_for(volunteer)
    client.cookies["django_language"] = "fr"
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()

    response = client.post(
        reverse("fieldwork:call", args=[target.pk]),
        {"outcome": Outcome.COME_BACK_LATER, "idempotency_key": "f" * 32, "callback_date": yesterday,
         "callback_time": "10:00"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "Choisissez un moment de rappel dans le futur." in response.content.decode()


@pytest.mark.django_db
def test_a_call_back_time_given_with_another_result_is_not_kept(phone_bank, callable_contacts, volunteer):
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    when = _future_slot("America/Toronto")

    response = client_for(volunteer).post(
        reverse("fieldwork:call", args=[target.pk]),
        {"outcome": Outcome.NOT_HOME, "idempotency_key": "n" * 32, "callback_date": when.date().isoformat(),
         "callback_time": "18:30"},
    )  # fmt: skip

    assert response.status_code == 302
    stored = Target.objects.get(pk=target.pk)
    assert not stored.is_callback and stored.available_after != when


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_claims_and_skips_at_once_never_put_one_contact_in_two_hands(
    make_supporter, make_contact, phone_bank
):
    """Volunteers claim and skip in a loop, all at once, over fewer contacts than volunteers: nobody ever
    holds a contact someone else holds (checked between each claim and its skip)."""
    queue(phone_bank, make_contact, 6, prefix="Busy")
    volunteers = [make_supporter(f"Busy caller {n}").pk for n in range(16)]
    pool = threading.BoundedSemaphore(POSTGRES_CONNECTIONS if connection.vendor == "postgresql" else 16)
    barrier = threading.Barrier(len(volunteers))
    holding: dict[int, int] = {}
    problems: list[str] = []
    claims: list[int] = []
    lock = threading.Lock()

    def work(pk: int) -> None:
        barrier.wait()
        with pool:
            try:
                volunteer = Supporter.objects.get(pk=pk)
                campaign = FieldCampaign.objects.get(pk=phone_bank.pk)
                for _turn in range(8):
                    target = claim_next_call(volunteer=volunteer, campaign=campaign)
                    if target is None:
                        continue
                    with lock:
                        if target.pk in holding:
                            problems.append(f"{target.pk} held by {holding[target.pk]} and {pk}")
                        holding[target.pk] = pk
                        claims.append(target.pk)
                    with lock:  # forget it before giving it back: whoever gets it next finds it free
                        del holding[target.pk]
                    release_call(volunteer=volunteer, target=target)
            except Exception as error:
                problems.append(repr(error))
            finally:
                connection.close()

    connection.close()
    threads = [threading.Thread(target=work, args=(pk,)) for pk in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert problems == []
    assert len(claims) > 6 and len(set(claims)) == 6  # every contact went round
    assert not Target.objects.filter(campaign=phone_bank).exclude(leased_to=None).exists()


# --- the organiser's count, in both languages ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "people", "words"),
    [("en", 1, "1 contact added to the call queue."), ("en", 2, "2 contacts added to the call queue."),
     ("fr", 1, "1 contact ajouté à la file d’appels."), ("fr", 2, "2 contacts ajoutés à la file d’appels.")],
)  # fmt: skip
def test_contacts_added_to_the_queue_are_counted_with_the_right_plural(
    phone_bank, make_contact, leader, language, people, words
):
    for n in range(people):
        make_contact(f"Count{n}", phone=f"+1514559{n:04d}")
    client = client_for(leader)
    client.cookies["django_language"] = language
    turf = {"center": "45.52, -73.58", "radius_km": "5", "country": "CA"}

    response = client.post(reverse("fieldwork:turf", args=[phone_bank.pk]), turf, follow=True)

    assert words in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "doors", "words"),
    [("en", 1, "1 walk list cut."), ("en", 2, "2 walk lists cut."),
     ("fr", 1, "1 liste découpée."), ("fr", 2, "2 listes découpées.")],
)  # fmt: skip
def test_walk_lists_cut_are_counted_with_the_right_plural(
    canvass, make_contact, leader, language, doors, words
):
    for n in range(doors):
        make_contact(f"Door{n}", address=f"{n + 1} rue Rachel")
    client = client_for(leader)
    client.cookies["django_language"] = language
    turf = {
        "center": "45.52, -73.58",
        "radius_km": "5",
        "country": "CA",
        "doors_per_list": "1",
        "max_lists": "10",
    }

    response = client.post(reverse("fieldwork:turf", args=[canvass.pk]), turf, follow=True)

    assert words in response.content.decode()
