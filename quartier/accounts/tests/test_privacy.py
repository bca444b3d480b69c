from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from quartier.accounts import privacy
from quartier.accounts.models import Consent, ConsentRecord, Profile, Supporter
from quartier.testing import PASSWORD, reauthenticate


def signed_in(supporter: Supporter) -> Client:
    client = Client()
    client.post(reverse("account_login"), {"login": supporter.email, "password": PASSWORD})
    return client


def recently_signed_in(supporter: Supporter) -> Client:
    client = signed_in(supporter)
    reauthenticate(client)
    return client


def test_every_model_that_points_at_a_supporter_is_a_personal_data_source():
    covered = {model for source in privacy.sources() for model in source.models}
    supporter_model = apps.get_model("accounts", "Supporter")
    pointing = {
        model
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey | models.OneToOneField)
        and field.related_model is supporter_model
    }

    assert pointing - covered == set()


@pytest.mark.django_db
def test_the_export_contains_every_source(supporter):
    response = signed_in(supporter).get(reverse("accounts:export_data"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.json()
    assert set(data["data"]) == {source.name for source in privacy.sources()}
    assert data["data"]["account"]["postal_code"] == "H2X 1Y4"
    assert "password" not in data["data"]["account"]
    assert data["data"]["email_addresses"][0]["email"] == supporter.email
    consents = data["data"]["email_consents"]
    assert [(r["audience"], r["granted"], r["wording"]) for r in consents["history"]] == [
        ("campaign_news", False, "No thanks")
    ]
    assert consents["current"] == [
        {"audience": "campaign_news", "granted": False, "record_id": consents["history"][0]["id"]}
    ]


@pytest.mark.django_db
def test_deleting_an_account_erases_personal_data_and_keeps_an_empty_row(supporter, other_supporter):
    client = recently_signed_in(supporter)

    response = client.post(reverse("accounts:delete_account"), {"confirmation": "DELETE"})

    assert response.status_code == 200
    assert "Your account is deleted" in response.content.decode()
    row = Supporter.objects.get(pk=supporter.pk)
    assert row.display_name == "" and row.postal_code == "" and row.town == ""
    assert row.email.endswith("@deleted.invalid")
    assert not row.is_active and not row.has_usable_password()
    assert not Profile.objects.filter(supporter=supporter).exists()
    assert not EmailAddress.objects.filter(user=supporter).exists()
    assert not ConsentRecord.objects.filter(supporter=supporter).exists()
    assert not Consent.objects.filter(supporter=supporter).exists()
    assert "_auth_user_id" not in client.session
    # The other supporter is untouched.
    assert Supporter.objects.get(pk=other_supporter.pk).is_active
    assert Profile.objects.filter(supporter=other_supporter).exists()
    # The old email can sign up again.
    assert not Supporter.objects.filter(email=supporter.email).exists()


@pytest.mark.django_db
def test_deleting_needs_the_typed_confirmation(supporter):
    client = recently_signed_in(supporter)

    response = client.post(reverse("accounts:delete_account"), {"confirmation": "yes"})

    assert response.status_code == 400
    assert "Type DELETE to confirm" in response.content.decode()
    assert Supporter.objects.get(pk=supporter.pk).is_active


@pytest.mark.django_db
def test_deleting_asks_for_the_password_first_then_goes_ahead(supporter):
    client = signed_in(supporter)

    response = client.post(reverse("accounts:delete_account"), {"confirmation": "DELETE"})

    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]
    assert Supporter.objects.get(pk=supporter.pk).is_active
    wrong = client.post(response["Location"], {"password": "not my password"})
    assert wrong.status_code == 200
    assert Supporter.objects.get(pk=supporter.pk).is_active
    resumed = client.post(response["Location"], {"password": PASSWORD})
    assert resumed.status_code == 200
    assert "Your account is deleted" in resumed.content.decode()
    assert not Supporter.objects.get(pk=supporter.pk).is_active


@pytest.mark.django_db
def test_deleting_removes_two_factor_secrets(staff):
    client = Client()
    client.force_login(staff)
    reauthenticate(client)

    client.post(reverse("accounts:delete_account"), {"confirmation": "DELETE"})

    assert not Authenticator.objects.filter(user=staff).exists()
    assert not Supporter.objects.get(pk=staff.pk).is_staff


@pytest.mark.django_db
def test_email_preferences_append_a_consent_record_only_when_the_choice_changes(supporter):
    client = signed_in(supporter)
    url = reverse("accounts:settings_email")

    client.post(url, {"news_consent": "on"}, REMOTE_ADDR="198.51.100.4")
    client.post(url, {"news_consent": "on"})
    client.post(url, {})

    records = list(ConsentRecord.objects.filter(supporter=supporter).order_by("created_at", "id"))
    assert [(r.granted, r.source) for r in records] == [
        (False, "signup"),
        (True, "settings"),
        (False, "settings"),
    ]
    assert records[1].ip_address == "198.51.100.4"
    assert records[1].wording.startswith("Yes, email me news")
    current = Consent.objects.get(supporter=supporter, audience="campaign_news")
    assert (current.granted, current.record) == (False, records[2])
