from __future__ import annotations

import pytest

from quartier.lib.places import bundled_towns, index_towns, town_key


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("ST ÉTIENNE", "saint etienne"),
        ("L'Île-Saint-Denis", "l ile saint denis"),
        ("Paris 13", "paris"),
        ("Montreal (Plateau Mont-Royal)", "montreal"),
        ("Trois-Rivières", "trois rivieres"),
    ],
)
def test_town_names_compare_without_accents_case_punctuation_or_arrondissement(typed, key):
    assert town_key(typed) == key


def test_arrondissements_make_one_town_and_the_larger_of_two_namesakes_wins():
    towns = index_towns(
        "FR",
        [("Paris 01", 48.86, 2.34, 1), ("Paris 13", 48.83, 2.36, 1), ("Paris", 48.0, -1.5, 1)],
    )

    assert towns["paris"].name == "Paris"
    assert towns["paris"].postal_codes == 2
    assert towns["paris"].latitude == pytest.approx(48.845)


def test_us_towns_come_from_every_zip_code():
    portland = bundled_towns("US")["portland"]

    assert portland.latitude == pytest.approx(45.52, abs=0.2)  # Oregon's, larger than Maine's
