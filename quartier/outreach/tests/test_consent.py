from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import CAMPAIGN_NEWS, Consent, ConsentRecord, Supporter
from quartier.outreach import queries
from quartier.outreach.tests.helpers import GROUP, consent

pytestmark = pytest.mark.django_db


def everyone():
    return Supporter.objects.all()


def test_it_records_every_choice_with_its_wording_and_the_latest_one_wins(supporter):
    consent(supporter)
    assert queries.has_consented(supporter, GROUP)

    consent(supporter, granted=False)
    assert not queries.has_consented(supporter, GROUP)

    consent(supporter)
    assert queries.has_consented(supporter, GROUP)
    records = list(
        ConsentRecord.objects.filter(supporter=supporter, audience=GROUP).order_by("created_at", "id")
    )
    assert [(r.granted, r.source, r.ip_address) for r in records] == [
        (True, "join", "192.0.2.7"),
        (False, "join", "192.0.2.7"),
        (True, "join", "192.0.2.7"),
    ]
    assert records[0].wording == "Yes, the group's leaders may email me."
    current = Consent.objects.get(supporter=supporter, audience=GROUP)
    assert (current.granted, current.record) == (True, records[-1])


def test_the_latest_choice_wins_even_when_two_have_the_same_time(supporter):
    first = consent(supporter)
    second = consent(supporter, granted=False)
    ConsentRecord.objects.filter(pk=second.pk).update(created_at=first.created_at)

    assert Consent.objects.get(supporter=supporter, audience=GROUP).record == second
    assert not queries.has_consented(supporter, GROUP)
    assert list(queries.consenting(everyone(), GROUP)) == []


def test_consent_to_one_audience_says_nothing_about_another(supporter):
    consent(supporter, "group:1")

    assert queries.has_consented(supporter, "group:1")
    assert not queries.has_consented(supporter, "group:11")
    assert not queries.has_consented(supporter, "event:1")
    assert list(queries.consenting(everyone(), "group:11")) == []


def test_consenting_keeps_only_verified_active_people_whose_latest_choice_is_yes(
    supporter, other_supporter, unverified, staff, make_supporter
):
    never_asked = make_supporter("Never Asked")
    changed_mind = make_supporter("Changed Mind")
    deactivated = make_supporter("Deactivated")
    for person in (supporter, other_supporter, unverified, changed_mind, deactivated):
        consent(person)
    consent(changed_mind, granted=False)
    Supporter.objects.filter(pk=deactivated.pk).update(is_active=False)

    result = queries.consenting(everyone(), GROUP)

    assert set(result) == {supporter, other_supporter}
    assert never_asked not in result and staff not in result


def test_consenting_only_narrows_the_recipients_it_is_given(supporter, other_supporter):
    consent(supporter)
    consent(other_supporter)

    result = queries.consenting(Supporter.objects.filter(pk=other_supporter.pk), GROUP)

    assert list(result) == [other_supporter]


def test_campaign_news_consent_is_one_more_audience_of_the_one_model(supporter):
    # Sign-up recorded a "no" to campaign news (see `make_supporter`).
    assert not queries.has_consented(supporter, "campaign_news")

    returned = accounts_actions.record_consent(
        supporter=supporter,
        audience="campaign_news",
        granted=True,
        wording="Yes, email me news.",
        language="fr",
        source="settings",
        ip_address=None,
    )

    latest = ConsentRecord.objects.filter(supporter=supporter).order_by("-created_at", "-id").first()
    assert (latest.audience, latest.granted, latest.wording, latest.language, latest.source) == (
        "campaign_news",
        True,
        "Yes, email me news.",
        "fr",
        "settings",
    )
    assert returned == latest
    assert Consent.objects.get(supporter=supporter, audience=CAMPAIGN_NEWS).record == latest
    assert queries.has_consented(supporter, "campaign_news")
    assert list(queries.consenting(Supporter.objects.all(), "campaign_news")) == [supporter]


def test_a_choice_made_on_the_email_preferences_page_counts_for_campaign_news(supporter):
    accounts_actions.record_consent(
        supporter=supporter,
        audience=CAMPAIGN_NEWS,
        granted=True,
        wording="Yes",
        language="en",
        source=ConsentRecord.Source.SETTINGS,
        ip_address=None,
    )

    assert queries.has_consented(supporter, "campaign_news")
    assert list(queries.consenting(Supporter.objects.all(), "campaign_news")) == [supporter]


def test_the_database_holds_one_decision_per_person_and_audience(supporter):
    record = consent(supporter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(supporter=supporter, audience=GROUP, granted=False, record=record)
    assert Consent.objects.filter(supporter=supporter, audience=GROUP).count() == 1


def test_the_decision_and_its_evidence_are_written_together_or_not_at_all(supporter):
    consent(supporter)
    with pytest.raises(RuntimeError), transaction.atomic():
        consent(supporter, granted=False)
        raise RuntimeError("the request failed after the choice")

    assert queries.has_consented(supporter, GROUP)
    assert ConsentRecord.objects.filter(supporter=supporter, audience=GROUP).count() == 1


def test_the_decision_in_force_is_always_the_latest_record(supporter, other_supporter):
    for person, choices in ((supporter, [True, False, True, False]), (other_supporter, [False, True])):
        for granted in choices:
            consent(person, granted=granted)
    for current in Consent.objects.all():
        latest = ConsentRecord.objects.filter(supporter=current.supporter, audience=current.audience).first()
        assert (current.granted, current.record_id) == (latest.granted, latest.pk)
    assert list(queries.consenting(everyone(), GROUP)) == [other_supporter]


@pytest.mark.parametrize("audience", ["", "Group:1", "group: 1", "group:1;drop", "group:-1", "x" * 65])
def test_a_malformed_audience_is_refused_loudly(supporter, audience):
    with pytest.raises(ValueError, match="audience"):
        consent(supporter, audience)
    with pytest.raises(ValueError, match="audience"):
        queries.consenting(Supporter.objects.all(), audience)
    assert not ConsentRecord.objects.filter(supporter=supporter).exclude(audience=CAMPAIGN_NEWS).exists()
    assert not Consent.objects.filter(supporter=supporter).exclude(audience=CAMPAIGN_NEWS).exists()
