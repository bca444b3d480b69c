from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartier.lib.money import InvalidAmount, format_money, parse_amount


@pytest.mark.parametrize(
    ("text", "minor"),
    [("25", 2500), ("25.5", 2550), ("25.50", 2550), ("25,50", 2550), ("1,000", 100_000), ("1 000,50", 100_050),
     ("$25", 2500), ("25 €", 2500), ("0.01", 1), ("3500", 350_000)],
)  # fmt: skip
def test_it_reads_amounts_as_people_type_them(text, minor):
    assert parse_amount(text) == minor


@pytest.mark.parametrize(
    "text", ["", "-5", "+5", "1e3", "abc", "25.555", "nan", "inf", "25..5", "0x10", None, "٣"]
)
def test_it_refuses_what_is_not_an_amount(text):
    with pytest.raises(InvalidAmount):
        parse_amount(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_formatting_then_parsing_gives_the_same_minor_units(minor):
    assert parse_amount(format_money(minor, "USD").replace("$", "")) == minor
    assert parse_amount(format_money(minor, "EUR", "fr").replace("\u00a0€", "")) == minor


def test_it_shows_money_in_the_readers_language():
    assert format_money(2500, "USD") == "$25"
    assert format_money(2550, "CAD") == "$25.50"
    assert format_money(125_000, "EUR", "fr") == "1\u202f250\u00a0€"
    assert format_money(-1050, "CAD", "fr") == "-10,50\u00a0$"
