"""Clusters the detectors proposed: the list and one cluster with its evidence, for staff to decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier.accounts.access import require_staff
from quartier.integrity import access, queries
from quartier.integrity.actions import clusters as cluster_actions
from quartier.integrity.explanations import evidence_rows, explain
from quartier.integrity.forms import ClusterDecisionForm
from quartier.integrity.models import Cluster


@login_required
def cluster_list(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    return render(
        request,
        "integrity/cluster_list.html",
        {
            "proposed": queries.clusters_for_review(status=Cluster.Status.PROPOSED),
            "decided": queries.clusters_for_review(status=Cluster.Status.CONFIRMED, limit=20)
            + queries.clusters_for_review(status=Cluster.Status.DISMISSED, limit=20),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cluster_detail(request: HttpRequest, cluster_id: int) -> HttpResponse:
    cluster = access.get_cluster_for_staff(request.user, cluster_id)
    form = ClusterDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cluster_actions.decide(
                cluster_id=cluster.pk, staff=request.user, confirm=form.cleaned_data["decision"] == "confirm",
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except cluster_actions.ClusterError:
            form.add_error(None, _("This cluster was already decided."))
        else:
            messages.success(
                request, _("Decision recorded. No account was changed: sanctions stay with moderators.")
            )
            return redirect("integrity:clusters")
    return render(
        request,
        "integrity/cluster_detail.html",
        {
            "cluster": cluster,
            "explanation": explain(cluster.kind, cluster.evidence),
            "evidence": evidence_rows(cluster.evidence),
            "members": queries.members_of(cluster),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
