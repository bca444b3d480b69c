"""The call queue: one volunteer per contact, leases that expire, cool-downs, call-backs, do-not-call,
quiet hours in the contact's time zone, the same caller for a contact, and the organiser queue."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import common as common_actions
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.actions.calls import claim_next_call
from quartier.fieldwork.actions.results import ResultInput, record_result
from quartier.fieldwork.models import Contact, FieldCampaign, Outcome, Result, Target


def call(volunteer, target, outcome, **changes) -> Result:
    result, _created = record_result(
        volunteer=volunteer,
        target=target,
        data=ResultInput(outcome=outcome, **changes),
        channel=Result.Channel.CALL,
    )
    return result


@pytest.mark.django_db
def test_two_volunteers_get_two_different_contacts(phone_bank, callable_contacts, volunteer, other_supporter):
    first = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    second = claim_next_call(volunteer=other_supporter, campaign=phone_bank)

    assert first is not None and second is not None
    assert first.contact_id != second.contact_id
    assert Target.objects.filter(campaign=phone_bank, leased_to__isnull=False).count() == 2


@pytest.mark.django_db
def test_asking_again_gives_back_the_contact_one_already_holds(phone_bank, callable_contacts, volunteer):
    first = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    again = claim_next_call(volunteer=volunteer, campaign=phone_bank)

    assert again.pk == first.pk
    assert Target.objects.filter(leased_to=volunteer).count() == 1


@pytest.mark.django_db
def test_an_expired_lease_returns_the_contact_to_the_queue(
    phone_bank, make_contact, volunteer, other_supporter
):
    only = make_contact(phone="+15145550000")
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.filter(pk=only.pk))
    held = claim_next_call(volunteer=volunteer, campaign=phone_bank)

    assert claim_next_call(volunteer=other_supporter, campaign=phone_bank) is None
    later = timezone.now() + timedelta(minutes=phone_bank.lease_minutes + 1)
    taken = claim_next_call(volunteer=other_supporter, campaign=phone_bank, now=later)

    assert taken is not None and taken.pk == held.pk
    assert Target.objects.get(pk=held.pk).leased_to == other_supporter


@pytest.mark.django_db
def test_a_no_answer_comes_back_after_the_cool_down_to_the_same_caller_only(
    phone_bank, make_contact, volunteer, other_supporter
):
    only = make_contact(phone="+15145550000")
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.filter(pk=only.pk))
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    call(volunteer, target, Outcome.NOT_HOME)

    soon = timezone.now() + timedelta(minutes=phone_bank.retry_minutes - 5)
    after = timezone.now() + timedelta(minutes=phone_bank.retry_minutes + 1)
    assert claim_next_call(volunteer=volunteer, campaign=phone_bank, now=soon) is None
    assert claim_next_call(volunteer=other_supporter, campaign=phone_bank, now=after) is None
    again = claim_next_call(volunteer=volunteer, campaign=phone_bank, now=after)
    assert again is not None and again.pk == target.pk
    assert Target.objects.get(pk=target.pk).caller == volunteer


@pytest.mark.django_db
def test_no_answer_gives_up_after_the_last_attempt(phone_bank, make_contact, volunteer):
    phone_bank.max_attempts = 2
    phone_bank.save()
    only = make_contact(phone="+15145550000")
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.filter(pk=only.pk))
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    call(volunteer, target, Outcome.NOT_HOME)
    later = timezone.now() + timedelta(minutes=phone_bank.retry_minutes + 1)
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank, now=later)
    call(volunteer, target, Outcome.NOT_HOME)

    assert Target.objects.get(pk=target.pk).status == Target.Status.DONE
    assert claim_next_call(volunteer=volunteer, campaign=phone_bank, now=later + timedelta(days=2)) is None


@pytest.mark.django_db
def test_come_back_later_waits_for_the_call_back_time(phone_bank, make_contact, volunteer):
    only = make_contact(phone="+15145550000")
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.filter(pk=only.pk))
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    call(volunteer, target, Outcome.COME_BACK_LATER)

    stored = Target.objects.get(pk=target.pk)
    assert stored.is_callback and stored.status == Target.Status.QUEUED
    before = stored.available_after - timedelta(minutes=1)
    assert claim_next_call(volunteer=volunteer, campaign=phone_bank, now=before) is None
    assert (
        claim_next_call(volunteer=volunteer, campaign=phone_bank, now=stored.available_after).pk == target.pk
    )


@pytest.mark.django_db
def test_do_not_call_is_honoured_at_once_in_every_campaign(
    phone_bank, group, make_contact, volunteer, other_supporter
):
    person = make_contact(phone="+15145550000")
    other_bank = FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.PHONE_BANK, name="Other", group=group, open_from_home=True,
        calling_hours_start=0, calling_hours_end=24,
    )  # fmt: skip
    for campaign in (phone_bank, other_bank):
        calls_actions.add_targets(campaign=campaign, contacts=Contact.objects.filter(pk=person.pk))
    held_elsewhere = claim_next_call(volunteer=other_supporter, campaign=other_bank)
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)

    call(volunteer, target, Outcome.REFUSED, do_not_contact=True)

    assert Contact.objects.get(pk=person.pk).do_not_call
    assert Target.objects.get(pk=held_elsewhere.pk).leased_to is None
    later = timezone.now() + timedelta(days=30)
    assert claim_next_call(volunteer=other_supporter, campaign=other_bank, now=later) is None


@pytest.mark.django_db
def test_quiet_hours_follow_the_contacts_time_zone(phone_bank, make_contact, volunteer):
    phone_bank.calling_hours_start, phone_bank.calling_hours_end = 9, 21
    phone_bank.save()
    paris = make_contact("Paris", phone="+33142000000", time_zone="Europe/Paris")
    vancouver = make_contact("Vancouver", phone="+16045550000", time_zone="America/Vancouver")
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[paris.pk, vancouver.pk])
    )
    phone_bank.refresh_from_db()
    # 10:00 in Paris is 01:00 in Vancouver.
    ten_in_paris = datetime.fromisoformat("2026-06-10T08:00:00+00:00")
    Target.objects.update(available_after=ten_in_paris - timedelta(days=1))

    first = claim_next_call(volunteer=volunteer, campaign=phone_bank, now=ten_in_paris)
    calls_actions.release_call(volunteer=volunteer, target=first)
    Target.objects.filter(pk=first.pk).update(status=Target.Status.DONE)
    second = claim_next_call(volunteer=volunteer, campaign=phone_bank, now=ten_in_paris)

    assert first.contact_id == paris.pk
    assert second is None


@pytest.mark.django_db
def test_a_bank_with_no_contacts_or_only_quiet_zones_hands_out_nobody(phone_bank, make_contact, volunteer):
    assert phone_bank.time_zones == []
    assert claim_next_call(volunteer=volunteer, campaign=phone_bank) is None

    phone_bank.calling_hours_start, phone_bank.calling_hours_end = 9, 21
    phone_bank.save()
    paris = make_contact("Paris", phone="+33142000000", time_zone="Europe/Paris")
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.filter(pk=paris.pk))
    phone_bank.refresh_from_db()
    three_in_paris = datetime.fromisoformat("2026-06-10T01:00:00+00:00")
    Target.objects.update(available_after=three_in_paris - timedelta(days=1))

    assert claim_next_call(volunteer=volunteer, campaign=phone_bank, now=three_in_paris) is None
    assert not Target.objects.filter(leased_to__isnull=False).exists()


@pytest.mark.django_db
def test_contacts_without_a_number_are_never_handed_out(phone_bank, make_contact, volunteer):
    person = make_contact(phone="")
    calls_actions.add_targets(campaign=phone_bank, contacts=Contact.objects.filter(pk=person.pk))

    assert claim_next_call(volunteer=volunteer, campaign=phone_bank) is None


@pytest.mark.django_db
def test_a_result_asking_for_an_organiser_blocks_the_contact_until_resolved(
    phone_bank, callable_contacts, volunteer, leader
):
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    result = call(volunteer, target, Outcome.UNDECIDED, needs_action=True, action_note="Wants a yard sign")

    assert Target.objects.get(pk=target.pk).status == Target.Status.ACTION
    results_actions.resolve_action(result=result, done_by=leader, back_to_queue=True)
    assert Target.objects.get(pk=target.pk).status == Target.Status.QUEUED
    assert Result.objects.get(pk=result.pk).action_resolved_at is not None


@pytest.mark.django_db
def test_recording_the_same_key_twice_records_once(phone_bank, callable_contacts, volunteer):
    target = claim_next_call(volunteer=volunteer, campaign=phone_bank)
    data = ResultInput(outcome=Outcome.SUPPORTIVE, idempotency_key="a" * 32)

    first = record_result(volunteer=volunteer, target=target, data=data, channel=Result.Channel.CALL)
    second = record_result(volunteer=volunteer, target=target, data=data, channel=Result.Channel.CALL)

    assert first[1] is True and second[1] is False
    assert Result.objects.filter(target=target).count() == 1
    assert Target.objects.get(pk=target.pk).attempts == 1


@pytest.mark.django_db
def test_a_closed_phone_bank_hands_out_nobody(phone_bank, callable_contacts, volunteer):
    phone_bank.is_open = False
    phone_bank.save()

    with pytest.raises(common_actions.FieldworkError):
        claim_next_call(volunteer=volunteer, campaign=phone_bank)
    assert not Target.objects.filter(leased_to__isnull=False).exists()


# PostgreSQL here allows 100 connections, shared with other test runs: the 200 threads start together
# and take turns on at most this many connections at once (a web server's pool does the same).
POSTGRES_CONNECTIONS = 40


def _claim_all(campaign_id: int, volunteer_ids: list[int]) -> list[object]:
    """Every volunteer claims in its own thread, all released at once by a barrier."""
    pool = threading.BoundedSemaphore(
        POSTGRES_CONNECTIONS if connection.vendor == "postgresql" else len(volunteer_ids)
    )
    barrier = threading.Barrier(len(volunteer_ids))
    outcomes: list[object] = []
    lock = threading.Lock()

    def claim(pk: int) -> None:
        barrier.wait()
        with pool:
            for _retry in range(100):
                try:
                    target = claim_next_call(
                        volunteer=Supporter.objects.get(pk=pk),
                        campaign=FieldCampaign.objects.get(pk=campaign_id),
                    )
                    outcome: object = target.pk if target else None
                except OperationalError as error:
                    outcome = f"error: {error!r}"
                    if "too many clients" in str(error):  # the server's limit, shared with others
                        connection.close()
                        time.sleep(0.1)
                        continue
                except Exception as error:
                    outcome = f"error: {error!r}"
                finally:
                    connection.close()
                break
        with lock:
            outcomes.append(outcome)

    connection.close()
    threads = [threading.Thread(target=claim, args=(pk,)) for pk in volunteer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_volunteers_claiming_at_once_never_share_a_contact(make_supporter, make_contact, phone_bank):
    """200 threads on PostgreSQL (SKIP LOCKED) and on SQLite (serialised claims): same guarantees."""
    threads = 200
    available = threads // 2
    people = [make_contact(f"Rush{n}", phone=f"+1514556{n:04d}") for n in range(available)]
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[p.pk for p in people])
    )
    volunteers = [make_supporter(f"Caller {n}").pk for n in range(threads)]

    outcomes = _claim_all(phone_bank.pk, volunteers)

    errors = [o for o in outcomes if isinstance(o, str)]
    claimed = [o for o in outcomes if isinstance(o, int)]
    assert errors == []
    assert len(claimed) == available == len(set(claimed))
    assert outcomes.count(None) == threads - available
    leases = list(Target.objects.filter(campaign=phone_bank).values_list("leased_to", flat=True))
    assert len([lease for lease in leases if lease]) == available == len(set(leases))


@pytest.mark.django_db(transaction=True)
def test_expired_leases_are_claimed_again_exactly_once(make_supporter, make_contact, phone_bank):
    threads = 200
    available = threads // 4
    people = [make_contact(f"Again{n}", phone=f"+1514557{n:04d}") for n in range(available)]
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[p.pk for p in people])
    )
    first_wave = [make_supporter(f"First {n}") for n in range(available)]
    for person in first_wave:
        assert claim_next_call(volunteer=person, campaign=phone_bank) is not None
    ran_out = timezone.now() - timedelta(seconds=1)  # the claim moved each contact to its lease's end
    Target.objects.filter(campaign=phone_bank).update(lease_expires_at=ran_out, available_after=ran_out)
    second_wave = [make_supporter(f"Second {n}").pk for n in range(threads)]

    outcomes = _claim_all(phone_bank.pk, second_wave)

    claimed = [o for o in outcomes if isinstance(o, int)]
    assert len(outcomes) == threads and not [o for o in outcomes if isinstance(o, str)]
    assert len(claimed) == available == len(set(claimed)), outcomes
    assert set(Target.objects.filter(campaign=phone_bank).values_list("leased_to", flat=True)) <= set(
        second_wave
    )
