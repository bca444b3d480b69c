"""Behind the reverse proxy, limits and consent records count by the client's address, not the proxy's."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from quartier.accounts.checks import check_shared_cache
from quartier.accounts.models import ConsentRecord
from quartier.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
TOO_MANY = "Too many failed login attempts. Try again later."


def fail_logins(client: Client, times: int, **headers: str) -> None:
    for attempt in range(times):
        response = client.post(
            reverse("account_login"),
            {"login": f"nobody{attempt}@example.org", "password": "wrong"},
            **headers,
        )
        assert response.status_code == 200


def log_in(client: Client, email: str, **headers: str):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD}, **headers)


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_behind_the_trusted_proxy_one_client_guessing_passwords_blocks_only_itself(supporter):
    fail_logins(Client(REMOTE_ADDR=PROXY), 10, HTTP_X_FORWARDED_FOR="198.51.100.7")

    blocked = log_in(Client(REMOTE_ADDR=PROXY), supporter.email, HTTP_X_FORWARDED_FOR="198.51.100.7")
    other = log_in(Client(REMOTE_ADDR=PROXY), supporter.email, HTTP_X_FORWARDED_FOR="203.0.113.20")

    assert blocked.status_code == 200 and TOO_MANY in blocked.content.decode()
    assert other.status_code == 302 and other["Location"] == reverse("dashboard:personal")


@override_settings(TRUSTED_PROXIES=[PROXY])
def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(supporter):
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    for attempt in range(10):
        fail_logins(attacker, 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")

    response = log_in(attacker, supporter.email, HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert response.status_code == 200 and TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in attacker.session


def test_without_trusted_proxies_the_forwarded_for_header_is_ignored(supporter):
    fail_logins(Client(REMOTE_ADDR=PROXY), 10, HTTP_X_FORWARDED_FOR="198.51.100.7")

    response = log_in(Client(REMOTE_ADDR=PROXY), supporter.email, HTTP_X_FORWARDED_FOR="203.0.113.20")

    assert response.status_code == 200 and TOO_MANY in response.content.decode()


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_consent_records_the_clients_address_given_by_the_proxy(supporter):
    client = client_for(supporter)
    client.defaults["REMOTE_ADDR"] = "10.1.2.3"

    client.post(
        reverse("accounts:settings_email"),
        {"news_consent": "on"},
        HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7",
    )

    consent = ConsentRecord.objects.filter(supporter=supporter).latest("pk")
    assert consent.granted is True and consent.ip_address == "198.51.100.7"


@pytest.mark.parametrize(
    ("environment", "backend", "errors"),
    [
        ("production", "django.core.cache.backends.locmem.LocMemCache", ["quartier.E001"]),
        ("production", "django.core.cache.backends.redis.RedisCache", []),
        ("development", "django.core.cache.backends.locmem.LocMemCache", []),
    ],
)
def test_the_deploy_check_refuses_per_process_rate_limits_in_production(environment, backend, errors):
    with override_settings(QUARTIER_ENV=environment, CACHES={"default": {"BACKEND": backend}}):
        assert [message.id for message in check_shared_cache()] == errors
