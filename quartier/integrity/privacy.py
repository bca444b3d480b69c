"""Integrity's personal data: what the system holds about a supporter for integrity purposes.

A supporter's export lists their trust score, their signup fingerprints (hashes only: the salted
hash is all the system keeps), the near-duplicate signatures of their posts and comments, and every
cluster they were placed in with its status and explanation; staff also get the clusters they decided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quartier.accounts.privacy import PersonalDataSource, register, rows, rows_owned_by

if TYPE_CHECKING:
    from quartier.accounts.models import Supporter


def register_integrity_sources() -> None:
    from quartier.integrity.models import (
        Cluster,
        ClusterMember,
        ContentSignature,
        SignupFingerprint,
        TrustScore,
    )

    register(rows_owned_by("integrity_trust_score", TrustScore))
    register(rows_owned_by("integrity_signup_fingerprints", SignupFingerprint))
    register(rows_owned_by("integrity_content_signatures", ContentSignature, field="author"))

    def export_memberships(supporter: Supporter) -> list[dict[str, Any]]:
        members = ClusterMember.objects.filter(supporter=supporter).select_related("cluster").order_by("pk")
        return [
            row
            | {
                "cluster_kind": member.cluster.kind,
                "cluster_status": member.cluster.status,
                "cluster_explanation": member.cluster.explanation,
                "cluster_found_at": member.cluster.created_at.isoformat(),
            }
            for row, member in zip(rows(members), members, strict=True)
        ]

    register(
        PersonalDataSource(
            name="integrity_cluster_memberships",
            models=(ClusterMember,),
            export=export_memberships,
            erase=lambda supporter: ClusterMember.objects.filter(supporter=supporter).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="integrity_clusters_decided",
            models=(Cluster,),
            export=lambda supporter: rows(
                Cluster.objects.filter(decided_by=supporter).order_by("pk"), exclude=("evidence",)
            ),
            # The decision stays in the moderation record (the transparency report counts it); only the
            # name of the staff member who took it goes.
            erase=lambda supporter: Cluster.objects.filter(decided_by=supporter).update(decided_by=None),
        )
    )
