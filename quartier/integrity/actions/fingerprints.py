"""Record a signup's salted fingerprint; purge the ones past their retention period."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.integrity import fingerprints
from quartier.integrity.models import SignupFingerprint


@transaction.atomic
def record_signup(supporter: Supporter, ip_address: str | None, user_agent: str) -> SignupFingerprint:
    """Store the hashes of the signup's network, browser family and email shape (nothing raw)."""
    return SignupFingerprint.objects.create(
        supporter=supporter,
        network_hash=fingerprints.salted_hash(fingerprints.network_of(ip_address)),
        agent_hash=fingerprints.salted_hash(fingerprints.agent_family(user_agent)),
        email_pattern_hash=fingerprints.salted_hash(fingerprints.email_pattern(supporter.email)),
        signed_up_at=supporter.date_joined,
    )


def purge_expired() -> int:
    """Delete fingerprints older than INTEGRITY_FINGERPRINT_RETENTION_DAYS; returns how many went."""
    cutoff = timezone.now() - timedelta(days=settings.INTEGRITY_FINGERPRINT_RETENTION_DAYS)
    deleted, _by_model = SignupFingerprint.objects.filter(created_at__lt=cutoff).delete()
    return deleted
