"""What every organizing write shares: the error type, the audiences of a group and an event, leaders' roles."""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.lib.page_cache import bump, stamp
from quartier.organizing.models import (
    Event,
    Group,
    Membership,
)


class OrganizingError(Exception):
    """A rule said no; `code` names which (the view turns it into a translated message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def event_changed(event: Event, *, old_group_id: int | None = None) -> None:
    """What an event's page, its group's page and event searches show changed (on commit)."""
    bump(stamp("event", event.pk), "events", stamp("group", event.group_id), stamp("group", old_group_id))


def group_changed(group_id: int, *, listing: bool = False) -> None:
    """What a group's page shows changed (on commit); `listing`: also what group searches may find."""
    bump(stamp("group", group_id), "groups" if listing else None)


def group_audience(group: Group) -> str:
    return f"group:{group.pk}"


def event_audience(event: Event) -> str:
    return f"event:{event.pk}"


LEADING_ROLES = (Membership.Role.LEADER, Membership.Role.CO_LEADER)


def role_in(group_id: int, supporter: Supporter) -> str | None:
    """The supporter's role in the group if they are an active member, else None."""
    return (
        Membership.objects.filter(group_id=group_id, supporter=supporter, status=Membership.Status.ACTIVE)
        .values_list("role", flat=True)
        .first()
    )


def may_act_for_group(supporter: Supporter, group_id: int) -> bool:
    """Hosting in a group's name: its current leaders and co-leaders, and staff."""
    return supporter.is_staff or role_in(group_id, supporter) in LEADING_ROLES
