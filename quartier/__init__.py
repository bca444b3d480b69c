"""Quartier: a campaign's supporters organise themselves."""

from __future__ import annotations

from quartier.celery import app as celery_app

__all__ = ["celery_app"]
