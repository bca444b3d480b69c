"""The password-reset form answers the same for every address: it never tells who has an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def without_nonces(response) -> str:
    """The page as a person reads it: the per-response CSP nonces and CSRF tokens left out."""
    return re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode())


def ask_for_reset(email: str):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": email})
    follow = client.get(response["Location"]) if response.status_code == 302 else response
    return response, follow


def test_a_known_and_an_unknown_address_get_the_same_answer(supporter):
    known, known_page = ask_for_reset(supporter.email)
    unknown, unknown_page = ask_for_reset("nobody-here@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_nonces(known_page) == without_nonces(unknown_page)


def test_only_the_known_address_gets_a_reset_link(supporter):
    ask_for_reset(supporter.email)
    ask_for_reset("nobody-here@example.org")

    assert [message.to for message in mail.outbox] == [[supporter.email], ["nobody-here@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body
    assert "we do not have any record of such an account" in mail.outbox[1].body


def test_an_unknown_address_in_another_case_is_treated_like_any_unknown_address(supporter):
    response, _page = ask_for_reset("NOBODY-HERE@EXAMPLE.ORG")

    assert response.status_code == 302 and response["Location"] == reverse("account_reset_password_done")
