"""Integrity's models, one module per subject (each imported here)."""

from quartier.integrity.models.clusters import Cluster, ClusterMember
from quartier.integrity.models.fingerprints import (
    ContentSignature,
    NearDuplicateLink,
    NearDuplicateProgress,
    SignupFingerprint,
)
from quartier.integrity.models.reputation import TrustScore

__all__ = [
    "Cluster",
    "ClusterMember",
    "ContentSignature",
    "NearDuplicateLink",
    "NearDuplicateProgress",
    "SignupFingerprint",
    "TrustScore",
]
