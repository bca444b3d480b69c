"""File a detector's finding as a proposed cluster; staff confirm or dismiss it.

Detection only proposes: filing a cluster changes nothing for its members (no ban, no hidden post,
no limit), and neither does deciding it; any sanction is a moderation action a person takes in
social's queue, with its own reason and appeal.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.integrity.detection.findings import Finding
from quartier.integrity.explanations import explain
from quartier.integrity.models import Cluster, ClusterMember, TrustScore


class ClusterError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def finding_key(finding: Finding) -> str:
    """The same accounts found by the same detector make the same key (the finding is updated)."""
    members = ",".join(str(pk) for pk in sorted(finding.members))
    return hashlib.sha256(f"{finding.kind}:{members}".encode()).hexdigest()


@transaction.atomic
def file_finding(finding: Finding) -> tuple[Cluster, bool]:
    """The cluster of a finding, created or (still proposed) refreshed; returns (cluster, created).

    A finding already decided by staff is left as it is: dismissed stays dismissed."""
    known = set(Supporter.objects.filter(pk__in=list(finding.members)).values_list("pk", flat=True))
    members = {pk: evidence for pk, evidence in finding.members.items() if pk in known}
    scores = dict(
        TrustScore.objects.filter(supporter_id__in=list(members)).values_list("supporter_id", "score")
    )
    mean_trust = sum(scores.get(pk, 0.0) for pk in members) / max(len(members), 1)
    now = timezone.now()
    cluster, created = Cluster.objects.select_for_update().get_or_create(
        key=finding_key(finding),
        defaults={
            "kind": finding.kind, "evidence": finding.evidence, "explanation": explain(finding.kind, finding.evidence),
            "mean_trust": mean_trust, "created_at": now, "updated_at": now,
        },
    )  # fmt: skip
    if not created:
        if cluster.status != Cluster.Status.PROPOSED:
            return cluster, False
        cluster.evidence = finding.evidence
        cluster.explanation = explain(finding.kind, finding.evidence)
        cluster.mean_trust = mean_trust
        cluster.updated_at = now
        cluster.save(update_fields=["evidence", "explanation", "mean_trust", "updated_at"])
    ClusterMember.objects.filter(cluster=cluster).delete()
    ClusterMember.objects.bulk_create(
        [
            ClusterMember(cluster=cluster, supporter_id=pk, evidence=evidence)
            for pk, evidence in members.items()
        ]
    )
    return cluster, created


@transaction.atomic
def decide(*, cluster_id: int, staff: Supporter, confirm: bool, note: str) -> Cluster:
    """Record a staff member's decision on a proposed cluster (confirmed: it is what the detector
    says; dismissed: a false alarm). Refused for anyone but staff and for a cluster already decided."""
    if not (staff.is_authenticated and staff.is_staff and staff.is_active):
        raise ClusterError("forbidden")
    cluster = Cluster.objects.select_for_update().get(pk=cluster_id)
    if cluster.status != Cluster.Status.PROPOSED:
        raise ClusterError("already_decided")
    cluster.status = Cluster.Status.CONFIRMED if confirm else Cluster.Status.DISMISSED
    cluster.decided_by = staff
    cluster.decided_at = timezone.now()
    cluster.decision_note = note.strip()
    cluster.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return cluster
