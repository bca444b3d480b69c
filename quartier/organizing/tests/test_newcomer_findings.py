"""What a newcomer tripped over while trying the demo: each one fixed and kept fixed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartier.testing import client_for


@pytest.mark.django_db
def test_a_shift_choice_has_no_dangling_separator_before_its_places_left(make_event, host):
    event = make_event(host, shifts=2)

    page = Client().get(event.get_absolute_url()).content.decode()

    assert page.count("10 places left") == 2
    assert "· <span" not in page.split('class="rsvp-form"', 1)[1].split("</fieldset>", 1)[0]


@pytest.mark.django_db
def test_the_event_form_names_the_no_group_choice(host, group, leader):
    page = client_for(leader).get(reverse("organizing:event_create")).content.decode()

    assert '<option value="" selected>No group</option>' in page
    assert "---------" not in page
