"""Permission-checked loaders: the only way a view gets a campaign, a walk list, a call or an import.

Who may do what:
- staff run everything (imports, every campaign, the organiser queue);
- leaders of a local group run the campaigns of their group (cut turf, assign lists, see progress),
  once staff approved that group's fieldwork (`GroupAccess`): anyone may create a group, so leading
  one proves nothing; a group's campaigns reach only the contacts staff granted to it;
- a volunteer sees the walk lists they hold (or their event shift holds) and the one contact they
  have leased in a phone bank, nothing else; a phone bank is open to them when it is open from home,
  or when they RSVPed to its event;
- nobody else sees a contact.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from quartier.accounts.models import Supporter
from quartier.fieldwork.models import FieldCampaign, GroupAccess, ImportJob, Result, Script, Target, WalkList
from quartier.organizing.queries import events as organizing_events
from quartier.organizing.queries import groups as organizing_groups

Viewer = Supporter | AnonymousUser


def is_staff(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_staff and viewer.is_verified)


def is_volunteer(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_verified)


def led_group_ids(viewer: Viewer) -> list[int]:
    """The groups the viewer leads whose fieldwork staff approved (the only ones they run campaigns of)."""
    if not is_volunteer(viewer):
        return []
    led = organizing_groups.led_group_ids(viewer)
    if not led:
        return []
    return list(GroupAccess.objects.filter(group_id__in=led).values_list("group_id", flat=True))


def can_manage(viewer: Viewer, campaign: FieldCampaign) -> bool:
    if is_staff(viewer):
        return True
    return campaign.group_id is not None and campaign.group_id in led_group_ids(viewer)


def managed_campaigns(viewer: Viewer) -> QuerySet[FieldCampaign]:
    if is_staff(viewer):
        return FieldCampaign.objects.all()
    return FieldCampaign.objects.filter(group_id__in=led_group_ids(viewer))


def get_campaign_to_manage(viewer: Viewer, campaign_id: int) -> FieldCampaign:
    campaign = FieldCampaign.objects.filter(pk=campaign_id).select_related("script", "group").first()
    if campaign is None or not can_manage(viewer, campaign):
        raise Http404
    return campaign


def can_call(viewer: Viewer, campaign: FieldCampaign) -> bool:
    if not (is_volunteer(viewer) and campaign.is_phone_bank and campaign.is_open):
        return False
    if campaign.open_from_home or can_manage(viewer, campaign):
        return True
    return campaign.event_id is not None and organizing_events.has_confirmed_rsvp(viewer, campaign.event_id)


def get_phone_bank(viewer: Viewer, campaign_id: int) -> FieldCampaign:
    campaign = FieldCampaign.objects.filter(pk=campaign_id).select_related("script").first()
    if campaign is None or not can_call(viewer, campaign):
        raise Http404
    return campaign


def get_leased_call(viewer: Viewer, target_id: int) -> Target:
    """A contact the viewer holds the lease on (expired or not, as long as nobody else took it)."""
    if not is_volunteer(viewer):
        raise Http404
    target = (
        Target.objects.select_related("contact", "campaign__script")
        .filter(pk=target_id, leased_to=viewer)
        .first()
    )
    if target is None or not can_call(viewer, target.campaign):
        raise Http404
    return target


def holds(viewer: Viewer, walk_list: WalkList) -> bool:
    """The volunteer the list is assigned to, or an attendee of the event shift it is assigned to."""
    if not is_volunteer(viewer):
        return False
    if walk_list.assigned_to_id == viewer.pk:
        return True
    return walk_list.shift_id is not None and organizing_events.has_confirmed_rsvp_to_shift(
        viewer, walk_list.shift_id
    )


def get_walk_list(viewer: Viewer, walk_list_id: int) -> WalkList:
    """A list the viewer holds or manages."""
    walk_list = WalkList.objects.select_related("campaign__script").filter(pk=walk_list_id).first()
    if walk_list is None or not (holds(viewer, walk_list) or can_manage(viewer, walk_list.campaign)):
        raise Http404
    return walk_list


def get_walk_list_to_manage(viewer: Viewer, walk_list_id: int) -> WalkList:
    walk_list = WalkList.objects.select_related("campaign").filter(pk=walk_list_id).first()
    if walk_list is None or not can_manage(viewer, walk_list.campaign):
        raise Http404
    return walk_list


def held_walk_lists(viewer: Viewer) -> QuerySet[WalkList]:
    if not is_volunteer(viewer):
        return WalkList.objects.none()
    shifts = organizing_events.confirmed_shift_ids(viewer)
    return WalkList.objects.filter(Q(assigned_to=viewer) | Q(shift_id__in=shifts), campaign__is_open=True)


def get_result_to_manage(viewer: Viewer, result_id: int) -> Result:
    result = Result.objects.select_related("campaign").filter(pk=result_id).first()
    if result is None or not can_manage(viewer, result.campaign):
        raise Http404
    return result


def get_script(viewer: Viewer, script_id: int) -> Script:
    if not is_staff(viewer):
        raise Http404
    script = Script.objects.filter(pk=script_id).first()
    if script is None:
        raise Http404
    return script


def get_import(viewer: Viewer, job_id: int) -> ImportJob:
    if not is_staff(viewer):
        raise Http404
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job
