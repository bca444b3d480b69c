from __future__ import annotations

import pytest

from quartier.lib.places import bundled_places, find_place, is_valid_postal_code, normalise_postal_code


@pytest.mark.parametrize(
    ("country", "code", "valid"),
    [("CA", "H2X 1Y4", True), ("CA", "h2x1y4", True), ("CA", "D2X 1Y4", False), ("CA", "H2X", False),
     ("FR", "75011", True), ("FR", "7501", False), ("US", "10001", True), ("US", "10001-1234", True),
     ("US", "1000", False), ("BE", "1000", True), ("BE", "<script>", False)],
)  # fmt: skip
def test_it_checks_postal_code_formats_per_country(country, code, valid):
    assert is_valid_postal_code(country, code) is valid


def test_it_normalises_canadian_codes():
    assert normalise_postal_code("CA", " h2x1y4 ") == "H2X 1Y4"


def test_it_finds_towns_offline():
    assert find_place("CA", "H2X 1Y4").town == "Montréal"
    assert find_place("FR", "75011").town == "Paris"
    new_york = find_place("US", "10001")
    assert new_york.town == "New York"
    assert new_york.latitude == pytest.approx(40.75, abs=0.01)


def test_it_falls_back_to_the_province_for_unlisted_canadian_codes():
    place = find_place("CA", "T2P 1J9")
    assert place.town == "Alberta"
    assert place.latitude is None


def test_it_returns_nothing_for_unknown_or_invalid_codes():
    assert find_place("US", "00000") is None
    assert find_place("FR", "99999") is None
    assert find_place("CA", "nope") is None


def test_every_bundled_place_is_valid_and_located():
    for place in bundled_places():
        full = f"{place.postal_code} 1A1" if place.country == "CA" else place.postal_code
        assert is_valid_postal_code(place.country, full), place
        assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180
