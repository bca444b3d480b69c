from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import EmailConsent, Supporter
from quartier.outreach import queries
from quartier.outreach.actions import consent as consent_actions
from quartier.outreach.models import AudienceConsent
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
    records = list(AudienceConsent.objects.filter(supporter=supporter).order_by("created_at", "id"))
    assert [(r.granted, r.source, r.ip_address) for r in records] == [
        (True, "join", "192.0.2.7"),
        (False, "join", "192.0.2.7"),
        (True, "join", "192.0.2.7"),
    ]
    assert records[0].wording == "Yes, the group's leaders may email me."


def test_the_latest_choice_wins_even_when_two_have_the_same_time(supporter):
    first = consent(supporter)
    second = consent(supporter, granted=False)
    AudienceConsent.objects.filter(pk=second.pk).update(created_at=first.created_at)

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


def test_campaign_news_consent_is_the_accounts_email_consent(supporter):
    # Sign-up recorded a "no" to campaign news (see `make_supporter`).
    assert not queries.has_consented(supporter, "campaign_news")

    returned = consent_actions.record_consent(
        supporter=supporter,
        audience="campaign_news",
        granted=True,
        wording="Yes, email me news.",
        language="fr",
        source="settings",
        ip_address=None,
    )

    assert not AudienceConsent.objects.exists()
    latest = EmailConsent.objects.filter(supporter=supporter).order_by("-created_at", "-id").first()
    assert (latest.topic, latest.granted, latest.wording, latest.language, latest.source) == (
        "campaign_news",
        True,
        "Yes, email me news.",
        "fr",
        "settings",
    )
    assert returned.pk is None and returned.granted and returned.created_at == latest.created_at
    assert queries.has_consented(supporter, "campaign_news")
    assert list(queries.consenting(Supporter.objects.all(), "campaign_news")) == [supporter]


def test_a_choice_made_on_the_email_preferences_page_counts_for_campaign_news(supporter):
    accounts_actions.record_email_consent(
        supporter=supporter,
        topic=EmailConsent.Topic.CAMPAIGN_NEWS,
        granted=True,
        wording="Yes",
        language="en",
        source=EmailConsent.Source.SETTINGS,
        ip_address=None,
    )

    assert queries.has_consented(supporter, "campaign_news")
    assert list(queries.consenting(Supporter.objects.all(), "campaign_news")) == [supporter]


def test_the_database_refuses_a_campaign_news_audience_consent(supporter):
    with pytest.raises(IntegrityError), transaction.atomic():
        AudienceConsent.objects.create(
            supporter=supporter,
            audience="campaign_news",
            granted=True,
            wording="x",
            language="en",
            source="join",
        )


@pytest.mark.parametrize("audience", ["", "Group:1", "group: 1", "group:1;drop", "group:-1", "x" * 65])
def test_a_malformed_audience_is_refused_loudly(supporter, audience):
    with pytest.raises(ValueError, match="audience"):
        consent(supporter, audience)
    with pytest.raises(ValueError, match="audience"):
        queries.consenting(Supporter.objects.all(), audience)
    assert not AudienceConsent.objects.exists()
