"""Permission-checked loaders: the only way a view gets a group, event, shift or RSVP to act on."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from quartier.accounts.models import Supporter
from quartier.organizing.models import Event, Group, Membership, Rsvp, Shift
from quartier.organizing.queries.event_page import event_page_read
from quartier.organizing.queries.events import event_with_shifts
from quartier.organizing.queries.groups import group_head

Viewer = Supporter | AnonymousUser


def is_staff(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_staff)


def get_visible_group(viewer: Viewer, slug: str) -> Group:
    """Active groups are public; closed and merged ones only to staff (merged ones redirect elsewhere)."""
    group = Group.objects.select_related("merged_into").filter(slug=slug).first()
    if group is None:
        raise Http404
    if group.status == Group.Status.CLOSED and not is_staff(viewer):
        raise Http404
    return group


def get_group_head(viewer: Viewer, slug: str) -> Group:
    """The group page's narrow read (`queries.groups.group_head`), by the rule of `get_visible_group`."""
    group = group_head(slug, viewer)
    if group is None or (group.status == Group.Status.CLOSED and not is_staff(viewer)):
        raise Http404
    return group


def leads(viewer: Viewer, group: Group) -> bool:
    if not viewer.is_authenticated:
        return False
    return Membership.objects.filter(
        group=group,
        supporter=viewer,
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.LEADER, Membership.Role.CO_LEADER],
    ).exists()


def get_group_for_leader(viewer: Viewer, slug: str) -> Group:
    """A group the viewer leads (staff may act as leaders of any group)."""
    group = get_visible_group(viewer, slug)
    if not (is_staff(viewer) or leads(viewer, group)):
        raise Http404
    return group


def get_group_for_staff(viewer: Viewer, slug: str) -> Group:
    if not is_staff(viewer):
        raise Http404
    return get_visible_group(viewer, slug)


def get_membership_for_leader(viewer: Viewer, group: Group, membership_id: int) -> Membership:
    membership = Membership.objects.select_related("supporter").filter(pk=membership_id, group=group).first()
    if membership is None:
        raise Http404
    return membership


def get_own_membership(viewer: Viewer, group: Group) -> Membership:
    membership = (
        Membership.objects.filter(group=group, supporter=viewer).first() if viewer.is_authenticated else None
    )
    if membership is None:
        raise Http404
    return membership


def can_see_event(viewer: Viewer, event: Event) -> bool:
    if event.status in {Event.Status.PUBLISHED, Event.Status.CANCELLED}:
        return True
    return is_staff(viewer) or (viewer.is_authenticated and viewer.pk == event.host_id)


def get_visible_event(viewer: Viewer, event_id: int) -> Event:
    event = event_with_shifts(event_id)
    if event is None or not can_see_event(viewer, event):
        raise Http404
    return event


def get_event_page(viewer: Viewer, event_id: int) -> tuple[Event, list[tuple[Shift, Rsvp | None]]]:
    """The event page's one-statement read (`queries.event_page`): the event's narrow row, with its
    shifts and the viewer's RSVPs, if the viewer may see the event."""
    found = event_page_read(event_id, viewer)
    if found is None or not can_see_event(viewer, found[0]):
        raise Http404
    return found


def hosts(viewer: Viewer, event: Event) -> bool:
    """The host, a leader of the event's group, or staff may run the event."""
    if not viewer.is_authenticated:
        return False
    if viewer.is_staff or viewer.pk == event.host_id:
        return True
    if hasattr(event, "viewer_leads"):  # read with the event (`get_event_page`): no query
        return event.viewer_leads
    return event.group_id is not None and leads(viewer, event.group)


def get_event_for_host(viewer: Viewer, event_id: int) -> Event:
    event = get_visible_event(viewer, event_id)
    if not hosts(viewer, event):
        raise Http404
    return event


def get_event_for_staff(viewer: Viewer, event_id: int) -> Event:
    if not is_staff(viewer):
        raise Http404
    return get_visible_event(viewer, event_id)


def get_open_shift(viewer: Viewer, event: Event, shift_id: int) -> Shift:
    shift = Shift.objects.filter(pk=shift_id, event=event).first()
    if shift is None:
        raise Http404
    return shift


def get_own_rsvp(viewer: Viewer, rsvp_id: int) -> Rsvp:
    rsvp = Rsvp.objects.select_related("shift__event").filter(pk=rsvp_id).first()
    if rsvp is None or not viewer.is_authenticated or rsvp.supporter_id != viewer.pk:
        raise Http404
    return rsvp


def get_rsvp_for_host(viewer: Viewer, event: Event, rsvp_id: int) -> Rsvp:
    rsvp = Rsvp.objects.select_related("supporter").filter(pk=rsvp_id, shift__event=event).first()
    if rsvp is None:
        raise Http404
    return rsvp
