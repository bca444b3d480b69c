from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, PendingRsvp, Rsvp, Shift
from quartier.outreach.queries import has_consented
from quartier.testing import client_for, run_together

RSVP = {"guests": "0", "phone": "", "shares_contact": "on", "accepts_messages": "on"}
GUEST = {**RSVP, "name": "Gaby Guest", "email": "gaby@example.org", "country": "CA", "postal_code": "H2X 1Y4"}


def rsvp_as(client: Client, event: Event, shift: Shift, **data):
    return client.post(reverse("organizing:event_rsvp", args=[event.pk]), {**RSVP, "shift": shift.pk, **data})


@pytest.mark.django_db
def test_a_supporter_rsvps_gets_a_confirmation_with_a_calendar_file(
    supporter, event, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = rsvp_as(client_for(supporter), event, shift)

    record = Rsvp.objects.get(supporter=supporter)
    assert response.status_code == 302
    assert response["Location"] == reverse("organizing:rsvp_done", args=[record.pk])
    assert record.status == Rsvp.Status.CONFIRMED
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [supporter.email]
    assert mail.outbox[0].attachments[0][0] == "event.ics"
    assert has_consented(supporter, f"event:{event.pk}")


@pytest.mark.django_db
def test_rsvping_twice_takes_one_place(supporter, event, shift):
    client = client_for(supporter)
    rsvp_as(client, event, shift)
    rsvp_as(client, event, shift)

    assert Rsvp.objects.filter(supporter=supporter).count() == 1
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1


@pytest.mark.django_db
def test_guests_count_against_the_places(supporter, make_event, host):
    event = make_event(host, capacity=3)
    shift = event.shifts.get()

    rsvp_as(client_for(supporter), event, shift, guests="2")

    assert Shift.objects.get(pk=shift.pk).confirmed_count == 3
    assert Rsvp.objects.get(supporter=supporter).guests == 2


@pytest.mark.django_db
def test_it_waitlists_once_full_and_promotes_in_order_when_a_place_frees(
    make_supporter, make_event, host, django_capture_on_commit_callbacks
):
    event = make_event(host, capacity=2)
    shift = event.shifts.get()
    people = [make_supporter(f"Person {n}") for n in range(4)]
    records = [rsvps_actions.rsvp(supporter=person, shift=shift) for person in people]
    assert [r.status for r in records] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.cancel_rsvp(rsvp_record=records[0])

    statuses = {r.supporter_id: r.status for r in Rsvp.objects.filter(shift=shift)}
    assert statuses[people[0].pk] == "cancelled"
    assert statuses[people[2].pk] == "confirmed"
    assert statuses[people[3].pk] == "waitlisted"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 2
    promoted_mail = [m for m in mail.outbox if m.to == [people[2].email]]
    assert len(promoted_mail) == 1 and "place freed up" in promoted_mail[0].subject


@pytest.mark.django_db
def test_a_waitlisted_person_can_leave_the_list_without_freeing_a_place(make_supporter, make_event, host):
    event = make_event(host, capacity=1)
    shift = event.shifts.get()
    first, second = make_supporter("First"), make_supporter("Second")
    rsvps_actions.rsvp(supporter=first, shift=shift)
    waiting = rsvps_actions.rsvp(supporter=second, shift=shift)

    response = client_for(second).post(reverse("organizing:rsvp_cancel", args=[waiting.pk]))

    assert response.status_code == 302
    assert Rsvp.objects.get(pk=waiting.pk).status == "cancelled"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1


def confirm_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/rsvps/confirm/[^\s]+/)", message.body).group(1)


@pytest.mark.django_db
def test_a_guest_rsvp_waits_for_the_address_then_makes_an_account_and_records_consent(
    event, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**GUEST, "shift": shift.pk, "news_consent": "on"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("organizing:rsvp_requested")
    assert not Supporter.objects.filter(email="gaby@example.org").exists()
    assert Rsvp.objects.count() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["gaby@example.org"]

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm_link(mail.outbox[0]))

    guest = Supporter.objects.get(email="gaby@example.org")
    assert not guest.has_usable_password()
    assert guest.town == "Montréal"
    record = Rsvp.objects.get(supporter=guest)
    assert record.status == "confirmed"
    assert done["Location"] == reverse("organizing:rsvp_done", args=[record.pk])
    assert guest.consent_records.get(audience="campaign_news").granted is True
    assert has_consented(guest, f"event:{event.pk}")
    assert mail.outbox[1].to == ["gaby@example.org"]
    assert client.get(done["Location"]).status_code == 200
    # The page after the RSVP is for this browser only.
    assert Client().get(done["Location"]).status_code == 404


@pytest.mark.django_db
def test_a_guest_with_a_known_email_is_matched_not_duplicated_once_confirmed(
    supporter, event, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**GUEST, "email": supporter.email.upper(), "shift": shift.pk},
        )
    assert not Rsvp.objects.exists()

    Client().post(confirm_link(mail.outbox[0]))

    assert Supporter.objects.filter(email__iexact=supporter.email).count() == 1
    assert Rsvp.objects.get(shift=shift).supporter == supporter


@pytest.mark.django_db
def test_a_guest_cancels_from_the_link_in_the_mail(event, shift, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("organizing:event_rsvp", args=[event.pk]), {**GUEST, "shift": shift.pk})
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(confirm_link(mail.outbox[0]))

    link = re.search(r"https?://[^/\s]+(/rsvps/cancel/[^\s]+/)", mail.outbox[1].body).group(1)
    client = Client()
    assert client.get(link).status_code == 200
    assert Rsvp.objects.get(shift=shift).status == "confirmed"  # GET changes nothing

    client.post(link)

    assert Rsvp.objects.get(shift=shift).status == "cancelled"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 0
    assert Client().get("/rsvps/cancel/forged-token/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("cancelled", "This event is cancelled."),
        ("past", "This shift has already started."),
        ("too_many_guests", "You can bring up to 2 guests."),
        ("bad_email", "Enter a valid email address."),
        ("bad_postal_code", "not a valid postal code"),
        ("pending", "not open for RSVPs"),
    ],
)
def test_impossible_rsvps_get_a_clear_message_and_change_nothing(case, message, host, make_event):
    event = make_event(host, starts_in=timedelta(days=2))
    shift = event.shifts.get()
    data = {**GUEST, "shift": shift.pk}
    if case == "cancelled":
        events_actions.cancel_event(event=event)
    elif case == "past":
        Shift.objects.filter(pk=shift.pk).update(starts_at=timezone.now() - timedelta(hours=1))
    elif case == "too_many_guests":
        data["guests"] = "5"
    elif case == "bad_email":
        data["email"] = "not-an-email"
    elif case == "bad_postal_code":
        data["postal_code"] = "99999"
    elif case == "pending":
        Event.objects.filter(pk=event.pk).update(status=Event.Status.PENDING)
    supporters_before = Supporter.objects.count()

    response = Client().post(reverse("organizing:event_rsvp", args=[event.pk]), data)

    if case == "pending":  # a pending event is invisible to strangers
        assert response.status_code == 404
    else:
        assert response.status_code == 400
        assert message in response.content.decode()
        if case in {"too_many_guests", "bad_postal_code"}:
            assert "gaby@example.org" in response.content.decode()  # what was typed is kept
    assert Rsvp.objects.count() == 0
    assert PendingRsvp.objects.count() == 0
    assert Supporter.objects.count() == supporters_before
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 0


@pytest.mark.django_db
def test_a_referral_code_in_the_link_is_stored_with_the_rsvp(supporter, other_supporter, event, shift):
    sharer = client_for(other_supporter).get(event.get_absolute_url()).context["share_link"]
    path = sharer.split("://", 1)[1].split("/", 1)[1]
    client = client_for(supporter)
    client.get("/" + path)

    rsvp_as(client, event, shift)

    assert Rsvp.objects.get(supporter=supporter).referrer == other_supporter


@pytest.mark.django_db
def test_one_cannot_refer_oneself(supporter, event, shift):
    client = client_for(supporter)
    link = client.get(event.get_absolute_url()).context["share_link"]
    client.get("/" + link.split("://", 1)[1].split("/", 1)[1])

    rsvp_as(client, event, shift)

    assert Rsvp.objects.get(supporter=supporter).referrer is None


def _concurrent_rsvps(shift_id: int, supporter_ids: list[int]) -> list[str]:
    def attempt(supporter_id: int) -> str:
        return rsvps_actions.rsvp(
            supporter=Supporter.objects.get(pk=supporter_id), shift=Shift.objects.get(pk=shift_id)
        ).status

    return run_together([lambda pk=pk: attempt(pk) for pk in supporter_ids])


@pytest.mark.django_db(transaction=True)
def test_a_hundred_people_rushing_for_the_last_ten_places_never_overfill_the_shift(
    make_supporter, make_event, host
):
    event = make_event(host, capacity=15)
    shift = event.shifts.get()
    early = [make_supporter(f"Early {n}") for n in range(5)]
    for person in early:
        rsvps_actions.rsvp(supporter=person, shift=shift)
    rush = [make_supporter(f"Rush {n}").pk for n in range(100)]

    outcomes = _concurrent_rsvps(shift.pk, rush)

    assert sorted(set(outcomes)) == ["confirmed", "waitlisted"], outcomes
    assert outcomes.count("confirmed") == 10
    assert outcomes.count("waitlisted") == 90
    shift.refresh_from_db()
    assert shift.confirmed_count == 15 == shift.capacity
    assert Rsvp.objects.filter(shift=shift, status="confirmed").count() == 15
    assert Rsvp.objects.filter(shift=shift, status="waitlisted").count() == 90


@pytest.mark.django_db
def test_an_rsvp_without_a_shift_asks_for_one(supporter, make_event, host):
    event = make_event(host, shifts=2)

    response = client_for(supporter).post(reverse("organizing:event_rsvp", args=[event.pk]), RSVP)

    assert response.status_code == 400
    assert "Choose a shift." in response.content.decode()
    assert Rsvp.objects.count() == 0


@pytest.mark.django_db
def test_the_event_page_offers_only_shifts_one_can_still_join(supporter, make_event, host):
    event = make_event(host, shifts=3)
    first, second, third = event.shifts.all()
    rsvps_actions.rsvp(supporter=supporter, shift=first)
    Shift.objects.filter(pk=third.pk).update(starts_at=timezone.now() - timedelta(minutes=5))

    page = client_for(supporter).get(event.get_absolute_url())

    assert [shift.pk for shift in page.context["open_shifts"]] == [second.pk]
    assert f'name="shift" value="{second.pk}"' in page.content.decode()


@pytest.mark.django_db
def test_a_guest_name_with_line_breaks_is_kept_on_one_line(event, shift, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**GUEST, "shift": shift.pk, "name": "Gaby\r\nBcc: someone@example.org"},
        )

    assert response.status_code == 302
    assert PendingRsvp.objects.get().name == "Gaby Bcc: someone@example.org"
    assert len(mail.outbox) == 1 and "\n" not in mail.outbox[0].subject
