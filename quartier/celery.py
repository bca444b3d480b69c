"""The Celery application: tasks run on workers when REDIS_URL is set, eagerly otherwise."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")

app = Celery("quartier")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
