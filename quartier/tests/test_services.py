"""The real services production relies on: Redis as cache, session store and Celery broker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("QUARTIER_TEST_REDIS", "")

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="QUARTIER_TEST_REDIS (a redis:// URL) is not set")

PROBE = """
from django.conf import settings
from django.core.cache import cache
from quartier.celery import app
cache.set("quartier-probe", "ok", 30)
print(cache.get("quartier-probe"))
print(settings.SESSION_ENGINE)
print(app.conf.task_always_eager)
with app.connection_for_write() as connection:
    connection.ensure_connection(max_retries=1)
    print(connection.transport_cls)
"""


@needs_redis
def test_redis_url_turns_on_the_redis_cache_sessions_and_celery_broker(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": REDIS_URL, "QUARTIER_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-4:]
    assert lines == ["ok", "django.contrib.sessions.backends.cached_db", "False", "redis"]


def test_without_a_broker_tasks_run_eagerly_in_process():
    from django.conf import settings

    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.BROKER_URL)


@pytest.mark.django_db
def test_the_health_check_answers_json():
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_every_page_sets_a_strict_nonce_based_content_security_policy():
    response = Client().get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.django_db
def test_no_page_links_to_a_third_party_host():
    import re

    page = (
        Client().get(reverse("account_signup")).content.decode()
        + Client().get(reverse("home")).content.decode()
    )
    sources = re.findall(r'(?:src|href)="(https?:)?//([^"/]+)', page)
    assert sources == []


@pytest.mark.django_db
def test_an_unknown_page_is_a_friendly_404():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
