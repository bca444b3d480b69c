"""The synthetic campaign's events carry their public point, as events created through actions do."""

from __future__ import annotations

import pytest

from quartier.demo.generator import generate_campaign
from quartier.lib.geo import approximate_point
from quartier.organizing.models import Event

pytestmark = pytest.mark.django_db


def test_the_synthetic_campaign_gives_every_event_its_public_point(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate_campaign(supporters=120, groups=4, events=40, batch_size=16)

    located = Event.objects.filter(latitude__isnull=False)
    assert located.filter(address_visibility=Event.AddressVisibility.ATTENDEES).exists()
    for event in located:
        exact = event.address_visibility == Event.AddressVisibility.PUBLIC
        expected = (
            (event.latitude, event.longitude) if exact else approximate_point(event.latitude, event.longitude)
        )
        assert (event.public_latitude, event.public_longitude) == expected
    assert not Event.objects.filter(latitude__isnull=True, public_latitude__isnull=False).exists()
