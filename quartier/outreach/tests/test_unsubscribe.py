"""The unsubscribe page, reached from the link or the one-click button of a message."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from quartier.accounts import queries as accounts_queries
from quartier.accounts.models import Consent, ConsentRecord, Supporter
from quartier.outreach import queries
from quartier.outreach.access import UNSUBSCRIBE_SALT, unsubscribe_token
from quartier.outreach.tests.helpers import GROUP, GROUP_LABEL, consent, send
from quartier.testing import PERSONAS, client_for

pytestmark = pytest.mark.django_db


def url_for(supporter: Supporter, audience: str = GROUP) -> str:
    return reverse("outreach:unsubscribe", args=[unsubscribe_token(supporter, audience)])


def snapshot() -> dict[str, object]:
    return {
        "consent_records": list(ConsentRecord.objects.order_by("pk").values()),
        "consents": list(Consent.objects.order_by("pk").values()),
    }


@pytest.fixture
def member(make_supporter) -> Supporter:
    person = make_supporter("Léa Member")
    consent(person)
    send(None, [person])  # gives the audience its label
    return person


def test_opening_the_link_asks_for_confirmation_and_changes_nothing(member):
    before = snapshot()

    response = Client().get(url_for(member))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Stop receiving messages from {GROUP_LABEL}?" in page
    assert 'method="post"' in page and "noindex" in page
    assert member.email not in page
    assert snapshot() == before
    assert queries.has_consented(member, GROUP)


def test_a_head_request_changes_nothing(member):
    before = snapshot()

    assert Client().head(url_for(member)).status_code == 200
    assert snapshot() == before


def test_the_one_click_post_of_a_mail_program_unsubscribes_without_a_csrf_token(member):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        url_for(member), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="198.51.100.9",
    )  # fmt: skip

    assert response.status_code == 200
    assert f"You will no longer receive messages from {GROUP_LABEL}." in response.content.decode()
    assert reverse("accounts:settings_email") in response.content.decode()
    assert not queries.has_consented(member, GROUP)
    latest = (
        ConsentRecord.objects.filter(supporter=member, audience=GROUP).order_by("-created_at", "-id").first()
    )
    assert (latest.audience, latest.granted, latest.source, latest.ip_address) == (
        GROUP,
        False,
        "unsubscribe",
        "198.51.100.9",
    )
    assert latest.wording.startswith("List-Unsubscribe=One-Click")


def test_the_button_on_the_page_unsubscribes_and_records_what_it_said(member):
    response = Client(enforce_csrf_checks=True).post(url_for(member))

    assert response.status_code == 200
    latest = (
        ConsentRecord.objects.filter(supporter=member, audience=GROUP).order_by("-created_at", "-id").first()
    )
    assert (latest.granted, latest.source, latest.language) == (False, "unsubscribe", "en")
    assert latest.wording == f"Unsubscribe me from {GROUP_LABEL}"


def test_unsubscribing_twice_is_harmless_and_records_one_refusal(member):
    client = Client()

    first = client.post(url_for(member))
    second = client.post(url_for(member))

    assert first.status_code == second.status_code == 200
    assert ConsentRecord.objects.filter(supporter=member, audience=GROUP, granted=False).count() == 1


def test_unsubscribing_from_one_audience_leaves_the_others(member):
    consent(member, "event:34")

    Client().post(url_for(member))

    assert not queries.has_consented(member, GROUP)
    assert queries.has_consented(member, "event:34")


def test_joining_again_after_unsubscribing_brings_messages_back(member):
    Client().post(url_for(member))
    consent(member)

    assert queries.has_consented(member, GROUP)


def test_unsubscribing_from_campaign_news_records_it_where_the_email_preferences_read_it(member):
    consent(member, "campaign_news")

    response = Client().post(url_for(member, "campaign_news"))

    assert response.status_code == 200
    assert "You will no longer receive messages from News and calls to action from the campaign." in (
        response.content.decode()
    )
    latest = accounts_queries.current_consent(member, "campaign_news")
    assert (latest.audience, latest.granted, latest.record.source) == ("campaign_news", False, "unsubscribe")
    assert (
        latest.record == ConsentRecord.objects.filter(supporter=member).order_by("-created_at", "-id").first()
    )


def test_an_audience_with_no_message_left_still_has_a_page(make_supporter):
    person = make_supporter("Léa Member")
    consent(person, "event:34")

    response = Client().get(url_for(person, "event:34"))

    assert "Stop receiving messages from this event?" in response.content.decode()


def test_the_page_speaks_the_language_of_the_person_it_is_for(make_supporter):
    french = make_supporter("Zoé Gagnon", language="fr")

    assert '<html lang="fr">' in Client().get(url_for(french)).content.decode()
    chose_english = Client()
    chose_english.cookies["django_language"] = "en"
    assert '<html lang="en">' in chose_english.get(url_for(french)).content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "WzEsImdyb3VwOjEyIl0:1vN3Ab:forgedsignature",
        signing.dumps([1, GROUP], salt="another.salt"),
        signing.dumps([999_999, GROUP], salt=UNSUBSCRIBE_SALT),
        signing.dumps(["1", GROUP], salt=UNSUBSCRIBE_SALT),
        signing.dumps([1, "group 12; drop"], salt=UNSUBSCRIBE_SALT),
        signing.dumps({"supporter": 1}, salt=UNSUBSCRIBE_SALT),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_damaged_token_gives_a_404_and_changes_nothing(member, token, method):
    before = snapshot()

    response = getattr(Client(), method)(reverse("outreach:unsubscribe", args=[token]))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert snapshot() == before


def test_a_token_whose_signature_was_altered_gives_a_404(member):
    token = unsubscribe_token(member, GROUP)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert Client().post(reverse("outreach:unsubscribe", args=[forged])).status_code == 404
    assert queries.has_consented(member, GROUP)


def test_a_token_cannot_be_turned_to_another_supporter(member, other_supporter):
    consent(other_supporter)
    _payload, timestamp, signature = unsubscribe_token(member, GROUP).split(":")
    other_payload = unsubscribe_token(other_supporter, GROUP).split(":")[0]

    response = Client().post(
        reverse("outreach:unsubscribe", args=[f"{other_payload}:{timestamp}:{signature}"])
    )

    assert response.status_code == 404
    assert queries.has_consented(other_supporter, GROUP)


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_every_persona_sees_the_page_and_the_link_is_what_counts(request, make_supporter, persona_name):
    """Whoever is signed in (or no one), the token decides whom the page is about."""
    visitor = request.getfixturevalue(persona_name)
    target = make_supporter("Target Person")
    consent(target)
    if visitor is not None:
        consent(visitor)
    client = client_for(visitor)
    before = snapshot()

    opened = client.get(url_for(target))

    assert opened.status_code == 200
    assert snapshot() == before
    unsubscribed = client.post(url_for(target))
    assert unsubscribed.status_code == 200
    assert not queries.has_consented(target, GROUP)
    if visitor is not None:
        assert queries.has_consented(visitor, GROUP)


def test_the_link_of_a_deleted_account_changes_nothing_and_shows_nothing_personal(member):
    from quartier.accounts import actions as accounts_actions

    url = url_for(member)
    accounts_actions.delete_account(supporter=member)

    response = Client().post(url)

    assert response.status_code == 200
    assert not ConsentRecord.objects.filter(supporter=member).exists()
    assert not Consent.objects.filter(supporter=member).exists()
