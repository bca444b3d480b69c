"""The Celery application: tasks run on workers when a broker is set (REDIS_URL, or QUARTIER_BROKER_URL
for `quartier demo` and `quartier serve --with-worker`), eagerly in the caller otherwise."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")

app = Celery("quartier")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
