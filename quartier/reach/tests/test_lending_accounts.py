"""Lend your status: the consent (unticked until ticked), connected accounts over real HTTP to local
Mastodon and Bluesky servers, revocation that deletes tokens, and every persona on every page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.reach.lending import actions as lending_actions
from quartier.reach.models import ConnectedAccount, LendingConsent, LendingMessage, LentStatus
from quartier.reach.tests.conftest import connect_bluesky, connect_mastodon, opt_in
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
PAGES = ("reach:lend_settings", "reach:lend_upcoming", "reach:lend_history")


def test_the_consent_box_starts_unticked_and_the_page_writes_nothing(supporter):
    html = client_for(supporter).get(reverse("reach:lend_settings")).content.decode()

    assert 'name="active"' in html
    assert (
        'name="active" checked' not in html and "checked" not in html.split('name="active"')[1].split(">")[0]
    )
    assert not LendingConsent.objects.exists()


def test_ticking_the_box_lends_with_the_chosen_weekly_cap(supporter):
    response = client_for(supporter).post(reverse("reach:lend_settings"), {"active": "on", "weekly_cap": "3"})

    assert response.status_code == 302
    consent = LendingConsent.objects.get(supporter=supporter)
    assert (consent.is_active, consent.weekly_cap) == (True, 3) and consent.opted_in_at is not None


@pytest.mark.parametrize("cap", ["0", "8", "many", ""])
def test_a_cap_out_of_range_re_renders_with_an_error_and_changes_nothing(supporter, cap):
    response = client_for(supporter).post(reverse("reach:lend_settings"), {"active": "on", "weekly_cap": cap})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not LendingConsent.objects.exists()


def test_connecting_mastodon_goes_through_oauth_and_keeps_the_token_encrypted_and_unseen(supporter, mastodon):
    opt_in(supporter)
    client = client_for(supporter)

    connect_mastodon(client, mastodon)

    account = ConnectedAccount.objects.get(supporter=supporter, service="mastodon")
    assert account.handle == "@lender@piaille.example"
    token = next(iter(mastodon.tokens))
    assert token not in account.credentials_encrypted
    assert [r["path"] for r in mastodon.requests if r["method"] == "POST"][:2] == [
        "/api/v1/apps",
        "/oauth/token",
    ]
    page = client.get(reverse("reach:lend_settings")).content.decode()
    assert (
        "@lender@piaille.example" in page and token not in page and account.credentials_encrypted not in page
    )


def test_a_mastodon_return_with_another_state_connects_nothing(supporter, mastodon):
    opt_in(supporter)
    client = client_for(supporter)
    client.post(reverse("reach:mastodon_connect"), {"instance": "piaille.example"})

    response = client.get(reverse("reach:mastodon_callback"), {"code": "stolen", "state": "forged"})

    assert response.status_code == 302
    assert not ConnectedAccount.objects.exists()


def test_connecting_bluesky_keeps_a_session_never_the_app_password(supporter, bluesky):
    opt_in(supporter)

    connect_bluesky(client_for(supporter))

    account = ConnectedAccount.objects.get(supporter=supporter, service="bluesky")
    assert account.handle == "ana.bsky.social"
    assert "abcd-efgh" not in account.credentials_encrypted
    assert "abcd-efgh" not in lending_actions.crypto.decrypt(account.credentials_encrypted)


def test_a_refused_app_password_re_renders_the_form_and_keeps_nothing(supporter, bluesky):
    opt_in(supporter)

    response = connect_bluesky(client_for(supporter), password="wrong-wrong-wrong-wrong")

    assert response.status_code == 200
    assert "Bluesky refused" in response.content.decode()
    assert not ConnectedAccount.objects.exists()


def test_nobody_connects_an_account_without_lending_first(supporter, bluesky, mastodon):
    client = client_for(supporter)

    connect_bluesky(client)
    client.post(reverse("reach:mastodon_connect"), {"instance": "piaille.example"})

    assert not ConnectedAccount.objects.exists() and not mastodon.requests and not bluesky.requests


def test_revoking_deletes_the_tokens_revokes_them_at_the_services_and_cancels_what_was_coming(
    supporter, staff, mastodon, bluesky, django_capture_on_commit_callbacks
):
    opt_in(supporter)
    client = client_for(supporter)
    connect_mastodon(client, mastodon)
    connect_bluesky(client)
    lending_actions.write_message(
        author=staff, draft=lending_actions.MessageDraft("Camp", "Vote Sunday", "", 24)
    )
    live_tokens, live_sessions = len(mastodon.tokens), len(bluesky.refresh)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reach:lend_settings"), {"weekly_cap": "1"})  # the box unticked

    assert not ConnectedAccount.objects.filter(supporter=supporter).exists()
    assert len(mastodon.tokens) == live_tokens - 1 and len(bluesky.refresh) == live_sessions - 1
    assert LentStatus.objects.get(lender=supporter).state == LentStatus.State.CANCELLED
    assert LendingConsent.objects.get(supporter=supporter).revoked_at is not None


def test_disconnecting_one_account_deletes_its_token(supporter, mastodon, django_capture_on_commit_callbacks):
    opt_in(supporter)
    client = client_for(supporter)
    connect_mastodon(client, mastodon)
    live = len(mastodon.tokens)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reach:lend_disconnect", args=["mastodon"]))

    assert not ConnectedAccount.objects.exists() and len(mastodon.tokens) == live - 1


def test_deleting_the_account_deletes_the_tokens(supporter, bluesky):
    from quartier.accounts.privacy import erase_personal_data

    opt_in(supporter)
    connect_bluesky(client_for(supporter))

    erase_personal_data(supporter)

    assert not ConnectedAccount.objects.exists()


def test_every_persona_sees_only_their_own_lending_pages(persona, make_supporter):
    name, viewer = persona
    owner = make_supporter("Olga Owner")
    opt_in(owner)
    client = client_for(viewer)

    for page in PAGES:
        response = client.get(reverse(page))
        if viewer is None:
            assert response.status_code == 302 and "/login/" in response["Location"], page
        elif name == "unverified" and page == "reach:lend_settings":
            assert response.status_code == 302, page
        else:
            assert response.status_code == 200, (name, page)
            assert "Olga Owner" not in response.content.decode()


def test_only_staff_write_campaign_messages(persona):
    name, viewer = persona
    client = client_for(viewer)

    page = client.get(reverse("reach:lend_staff"))
    sent = client.post(
        reverse("reach:lend_staff"), {"campaign": "C", "text": "Hi", "link_path": "", "veto_hours": "24"}
    )

    if name == "staff":
        assert page.status_code == 200 and sent.status_code == 302
        assert LendingMessage.objects.count() == 1
    else:
        assert page.status_code == 404 and sent.status_code == 404
        assert not LendingMessage.objects.exists()


def test_a_staff_message_with_a_foreign_link_re_renders_with_an_error(staff):
    response = client_for(staff).post(
        reverse("reach:lend_staff"),
        {"campaign": "C", "text": "Hi", "link_path": "https://elsewhere.example/", "veto_hours": "24"},
    )

    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not LendingMessage.objects.exists()


def test_production_refuses_the_fakes(settings):
    from quartier.reach.checks import check_lending_services

    settings.QUARTIER_ENV = "production"
    settings.REACH_MASTODON_API_OVERRIDE = "http://127.0.0.1:9999"
    settings.REACH_BLUESKY_SERVICE = "http://127.0.0.1:9998"

    assert {error.id for error in check_lending_services()} == {"quartier.E301", "quartier.E302"}
    settings.REACH_MASTODON_API_OVERRIDE, settings.REACH_BLUESKY_SERVICE = "", "https://bsky.social"
    assert check_lending_services() == []


def test_a_hostile_state_on_return_from_mastodon_connects_nothing(supporter, mastodon):
    opt_in(supporter)
    client = client_for(supporter)
    client.post(reverse("reach:mastodon_connect"), {"instance": "piaille.example"})

    response = client.get(reverse("reach:mastodon_callback"), {"code": "x", "state": "🙂\x00"})

    assert response.status_code == 302 and not ConnectedAccount.objects.exists()
