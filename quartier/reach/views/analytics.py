"""`/organize/reach/`: how the campaign's message spreads from person to person (staff)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from quartier.reach import access, reports
from quartier.reach.queries import cascades as cascade_queries


def _spread_url() -> str:
    """The page of unique reach and "whom to ask first" (built beside this one), when it exists."""
    try:
        return reverse("reach:spread")
    except NoReverseMatch:
        return ""


@login_required
def organize_reach(request: HttpRequest) -> HttpResponse:
    access.require_campaign_staff(request.user)
    context = {
        "totals": cascade_queries.live_totals(),
        "report": reports.campaign_report(),
        "spread_url": _spread_url(),
    }
    return render(request, "reach/organize_reach.html", context)
