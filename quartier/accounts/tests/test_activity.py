"""The activity journal records each action once, whoever calls it how often, and takes no floats."""

from __future__ import annotations

import pytest
from django.db import transaction

from quartier.accounts.activity import record_activity, region_of
from quartier.accounts.models import Activity
from quartier.testing import run_together


@pytest.mark.django_db
def test_an_action_is_recorded_once_per_kind_and_key(supporter, other_supporter):
    for _ in range(3):
        record_activity("organizing.rsvp", supporter=supporter, key="rsvp:1", group_id=7)
    record_activity("organizing.rsvp_cancelled", supporter=supporter, key="rsvp:1", count=-1)
    record_activity("donations.gift", supporter=other_supporter, key="donation:1", amount=2500,
                    currency="cad", credited_to=supporter, detail={"refcode": "spring"})  # fmt: skip

    rows = list(
        Activity.objects.exclude(kind="accounts.signup")  # the fixtures' own sign-ups
        .order_by("pk")
        .values_list("kind", "key", "count", "amount", "currency")
    )
    assert rows == [
        ("organizing.rsvp", "rsvp:1", 1, 0, ""),
        ("organizing.rsvp_cancelled", "rsvp:1", -1, 0, ""),
        ("donations.gift", "donation:1", 1, 2500, "CAD"),
    ]
    gift = Activity.objects.get(kind="donations.gift")
    assert (gift.credited_to, gift.detail, gift.region) == (supporter, {"refcode": "spring"}, "CA:M5V")


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"kind": "nodot", "key": "k"}, ValueError),
        ({"kind": "a." + "x" * 40, "key": "k"}, ValueError),
        ({"kind": "a.b", "key": ""}, ValueError),
        ({"kind": "a.b", "key": "k" * 121}, ValueError),
        ({"kind": "a.b", "key": "k", "amount": 12.5}, TypeError),
    ],
)
@pytest.mark.django_db
def test_bad_arguments_are_refused_and_nothing_is_recorded(arguments, error):
    kind = arguments.pop("kind")
    with pytest.raises(error):
        record_activity(kind, supporter=None, **arguments)
    assert Activity.objects.count() == 0


def test_the_region_is_the_country_and_the_postal_prefix():
    class Person:
        country = "CA"
        postal_code = "h2x 1y4"

    class Parisian:
        country = "FR"
        postal_code = "75011"

    class Unplaced:
        country = "US"
        postal_code = ""

    assert region_of(Person()) == "CA:H2X"
    assert region_of(Parisian()) == "FR:750"
    assert region_of(Unplaced()) == ""
    assert region_of(None) == ""


@pytest.mark.django_db(transaction=True)
def test_racing_writers_record_one_row(supporter):
    def record() -> str:
        with transaction.atomic():  # as a caller would: the journal row beside its own change
            record_activity("fieldwork.call", supporter=supporter, key="call:1")
            return "recorded"

    assert run_together([record] * 8) == ["recorded"] * 8
    assert Activity.objects.filter(kind="fieldwork.call", key="call:1").count() == 1
