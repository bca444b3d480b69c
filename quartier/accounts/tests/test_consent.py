"""The one writer of consent: a decision and its evidence together, even when two first decisions race."""

from __future__ import annotations

import pytest
from django.db import connection

from quartier.accounts import actions
from quartier.accounts.models import Consent, ConsentRecord

pytestmark = pytest.mark.django_db


def decide(supporter, granted: bool, wording: str) -> ConsentRecord:
    return actions.record_consent(
        supporter=supporter, audience="group:7", granted=granted, wording=wording, language="en",
        source=ConsentRecord.Source.JOIN, ip_address="192.0.2.8",
    )  # fmt: skip


def test_a_first_decision_written_by_someone_else_meanwhile_is_followed_not_an_error(supporter):
    """Between this call finding no current row and creating one, another request creates it."""
    other: list[ConsentRecord] = []
    started = []

    def the_other_request_first(execute, sql, params, many, context):
        answer = execute(sql, params, many, context)
        if not started and sql.lstrip().upper().startswith("SELECT") and "accounts_consent" in sql:
            started.append(True)
            other.append(decide(supporter, True, "the other request"))
        return answer

    with connection.execute_wrapper(the_other_request_first):
        mine = decide(supporter, False, "this request")

    assert [r.wording for r in ConsentRecord.objects.filter(audience="group:7").order_by("pk")] == [
        "the other request",
        "this request",
    ]
    current = Consent.objects.get(supporter=supporter, audience="group:7")
    assert (current.granted, current.record) == (False, mine)
    assert other[0].pk != mine.pk


def test_a_malformed_audience_writes_nothing(supporter):
    before = (ConsentRecord.objects.count(), Consent.objects.count())
    with pytest.raises(ValueError, match="audience"):
        actions.record_consent(
            supporter=supporter, audience="Group 7", granted=True, wording="x", language="en",
            source=ConsentRecord.Source.JOIN, ip_address=None,
        )  # fmt: skip
    assert (ConsentRecord.objects.count(), Consent.objects.count()) == before
