"""Who may see which dashboard: a supporter their own; staff the campaign's; a leader their group's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from quartier.accounts.models import Supporter
from quartier.organizing.access import get_group_for_leader
from quartier.organizing.models import Group


def require_staff(viewer: Supporter) -> None:
    if not (viewer.is_authenticated and viewer.is_staff):
        raise PermissionDenied


def get_group_dashboard_for(viewer: Supporter, slug: str) -> Group:
    """A group whose figures the viewer may see: one they lead, or any for staff (404 otherwise)."""
    return get_group_for_leader(viewer, slug)
