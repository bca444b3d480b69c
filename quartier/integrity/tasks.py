"""Celery tasks of integrity (celery beat, see INTEGRITY_BEAT_SCHEDULE): thin wrappers around actions."""

from __future__ import annotations

from celery import shared_task

from quartier.integrity.actions import detection, fingerprints, reputation


@shared_task
def recompute_trust() -> int:
    """Every supporter's trust score, and the dense low-trust groups proposed to staff."""
    return reputation.recompute_trust()


@shared_task
def detect() -> dict[str, int]:
    """Near-duplicate texts, synchronised actions and shared signup fingerprints, proposed to staff."""
    return detection.run_detectors()


@shared_task
def purge_fingerprints() -> int:
    """Delete the signup fingerprints older than INTEGRITY_FINGERPRINT_RETENTION_DAYS."""
    return fingerprints.purge_expired()
