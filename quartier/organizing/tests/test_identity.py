"""Nobody acts in another person's name: guest RSVPs and walk-ins wait for the address's owner."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.models import CAMPAIGN_NEWS, ConsentRecord, Supporter
from quartier.organizing.actions import guest_rsvps as guest_rsvps_actions
from quartier.organizing.models import PendingRsvp, Rsvp, Shift
from quartier.organizing.queries import events as events_queries
from quartier.outreach.queries import has_consented
from quartier.testing import client_for

GUEST = {
    "name": "Someone Else", "email": "new-person@example.org", "country": "CA", "postal_code": "H2X 1Y4",
    "guests": "0", "phone": "514 555 0199", "shares_contact": "on", "accepts_messages": "on", "news_consent": "on",
}  # fmt: skip


def confirm_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/rsvps/confirm/[^\s]+/)", message.body).group(1)


def account_state(supporter: Supporter | None) -> dict[str, object]:
    if supporter is None:
        return {}
    supporter.refresh_from_db()
    return {
        "name": supporter.display_name,
        "town": supporter.town,
        "rsvps": Rsvp.objects.filter(supporter=supporter).count(),
        "audience_consents": ConsentRecord.objects.filter(supporter=supporter)
        .exclude(audience=CAMPAIGN_NEWS)
        .count(),
        "email_consents": ConsentRecord.objects.filter(supporter=supporter, audience=CAMPAIGN_NEWS).count(),
        "feed": len(events_queries.feed_entries(supporter)),
        "attending": len(events_queries.my_events(supporter)["attending"]),
    }


@pytest.mark.django_db
def test_a_guest_rsvp_with_anyones_address_touches_no_account_until_its_owner_confirms(
    persona, event, shift, host, django_capture_on_commit_callbacks
):
    _name, owner = persona
    email = owner.email if owner is not None else "new-person@example.org"
    before = account_state(owner)
    supporters_before = Supporter.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**GUEST, "email": email.upper(), "shift": shift.pk},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("organizing:rsvp_requested")
    assert account_state(owner) == before
    assert Supporter.objects.count() == supporters_before
    assert Rsvp.objects.count() == 0
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 0
    host_page = client_for(host).get(reverse("organizing:event_attendees", args=[event.pk])).content.decode()
    assert "Someone Else" not in host_page and (owner is None or owner.display_name not in host_page)
    pending = PendingRsvp.objects.get()
    assert pending.email == email.lower() and pending.confirmed_at is None
    assert [m.to for m in mail.outbox] == [[email.lower()]]
    assert "Someone Else" not in mail.outbox[0].body  # greeted by the account's name, never the typed one


@pytest.mark.django_db
def test_the_visitor_sees_the_same_page_whether_or_not_the_address_has_an_account(supporter, event, shift):
    known = Client().post(
        reverse("organizing:event_rsvp", args=[event.pk]),
        {**GUEST, "email": supporter.email, "shift": shift.pk},
    )
    unknown = Client().post(reverse("organizing:event_rsvp", args=[event.pk]), {**GUEST, "shift": shift.pk})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page = Client().get(known["Location"])
    assert page.status_code == 200
    assert "Check your email" in page.content.decode()
    assert supporter.email not in page.content.decode()


@pytest.mark.django_db
def test_the_owner_confirms_once_and_then_the_rsvp_and_consents_are_recorded(
    other_supporter, event, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**GUEST, "email": other_supporter.email, "shift": shift.pk},
        )
    path = confirm_path(mail.outbox[0])
    client = Client()

    assert client.get(path).status_code == 200  # a mail scanner following the link changes nothing
    assert Rsvp.objects.count() == 0
    first = client.post(path)
    second = client.post(path)

    record = Rsvp.objects.get()
    assert record.supporter == other_supporter
    assert (record.status, record.phone, record.shares_contact) == ("confirmed", "514 555 0199", True)
    assert first.status_code == second.status_code == 302
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1
    assert has_consented(other_supporter, f"event:{event.pk}")
    assert ConsentRecord.objects.filter(supporter=other_supporter, audience=f"event:{event.pk}").count() == 1
    assert (
        ConsentRecord.objects.filter(supporter=other_supporter, audience=CAMPAIGN_NEWS, granted=True).count()
        == 1
    )
    other_supporter.refresh_from_db()
    assert other_supporter.display_name == "Sam Wilson"  # the typed name never renames an account
    assert PendingRsvp.objects.get().confirmed_at is not None


@pytest.mark.django_db
def test_an_expired_confirm_link_says_so_and_changes_nothing(
    supporter, event, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**GUEST, "email": supporter.email, "shift": shift.pk},
        )
    PendingRsvp.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    path = confirm_path(mail.outbox[0])

    shown, posted = Client().get(path), Client().post(path)

    assert shown.status_code == posted.status_code == 410
    assert "This link has expired" in posted.content.decode()
    assert not Rsvp.objects.exists()
    assert ConsentRecord.objects.filter(supporter=supporter).exclude(audience=CAMPAIGN_NEWS).count() == 0
    assert PendingRsvp.objects.get().confirmed_at is None


@pytest.mark.django_db
def test_a_made_up_confirm_link_is_not_found(event):
    assert Client().get(reverse("organizing:rsvp_confirm", args=["made-up"])).status_code == 404
    assert Client().post(reverse("organizing:rsvp_confirm", args=["made-up"])).status_code == 404


@pytest.mark.django_db
def test_the_database_never_holds_a_usable_confirm_link(
    supporter, event, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("organizing:event_rsvp", args=[event.pk]), {**GUEST, "shift": shift.pk})
    token = confirm_path(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]

    assert len(token) >= 40
    assert not PendingRsvp.objects.filter(token_hash=token).exists()


@pytest.mark.django_db
def test_an_unticked_box_never_withdraws_someones_consent(
    supporter, event, shift, django_capture_on_commit_callbacks
):
    client = client_for(supporter)
    client.post(
        reverse("organizing:event_rsvp", args=[event.pk]),
        {"shift": shift.pk, "guests": "0", "accepts_messages": "on"},
    )
    assert has_consented(supporter, f"event:{event.pk}")
    unticked = {key: value for key, value in GUEST.items() if key not in {"accepts_messages", "news_consent"}}

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**unticked, "email": supporter.email, "shift": shift.pk},
        )
    Client().post(confirm_path(mail.outbox[-1]))
    client.post(reverse("organizing:rsvp_cancel", args=[Rsvp.objects.get().pk]))
    client.post(reverse("organizing:event_rsvp", args=[event.pk]), {"shift": shift.pk, "guests": "0"})

    assert has_consented(supporter, f"event:{event.pk}")
    assert ConsentRecord.objects.filter(supporter=supporter).exclude(audience=CAMPAIGN_NEWS).count() == 1


@pytest.mark.django_db
def test_a_signed_in_supporter_can_only_rsvp_as_themselves(supporter, other_supporter, event, shift):
    client_for(supporter).post(
        reverse("organizing:event_rsvp", args=[event.pk]),
        {**GUEST, "email": other_supporter.email, "shift": shift.pk},
    )

    assert list(Rsvp.objects.values_list("supporter_id", flat=True)) == [supporter.pk]
    assert not PendingRsvp.objects.exists()


@pytest.mark.django_db
def test_a_walk_in_by_email_attaches_no_account_until_its_owner_confirms(
    persona, event, shift, host, django_capture_on_commit_callbacks
):
    _name, owner = persona
    email = owner.email if owner is not None else "walk-in@example.org"
    before = account_state(owner)
    supporters_before = Supporter.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(host).post(
            reverse("organizing:event_attendees", args=[event.pk]),
            {"shift": shift.pk, "name": "Typed Name", "email": email, "phone": ""},
        )

    assert response.status_code == 302
    assert account_state(owner) == before
    assert Supporter.objects.count() == supporters_before
    assert not Rsvp.objects.exists()
    assert [m.to for m in mail.outbox] == [[email]]

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(confirm_path(mail.outbox[0]))

    record = Rsvp.objects.get()
    assert record.supporter.email == email and record.is_walk_in and record.attended
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 0
    assert (
        not ConsentRecord.objects.filter(supporter=record.supporter).exclude(audience=CAMPAIGN_NEWS).exists()
    )


@pytest.mark.django_db
def test_pending_requests_are_exported_and_erased_with_the_account(supporter, event, shift):
    from quartier.accounts import actions as account_actions
    from quartier.accounts.privacy import export_personal_data

    Client().post(
        reverse("organizing:event_rsvp", args=[event.pk]),
        {**GUEST, "email": supporter.email, "shift": shift.pk},
    )

    exported = export_personal_data(supporter)["pending_rsvps"]
    assert [row["email"] for row in exported] == [supporter.email]
    assert "token_hash" not in exported[0]
    account_actions.delete_account(supporter=supporter)
    assert not PendingRsvp.objects.exists()


@pytest.mark.django_db
def test_a_guest_account_made_on_confirmation_is_not_verified_or_signed_in(
    event, shift, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("organizing:event_rsvp", args=[event.pk]), {**GUEST, "shift": shift.pk})
    client = Client()
    client.post(confirm_path(mail.outbox[0]))

    guest = Supporter.objects.get(email="new-person@example.org")
    assert not guest.has_usable_password() and guest.email_verified_at is None
    assert "_auth_user_id" not in client.session
    assert timedelta(days=7) == guest_rsvps_actions.RSVP_REQUEST_MAX_AGE


@pytest.mark.django_db
def test_the_form_cannot_flood_an_address_with_confirm_requests(
    supporter, event, shift, django_capture_on_commit_callbacks
):
    for _attempt in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                reverse("organizing:event_rsvp", args=[event.pk]),
                {**GUEST, "email": supporter.email, "shift": shift.pk},
            )
        assert response["Location"] == reverse("organizing:rsvp_requested")

    assert PendingRsvp.objects.count() == 3
    assert len(mail.outbox) == 3
