"""The fields of a form nobody has filled in are rendered once per process and language (`unbound_fields`)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quartier.accounts.templatetags import fields
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept():
    fields._kept.clear()  # other tests in this process may have rendered the same forms


def rsvp_form_of(page: str) -> str:
    """The RSVP form's HTML, its CSRF token left out (one per visitor)."""
    form = re.search(r'<form method="post" action="/events/\d+/rsvp/".*?</form>', page, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", form)


def field_templates(response) -> list[str]:
    return [template.name for template in response.templates if template.name == "accounts/_field.html"]


def test_the_rsvp_form_fields_are_rendered_once_then_reused_in_each_language(
    make_event, host, supporter, other_supporter, make_supporter
):
    path = make_event(host).get_absolute_url()
    french = make_supporter("Chloé Francophone", language="fr")

    first = client_for(supporter).get(path)
    again = client_for(other_supporter).get(path)
    in_french = client_for(french).get(path)

    assert len(field_templates(first)) == 4  # guests, phone, shares contact, accepts messages
    assert field_templates(again) == []
    assert rsvp_form_of(again.content.decode()) == rsvp_form_of(first.content.decode())
    assert "Téléphone (facultatif)" in in_french.content.decode()
    assert "Phone (optional)" not in in_french.content.decode()


def test_a_form_sent_back_with_errors_shows_its_own_errors_and_values(make_event, host):
    event = make_event(host, max_guests_per_rsvp=0)
    shift = event.shifts.get()
    guest = {"name": "Léa Invitée", "email": "not-an-address", "country": "CA", "postal_code": "H2T 1A1",
             "shift": shift.pk}  # fmt: skip
    client = client_for(None)
    client.get(event.get_absolute_url())  # the empty form is kept

    refused = client.post(reverse("organizing:event_rsvp", args=[event.pk]), guest)
    page = refused.content.decode()

    assert refused.status_code == 400
    assert 'value="not-an-address"' in page
    assert 'value="Léa Invitée"' in page
    assert "has-error" in page
    assert shift.rsvps.count() == 0
