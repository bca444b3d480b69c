"""Who may see what of word of mouth: the campaign's cascades and spread analytics are for active staff;
each supporter sees their own."""

from __future__ import annotations

from django.http import Http404

from quartier.reach.models import SpreadRun


def is_campaign_staff(viewer: object) -> bool:
    """The campaign's cascades name the people who brought others in, and whom to ask first names
    supporters across the whole campaign: active staff (organisers) only. A local group's leader is a
    supporter here: they lead a group, not the campaign."""
    return bool(getattr(viewer, "is_authenticated", False) and viewer.is_staff and viewer.is_active)


def require_campaign_staff(viewer: object) -> None:
    """Anyone else finds nothing there (404, as for every staff page)."""
    if not is_campaign_staff(viewer):
        raise Http404


def get_spread_run_for(viewer: object, run_id: int) -> SpreadRun:
    require_campaign_staff(viewer)
    run = SpreadRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run
