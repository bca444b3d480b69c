"""Who may see which dashboard: a supporter their own; staff the campaign's; a leader their group's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from quartier.accounts.models import Supporter
from quartier.organizing.access import get_group_for_leader
from quartier.organizing.models import Group
from quartier.organizing.queries import groups as organizing_groups


def sees_campaign(viewer: Supporter) -> bool:
    """The whole campaign's figures (every area, every group) are for staff."""
    return bool(viewer.is_authenticated and viewer.is_staff)


def require_staff(viewer: Supporter) -> None:
    if not sees_campaign(viewer):
        raise PermissionDenied


def groups_led_by(viewer: Supporter) -> list[Group]:
    """The groups (not closed) the viewer leads or co-leads, by name (one query)."""
    if not viewer.is_authenticated:
        return []
    return list(
        Group.objects.filter(pk__in=organizing_groups.leader_group_ids(viewer))
        .exclude(status=Group.Status.CLOSED)
        .only("pk", "slug", "name")
        .order_by("name", "pk")
    )


def get_group_dashboard_for(viewer: Supporter, slug: str) -> Group:
    """A group whose figures the viewer may see: one they lead, or any for staff (404 otherwise)."""
    return get_group_for_leader(viewer, slug)
