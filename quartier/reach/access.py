"""Who may see what of word of mouth: the campaign's cascades are for staff; each supporter their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from quartier.accounts.models import Supporter


def sees_campaign_cascades(viewer: Supporter) -> bool:
    """The whole campaign's cascades name the people who brought others in: staff only."""
    return bool(viewer.is_authenticated and viewer.is_staff and viewer.is_active)


def require_campaign_cascades(viewer: Supporter) -> None:
    if not sees_campaign_cascades(viewer):
        raise PermissionDenied
