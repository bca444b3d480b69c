from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from quartier.lib.env import email_settings_from_url, env_bool, env_int

ROOT = Path(__file__).resolve().parents[3]


def test_env_helpers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be a boolean"):
        env_bool("SOME_FLAG", False)
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be an integer"):
        env_int("SOME_NUMBER", 1)


def test_email_urls_configure_the_backend():
    smtp = email_settings_from_url("smtp://user:p%40ss@mail.example.org:2525?starttls=1")
    assert smtp["EMAIL_HOST"] == "mail.example.org"
    assert smtp["EMAIL_PORT"] == 2525
    assert smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_settings_from_url("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings_from_url("file:/tmp/mail")["EMAIL_FILE_PATH"] == "/tmp/mail"
    with pytest.raises(ImproperlyConfigured):
        email_settings_from_url("pigeon://coop")


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", QUARTIER_ENV="production", QUARTIER_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_to_start_without_its_public_address(tmp_path):
    result = run_manage(
        "check", QUARTIER_ENV="production", QUARTIER_VAR_DIR=str(tmp_path), SECRET_KEY="x" * 64 + "Zq9!",
        ALLOWED_HOSTS="quartier.example.org",
    )  # fmt: skip
    assert result.returncode != 0
    assert "SITE_URL is required" in result.stderr


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        QUARTIER_ENV="production", QUARTIER_VAR_DIR=str(tmp_path), SECRET_KEY="x" * 64 + "Zq9!",
        ALLOWED_HOSTS="quartier.example.org", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SITE_URL="https://quartier.example.org",
        REDIS_URL="redis://127.0.0.1:6379/7", EMAIL_URL="smtp://mail.example.org:587?starttls=1",
        CAMPAIGN_POSTAL_ADDRESS="1 Main Street", DONATIONS_GATEWAY="stripe", STRIPE_SECRET_KEY="sk_live_x",
        STRIPE_WEBHOOK_SECRETS="whsec_x", SMS_GATEWAY="twilio",
        INTEGRITY_FINGERPRINT_SALT="a long random salt for the fingerprints",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_shared_cache_fails_the_deployment_checklist(tmp_path):
    result = run_manage(
        "check", "--deploy",
        QUARTIER_ENV="production", QUARTIER_VAR_DIR=str(tmp_path), SECRET_KEY="x" * 64 + "Zq9!",
        ALLOWED_HOSTS="quartier.example.org", DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        SITE_URL="https://quartier.example.org",
    )  # fmt: skip
    assert result.returncode != 0
    assert "quartier.E001" in result.stderr and "REDIS_URL" in result.stderr


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start(tmp_path):
    result = run_manage("check", QUARTIER_VAR_DIR=str(tmp_path), TRUSTED_PROXIES="10.0.0.1,proxy.example.org")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES must list IP addresses or networks, not 'proxy.example.org'" in result.stderr


def test_a_postgresql_url_configures_postgresql(tmp_path):
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgresql://quartier:secret@db.example.org:5432/quartier", QUARTIER_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "django.db.backends.postgresql"


def test_the_demo_generates_and_keeps_its_secret_key(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_manage("shell", "-c", code, QUARTIER_VAR_DIR=str(tmp_path)).stdout.strip()
    second = run_manage("shell", "-c", code, QUARTIER_VAR_DIR=str(tmp_path)).stdout.strip()
    assert len(first) > 40
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_tile_server_template_becomes_a_csp_source():
    from quartier.lib.env import csp_origin as _origin

    assert _origin("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    assert _origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == "https://*.tiles.example.org"
    assert _origin("javascript:alert(1)") == ""
    assert _origin("") == ""
