from __future__ import annotations

import pytest
from django.utils import translation

from quartier.lib.zones import is_time_zone, zone_city, zone_label


@pytest.mark.parametrize(
    ("zone", "city"),
    [
        ("America/Toronto", "Toronto"),
        ("America/St_Johns", "St. John's"),
        ("America/Los_Angeles", "Los Angeles"),
        ("Europe/Paris", "Paris"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("UTC", "UTC"),
    ],
)
def test_a_zone_is_named_after_its_city(zone, city):
    with translation.override("en"):
        assert zone_city(zone) == city


@pytest.mark.parametrize(
    ("zone", "english", "french"),
    [
        ("America/Toronto", "Toronto time", "heure de Toronto"),
        ("America/Montreal", "Montreal time", "heure de Montréal"),
        ("America/Edmonton", "Edmonton time", "heure d’Edmonton"),
        ("America/Halifax", "Halifax time", "heure d’Halifax"),
        ("Europe/Brussels", "Brussels time", "heure de Bruxelles"),
    ],
)
def test_a_zone_label_reads_naturally_in_english_and_french(zone, english, french):
    with translation.override("en"):
        assert zone_label(zone) == english
    with translation.override("fr"):
        assert zone_label(zone) == french


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("America/Toronto", True),
        ("Europe/Paris", True),
        ("../../etc/passwd", False),
        ("", False),
        (None, False),
    ],
)
def test_only_real_zones_are_accepted_from_a_browser(name, known):
    assert is_time_zone(name) is known
