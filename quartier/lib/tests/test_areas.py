"""Provinces, states and French regions from postal prefixes."""

from __future__ import annotations

import pytest
from django.utils import translation

from quartier.lib import areas


@pytest.mark.parametrize(
    ("country", "prefix", "area"),
    [
        ("CA", "H2X", "CA-QC"), ("CA", "G1R", "CA-QC"), ("CA", "M5V", "CA-ON"), ("CA", "V6B", "CA-BC"),
        ("CA", "X0A", "CA-NU"), ("CA", "X1A", "CA-NT"), ("CA", "D2X", ""),
        ("US", "100", "US-NY"), ("US", "606", "US-IL"), ("US", "900", "US-CA"), ("US", "750", "US-TX"),
        ("US", "200", "US-DC"), ("US", "006", "US-PR"), ("US", "000", ""),
        ("FR", "750", "FR-IDF"), ("FR", "690", "FR-ARA"), ("FR", "200", "FR-COR"), ("FR", "971", "FR-GP"),
        ("FR", "974", "FR-RE"), ("FR", "975", ""), ("FR", "330", "FR-NAQ"), ("FR", "", ""),
        ("DE", "101", ""),
    ],
)  # fmt: skip
def test_a_prefix_gives_its_area(country, prefix, area):
    assert areas.area_of(country, prefix) == area


def test_every_french_departement_is_in_exactly_one_region():
    listed = [d for departements in areas.FRENCH_DEPARTEMENTS.values() for d in departements.split()]
    metropolitan = [d for d in listed if len(d) == 2]
    assert len(listed) == len(set(listed))
    # 96 départements, Corsica's two sharing the postal prefix 20; five overseas.
    assert len(metropolitan) == 95 and len(listed) == 100
    assert set(areas.FRENCH_DEPARTEMENTS) == set(areas.FRANCE)


@pytest.mark.parametrize("area", ["CA-QC", "CA-NT", "CA-NU", "CA-ON", "US-NY", "US-WY", "FR-IDF", "FR-GP"])
def test_the_prefixes_of_an_area_lead_back_to_it(area):
    country = area[:2]
    prefixes = areas.prefixes_of(area)
    assert prefixes
    for prefix in prefixes:
        padded = prefix + "0" * (3 - len(prefix)) if country != "CA" else prefix + "1A"[: 3 - len(prefix)]
        assert areas.area_of(country, padded) == area, prefix


def test_every_area_has_a_name_in_both_languages():
    with translation.override("fr"):
        french = {key: str(name) for _country, choices in areas.area_choices() for key, name in choices}
    with translation.override("en"):
        english = {key: str(name) for _country, choices in areas.area_choices() for key, name in choices}
    assert (
        set(french)
        == set(english)
        == {f"{country}-{code}" for country, names in areas.AREAS.items() for code in names}
    )
    assert (english["CA-BC"], french["CA-BC"]) == ("British Columbia", "Colombie-Britannique")
    assert (english["US-NC"], french["US-NC"]) == ("North Carolina", "Caroline du Nord")
    assert (english["FR-BRE"], french["FR-BRE"]) == ("Brittany", "Bretagne")
    assert areas.area_name("US-GA") == "Georgia" and areas.area_name("XX-YY") == "XX-YY"
