"""Production refuses fake payments, fake text messages and email that reaches nobody (issue 17, point 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings

from quartier.accounts.checks import check_real_email, check_real_gateways, check_shared_cache

ROOT = Path(__file__).resolve().parents[3]

# A production configuration that passes: every provider real, every secret set.
PRODUCTION = {
    "QUARTIER_ENV": "production",
    "CACHES": {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r"}
    },
    "DONATIONS_GATEWAY": "stripe",
    "STRIPE_API_BASE": "",
    "SMS_GATEWAY": "twilio",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "CAMPAIGN_POSTAL_ADDRESS": "1 Main Street, Springfield",
    "ANYMAIL": {},
}


def errors_with(**changes: object) -> list[str]:
    with override_settings(**{**PRODUCTION, **changes}):
        found = [*check_shared_cache(), *check_real_gateways(), *check_real_email()]
    assert all(message.level == checks.ERROR for message in found)
    return [message.id for message in found]


def test_a_correct_production_configuration_passes():
    assert errors_with() == []
    assert errors_with(STRIPE_API_BASE="https://api.stripe.com") == []
    assert (
        errors_with(
            EMAIL_BACKEND="anymail.backends.postmark.EmailBackend", ANYMAIL={"WEBHOOK_SECRET": "esp:secret"}
        )
        == []
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"DONATIONS_GATEWAY": "sandbox"}, "quartier.E101"),
        ({"STRIPE_API_BASE": "http://127.0.0.1:12111"}, "quartier.E102"),
        ({"STRIPE_API_BASE": "https://api.stripe.com.evil.example"}, "quartier.E102"),
        ({"STRIPE_API_BASE": "http://api.stripe.com"}, "quartier.E102"),
        ({"SMS_GATEWAY": "sandbox"}, "quartier.E103"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "quartier.E104"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}, "quartier.E104"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "quartier.E104"),
        ({"CAMPAIGN_POSTAL_ADDRESS": ""}, "quartier.E105"),
        ({"CAMPAIGN_POSTAL_ADDRESS": "   "}, "quartier.E105"),
        ({"EMAIL_BACKEND": "anymail.backends.sendgrid.EmailBackend", "ANYMAIL": {}}, "quartier.E106"),
        (
            {"EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend", "ANYMAIL": {"MAILGUN_API_KEY": "k"}},
            "quartier.E106",
        ),
    ],
)
def test_each_stand_in_is_an_error_in_production(changes, error):
    assert errors_with(**changes) == [error]


def test_the_demo_and_tests_may_use_every_stand_in():
    assert errors_with(
        QUARTIER_ENV="development", DONATIONS_GATEWAY="sandbox", SMS_GATEWAY="sandbox",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend", CAMPAIGN_POSTAL_ADDRESS="",
        STRIPE_API_BASE="http://127.0.0.1:12111",
    ) == []  # fmt: skip


def test_the_checks_run_with_the_deployment_checklist():
    with override_settings(**{**PRODUCTION, "DONATIONS_GATEWAY": "sandbox", "SMS_GATEWAY": "sandbox"}):
        found = {message.id for message in checks.run_checks(include_deployment_checks=True)}
    assert {"quartier.E101", "quartier.E103"} <= found


def production_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith(("DONATIONS_", "STRIPE_", "SMS_", "TWILIO_", "EMAIL_", "ANYMAIL_", "CAMPAIGN_"))
    }
    return {
        **clean,
        "QUARTIER_ENV": "production", "QUARTIER_VAR_DIR": str(tmp_path), "SECRET_KEY": "x" * 64 + "Zq9!",
        "ALLOWED_HOSTS": "quartier.example.org", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "SITE_URL": "https://quartier.example.org", "REDIS_URL": "redis://127.0.0.1:6379/7",
        "EMAIL_URL": "smtp://mail.example.org:587?starttls=1", "CAMPAIGN_POSTAL_ADDRESS": "1 Main Street",
        "DONATIONS_GATEWAY": "stripe", "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRETS": "whsec_x",
        "SMS_GATEWAY": "twilio", "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_FROM_NUMBER": "+15145550100", "HOST": "256.0.0.1", "PORT": "1",  # never binds
        "INTEGRITY_FINGERPRINT_SALT": "a long random salt for the fingerprints",
        **changes,
    }  # fmt: skip


def test_serve_refuses_to_start_with_a_sandbox_gateway_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "quartier", "serve"], cwd=ROOT, env=production_env(tmp_path, DONATIONS_GATEWAY="sandbox"),
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "quartier.E101" in result.stderr and "DONATIONS_GATEWAY" in result.stderr
    assert not any((tmp_path / "static").iterdir())  # it stopped before collecting static files


def test_the_readme_minimum_settings_pass_the_deployment_checklist(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
        env=production_env(tmp_path), capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
