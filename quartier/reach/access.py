"""Who may see what of word of mouth: the campaign's cascades and spread analytics are for active staff;
each supporter sees their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from quartier.accounts.models import Supporter
from quartier.reach.models import SpreadRun


def sees_campaign_cascades(viewer: Supporter) -> bool:
    """The whole campaign's cascades name the people who brought others in: staff only."""
    return bool(viewer.is_authenticated and viewer.is_staff and viewer.is_active)


def require_campaign_cascades(viewer: Supporter) -> None:
    if not sees_campaign_cascades(viewer):
        raise PermissionDenied


def may_see_spread(viewer: object) -> bool:
    """Whom to ask first names supporters across the whole campaign: active staff (organisers) only.
    A local group's leader is a supporter here: they lead a group, not the campaign."""
    return bool(getattr(viewer, "is_authenticated", False) and viewer.is_staff and viewer.is_active)


def require_spread_viewer(viewer: object) -> None:
    """Anyone else finds nothing there (404, as for every staff page)."""
    if not may_see_spread(viewer):
        raise Http404


def get_spread_run_for(viewer: object, run_id: int) -> SpreadRun:
    require_spread_viewer(viewer)
    run = SpreadRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run
