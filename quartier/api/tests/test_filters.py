from __future__ import annotations

import pytest
from django.db.models import Q
from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.api.osdi.filters import FilterError, FilterField, parse_filter

FIELDS = {
    "modified_date": FilterField("updated_at", "datetime"),
    "email_address": FilterField("email", "email"),
    "postal_code": FilterField("postal_code", "text"),
}


def test_and_binds_tighter_than_or():
    parsed = parse_filter("postal_code eq 'A' or postal_code eq 'B' and email_address eq 'x@y.z'", FIELDS)
    assert parsed == Q(postal_code__iexact="A") | (Q(postal_code__iexact="B") & Q(email__iexact="x@y.z"))


def test_parentheses_group_and_quotes_escape():
    parsed = parse_filter(
        "(postal_code eq 'O''Neil' or postal_code eq 'B') and modified_date ge 2026-01-31", FIELDS
    )
    assert "O'Neil" in str(parsed)
    assert "gte" in str(parsed)


def test_ne_negates_and_dates_get_a_time_zone():
    parsed = parse_filter("modified_date lt '2026-01-31T12:00:00' and email_address ne 'A@B.C'", FIELDS)
    (date_lookup, moment), negated = parsed.children
    assert date_lookup == "updated_at__lt"
    assert moment.tzinfo is not None
    assert negated.negated


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_filter_keeps_everything(text):
    assert parse_filter(text, FIELDS) == Q()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=120) | st.lists(st.sampled_from(
    ["(", ")", "and", "or", "eq", "ne", "gt", "modified_date", "postal_code", "'x'", "'", "2026-01-01", " "]
), max_size=25).map(" ".join))  # fmt: skip
def test_no_text_breaks_the_parser_with_anything_but_a_reasoned_filter_error(text):
    try:
        parse_filter(text, FIELDS)
    except FilterError as error:
        assert str(error)
