"""A guest account (made when its owner confirmed a guest RSVP) never blocks that person's sign-up."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.organizing.actions import guest_rsvps as guest_rsvps_actions
from quartier.organizing.models import Rsvp

SIGNUP = {
    "email": "gaby@example.org", "display_name": "Gaby Real", "country": "CA", "postal_code": "H2X 1Y4",
    "password1": "a long enough passphrase", "password2": "a long enough passphrase",
}  # fmt: skip


@pytest.fixture
def guest(db) -> Supporter:
    return guest_rsvps_actions.guest_supporter(
        guest=guest_rsvps_actions.Guest(name="Gaby Guest", email="gaby@example.org", country="CA", postal_code="H2X 1Y4",
                            language="en"),
        news_consent=False, consent_wording="No", ip_address=None,
    )  # fmt: skip


@pytest.mark.django_db
def test_signing_up_with_a_guest_address_sends_a_link_and_changes_nothing_yet(guest, make_event, host):
    Rsvp.objects.create(shift=make_event(host).shifts.get(), supporter=guest, status=Rsvp.Status.CONFIRMED)
    client = Client()

    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert "_auth_user_id" not in client.session  # nobody is signed in on a typed address
    assert Supporter.objects.filter(email__iexact="gaby@example.org").count() == 1
    guest.refresh_from_db()
    assert not guest.has_usable_password() and guest.email_verified_at is None
    assert [m.to for m in mail.outbox] == [["gaby@example.org"]]


@pytest.mark.django_db
def test_the_owner_claims_the_guest_account_from_the_link_with_its_rsvps(guest, make_event, host):
    record = Rsvp.objects.create(shift=make_event(host).shifts.get(), supporter=guest, status="confirmed")
    client = Client()
    client.post(reverse("account_signup"), SIGNUP)
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link

    client.post(action, {"password1": "my own passphrase 42", "password2": "my own passphrase 42"})

    guest.refresh_from_db()
    assert guest.check_password("my own passphrase 42")
    assert guest.is_verified
    assert EmailAddress.objects.get(user=guest).verified
    assert Rsvp.objects.get(pk=record.pk).supporter == guest
    assert Client().login(email="gaby@example.org", password="my own passphrase 42")


@pytest.mark.django_db
def test_signing_up_with_a_real_accounts_address_is_still_refused(supporter):
    response = Client().post(reverse("account_signup"), {**SIGNUP, "email": supporter.email})

    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert len(mail.outbox) == 0
