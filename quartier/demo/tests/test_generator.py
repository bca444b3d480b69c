"""The synthetic campaign generator (`quartier.demo.generator`) and the demo commands built on it."""

from __future__ import annotations

import io
import math
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.core.management import call_command
from django.utils import timezone

from quartier.accounts.forms import SPOKEN_LANGUAGES
from quartier.accounts.models import (
    CAMPAIGN_NEWS,
    AffiliationChange,
    Cause,
    Consent,
    ConsentRecord,
    Profile,
    Supporter,
)
from quartier.dashboard.models import RegionFigure
from quartier.demo.demo_people import DEMO_ACCOUNTS, DEMO_TOTP_SECRET, ORGANISER_EMAIL
from quartier.demo.generator import BIOS, CAUSES, WHY_INVOLVED, consent_wordings, generate_campaign
from quartier.fieldwork.models import Result
from quartier.lib.ids import is_valid_handle
from quartier.lib.places import find_place, is_valid_postal_code
from quartier.lib.text import render_markdown

pytestmark = pytest.mark.django_db

SUPPORTERS = 200


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign():
    return generate_campaign(supporters=SUPPORTERS, batch_size=64)  # several batches, one partial


def distance_km(latitude_a: float, longitude_a: float, latitude_b: float, longitude_b: float) -> float:
    a = (
        math.sin(math.radians(latitude_b - latitude_a) / 2) ** 2
        + math.cos(math.radians(latitude_a))
        * math.cos(math.radians(latitude_b))
        * math.sin(math.radians(longitude_b - longitude_a) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(a))


def test_it_adds_each_supporter_with_a_profile_an_email_address_and_a_consent(campaign):
    assert Supporter.objects.count() == SUPPORTERS
    assert Profile.objects.count() == SUPPORTERS
    assert EmailAddress.objects.count() == SUPPORTERS
    assert ConsentRecord.objects.count() == SUPPORTERS
    assert Consent.objects.count() == SUPPORTERS
    assert Cause.objects.count() == len(CAUSES) == 10
    links = Profile.causes.through.objects.count()
    assert (campaign.supporters, campaign.profiles, campaign.email_addresses, campaign.email_consents) == (
        SUPPORTERS,
        SUPPORTERS,
        SUPPORTERS,
        SUPPORTERS,
    )
    assert campaign.profile_causes == links
    assert campaign.causes_created == 10
    assert campaign.rows == 4 * SUPPORTERS + links + 10 + (
        campaign.groups + campaign.memberships + campaign.events + campaign.shifts + campaign.rsvps
    )
    assert campaign.seconds > 0


def test_it_places_every_supporter_at_a_real_postal_code(campaign):
    countries = set()
    for supporter in Supporter.objects.all():
        countries.add(supporter.country)
        assert is_valid_postal_code(supporter.country, supporter.postal_code), supporter.postal_code
        place = find_place(supporter.country, supporter.postal_code)
        assert place is not None
        assert supporter.town == place.town != ""
        assert distance_km(supporter.latitude, supporter.longitude, place.latitude, place.longitude) <= 2.01
        if supporter.country == "CA":
            assert len(supporter.postal_code) == 7 and supporter.postal_code[3] == " "
    assert countries == {"CA", "FR", "US"}


def test_it_writes_in_both_languages(campaign):
    languages = set(Supporter.objects.values_list("language", flat=True))
    assert languages == {"en", "fr"}
    wordings = consent_wordings()
    assert wordings["en"] != wordings["fr"]
    for profile in Profile.objects.select_related("supporter"):
        language = profile.supporter.language
        assert profile.bio in BIOS[language]
        assert profile.why_involved in WHY_INVOLVED[language]
        assert profile.languages_spoken[0] == language
        assert set(profile.languages_spoken) <= set(SPOKEN_LANGUAGES)
    for consent in ConsentRecord.objects.select_related("supporter"):
        assert consent.language == consent.supporter.language
        assert consent.wording == wordings[consent.language]
        assert consent.audience == CAMPAIGN_NEWS
        assert consent.source == ConsentRecord.Source.DEMO
    for current in Consent.objects.select_related("record"):
        assert (current.supporter_id, current.audience) == (
            current.record.supporter_id,
            current.record.audience,
        )
        assert current.granted is current.record.granted
    # French is the language of France and most of Québec.
    assert Supporter.objects.filter(country="FR", language="en").count() <= 8


def test_it_gives_unique_emails_and_valid_unique_handles(campaign):
    emails = list(Supporter.objects.values_list("email", flat=True))
    assert sorted(emails) == sorted(f"supporter-{n}@example.org" for n in range(1, SUPPORTERS + 1))
    handles = list(Supporter.objects.values_list("handle", flat=True))
    assert len(set(handles)) == SUPPORTERS
    assert all(is_valid_handle(handle) for handle in handles), [h for h in handles if not is_valid_handle(h)]
    assert all(supporter.display_name.strip() for supporter in Supporter.objects.all())


def test_email_addresses_agree_with_the_supporters_verification(campaign):
    verified = 0
    for address in EmailAddress.objects.select_related("user"):
        assert address.email == address.user.email
        assert address.primary is True
        assert address.verified is (address.user.email_verified_at is not None)
        verified += address.verified
    assert 0.8 * SUPPORTERS <= verified < SUPPORTERS
    granted = Consent.objects.filter(granted=True).count()
    assert 0.45 * SUPPORTERS <= granted <= 0.75 * SUPPORTERS


def test_profiles_hold_rendered_markdown_varied_visibility_and_up_to_three_causes(campaign):
    visibilities = set()
    for profile in Profile.objects.prefetch_related("causes"):
        assert profile.bio_html == render_markdown(profile.bio)
        assert profile.why_involved_html == render_markdown(profile.why_involved)
        assert 0 <= len(profile.causes.all()) <= 3
        visibilities.add(profile.bio_visibility)
    assert visibilities == {"public", "supporters", "private"}


def test_dates_are_aware_and_within_the_last_two_years(campaign):
    now = timezone.now()
    for supporter in Supporter.objects.all():
        assert timezone.is_aware(supporter.date_joined)
        assert now - timedelta(days=731) <= supporter.date_joined <= now
        if supporter.email_verified_at is not None:
            assert supporter.date_joined <= supporter.email_verified_at <= now


def test_a_second_run_appends_new_supporters(campaign):
    second = generate_campaign(supporters=SUPPORTERS)

    assert second.supporters == SUPPORTERS
    assert second.causes_created == 0
    assert Supporter.objects.count() == 2 * SUPPORTERS
    assert Profile.objects.count() == 2 * SUPPORTERS
    assert EmailAddress.objects.count() == 2 * SUPPORTERS
    assert ConsentRecord.objects.count() == Consent.objects.count() == 2 * SUPPORTERS
    assert Cause.objects.count() == 10
    emails = set(Supporter.objects.values_list("email", flat=True))
    assert emails == {f"supporter-{n}@example.org" for n in range(1, 2 * SUPPORTERS + 1)}
    assert Supporter.objects.values("handle").distinct().count() == 2 * SUPPORTERS


def test_it_goes_around_a_handle_someone_already_has(campaign):
    # The same seed and first number draw the same names: generate supporter 201, give its handle to a
    # real person instead, and generate supporter 201 again.
    generate_campaign(supporters=1)
    generated = Supporter.objects.get(email="supporter-201@example.org")
    generated.delete()
    Supporter.objects.create_user(
        "person@example.net", "x" * 12, display_name="Person", handle=generated.handle
    )

    generate_campaign(supporters=1)

    regenerated = Supporter.objects.get(email="supporter-201@example.org")
    assert regenerated.display_name == generated.display_name
    assert regenerated.handle != generated.handle
    assert is_valid_handle(regenerated.handle)
    assert Supporter.objects.get(email="person@example.net").handle == generated.handle


def test_the_generated_profiles_answer_on_the_profile_page(campaign, client):
    supporter = Supporter.objects.filter(
        email_verified_at__isnull=False, profile__bio_visibility="public"
    ).first()

    response = client.get(f"/people/{supporter.handle}/")

    assert response.status_code == 200
    assert supporter.profile.bio_html in response.content.decode()


def test_load_demo_twice_creates_the_demo_accounts_once():
    first_output, second_output = StringIO(), StringIO()

    call_command("load_demo", "--supporters", "50", stdout=first_output)
    call_command("load_demo", "--supporters", "50", stdout=second_output)

    for account in DEMO_ACCOUNTS:
        assert Supporter.objects.filter(email=account.email).count() == 1, account.email
        assert EmailAddress.objects.filter(email=account.email, verified=True, primary=True).count() == 1
        assert (
            ConsentRecord.objects.filter(supporter__email=account.email, audience=CAMPAIGN_NEWS).count() == 1
        )
    assert len(DEMO_ACCOUNTS) == 6
    assert Supporter.objects.count() == 6 + 50
    assert Supporter.objects.filter(email__endswith="@example.org").count() == 50
    assert Profile.objects.count() == 56
    organiser = Supporter.objects.get(email=ORGANISER_EMAIL)
    assert organiser.is_staff and organiser.affiliation == "staff" and organiser.is_verified
    assert Authenticator.objects.filter(user=organiser, type=Authenticator.Type.TOTP).count() == 1
    assert Authenticator.objects.filter(user=organiser, type=Authenticator.Type.RECOVERY_CODES).count() == 1
    assert Authenticator.objects.count() == 2
    assert Supporter.objects.get(email="alex@demo.quartier.test").affiliation == "ambassador"
    assert Supporter.objects.get(email="jordan@demo.quartier.test").affiliation == "paid"
    assert AffiliationChange.objects.count() == 3
    assert Supporter.objects.get(email="marie@demo.quartier.test").town == "Montréal"
    assert Supporter.objects.get(email="sam@demo.quartier.test").town == "Toronto"
    assert Supporter.objects.get(email="lea@demo.quartier.test").town == "Paris"
    # The fieldwork demo has past doors and calls, counted by the dashboards, once.
    results = Result.objects.count()
    assert results > 0 and Result.objects.filter(channel=Result.Channel.CALL).exists()
    assert (
        sum(
            RegionFigure.objects.filter(
                region="*", metric__in=["fieldwork.door", "fieldwork.call"]
            ).values_list("count", flat=True)
        )
        == results
    )
    assert "already loaded" not in first_output.getvalue()
    assert "already loaded" in second_output.getvalue()
    for output in (first_output.getvalue(), second_output.getvalue()):
        assert "http://127.0.0.1:" in output
        assert DEMO_TOTP_SECRET in output
        assert all(account.email in output for account in DEMO_ACCOUNTS)


def test_the_demo_accounts_can_sign_in_with_the_printed_password(client):
    call_command("load_demo", "--supporters", "0", stdout=StringIO())

    assert client.login(email="marie@demo.quartier.test", password="quartier-demo")
    response = client.get("/people/marie-tremblay/")
    assert response.status_code == 200
    assert "Infirmière" in response.content.decode()


def test_demo_code_prints_a_code_the_organiser_authenticator_accepts():
    call_command("load_demo", "--supporters", "0", stdout=StringIO())
    output = StringIO()

    call_command("demo_code", stdout=output, stderr=StringIO())

    code = output.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert validate_totp_code(DEMO_TOTP_SECRET, code)


def test_demo_code_explains_when_the_demo_is_not_loaded():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="load_demo"):
        call_command("demo_code", stdout=StringIO())


@pytest.mark.django_db
def test_the_demo_has_a_sent_campaign_email_with_figures_and_a_draft_ready_to_send():
    from quartier.outreach import queries as outreach_queries
    from quartier.outreach.actions import drafts as outreach_drafts
    from quartier.outreach.models import Message

    call_command("load_demo", "--supporters", "60", stdout=io.StringIO())
    call_command("load_demo", "--supporters", "60", stdout=io.StringIO())

    sent, draft = Message.objects.filter(
        status__in=["sent", "draft"], audience__in=["campaign_news", "local_events"]
    ).order_by("pk")
    assert Message.objects.filter(audience__in=["campaign_news", "local_events"]).count() == 2
    stats = outreach_queries.message_stats(sent)
    assert stats["sent"] == sent.recipient_count > 0
    assert 0 < stats["delivered"] <= stats["sent"]
    assert outreach_drafts.send_problems(draft) == []  # ready to send from /organize/email/
