"""Factories for the personal data sources of `integrity` (see `registry.py`)."""

from __future__ import annotations

from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.integrity.models import Cluster, ClusterMember, ContentSignature, SignupFingerprint, TrustScore
from quartier.tests.personal_data.common import Factory, People, count_rows


def _trust(supporter: Supporter, people: People) -> None:
    TrustScore.objects.create(supporter=supporter, score=0.5, percentile=0.5, degree=2)


def _fingerprints(supporter: Supporter, people: People) -> None:
    for number in range(2):
        marker = people.marker("integrity_signup_fingerprints", number)
        SignupFingerprint.objects.create(
            supporter=supporter, network_hash=marker, agent_hash=marker, email_pattern_hash=marker
        )


def _signatures(supporter: Supporter, people: People) -> None:
    for number in range(2):
        ContentSignature.objects.create(
            kind=ContentSignature.Kind.POST,
            object_id=supporter.pk * 1000 + number,
            author=supporter,
            created_at=timezone.now(),
            signature=bytes(256),
        )


def _memberships(supporter: Supporter, people: People) -> None:
    for number in range(2):
        marker = people.marker("integrity_cluster_memberships", number)
        cluster = Cluster.objects.create(kind=Cluster.Kind.NEAR_DUPLICATE, key=marker, explanation=marker)
        ClusterMember.objects.create(cluster=cluster, supporter=supporter, evidence={"note": marker})
        ClusterMember.objects.create(cluster=cluster, supporter=people.organiser)


def _decided(supporter: Supporter, people: People) -> None:
    for number in range(2):
        marker = people.marker("integrity_clusters_decided", number)
        Cluster.objects.create(
            kind=Cluster.Kind.SYNCHRONISED,
            key=marker,
            decision_note=marker,
            status=Cluster.Status.DISMISSED,
            decided_by=supporter,
            decided_at=timezone.now(),
        )


FACTORIES: dict[str, Factory] = {
    "integrity_trust_score": Factory(
        _trust,
        owned=lambda s: {TrustScore: TrustScore.objects.filter(supporter=s)},
        exported=lambda data: {TrustScore: count_rows(data)},
    ),
    "integrity_signup_fingerprints": Factory(
        _fingerprints,
        owned=lambda s: {SignupFingerprint: SignupFingerprint.objects.filter(supporter=s)},
        exported=lambda data: {SignupFingerprint: count_rows(data)},
    ),
    "integrity_content_signatures": Factory(
        _signatures,
        owned=lambda s: {ContentSignature: ContentSignature.objects.filter(author=s)},
        exported=lambda data: {ContentSignature: count_rows(data)},
    ),
    "integrity_cluster_memberships": Factory(
        _memberships,
        owned=lambda s: {ClusterMember: ClusterMember.objects.filter(supporter=s)},
        exported=lambda data: {ClusterMember: count_rows(data)},
    ),
    "integrity_clusters_decided": Factory(
        _decided,
        owned=lambda s: {Cluster: Cluster.objects.filter(decided_by=s)},
        exported=lambda data: {Cluster: count_rows(data)},
    ),
}
