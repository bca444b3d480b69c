"""Local groups: create, edit, join, leave, approve, roles, listing, messages to members, featuring, closing and merging."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from quartier.accounts import actions as accounts_actions
from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.lib.page_cache import bump, stamp
from quartier.lib.text import render_markdown
from quartier.organizing import tasks
from quartier.organizing.actions.common import OrganizingError, group_audience, group_changed, role_in
from quartier.organizing.models import (
    Event,
    Group,
    Membership,
)
from quartier.organizing.queries.groups import group_recipients
from quartier.outreach.actions import campaign_send as outreach_campaign_send


@dataclass
class GroupDraft:
    name: str
    description: str
    area: str
    country: str
    postal_code: str
    latitude: float
    longitude: float
    town: str
    join_policy: str


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "group"
    slug = base
    while Group.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


@transaction.atomic
def create_group(*, creator: Supporter, draft: GroupDraft) -> Group:
    group = Group.objects.create(
        name=draft.name,
        slug=_unique_slug(draft.name),
        description=draft.description,
        description_html=render_markdown(draft.description),
        area=draft.area,
        country=draft.country,
        postal_code=draft.postal_code,
        town=draft.town,
        latitude=draft.latitude,
        longitude=draft.longitude,
        join_policy=draft.join_policy,
        created_by=creator,
        member_count=1,
    )
    group_changed(group.pk, listing=True)
    record_activity("organizing.group_created", supporter=creator, key=f"group:{group.pk}", group_id=group.pk)
    _record_joined(Membership.objects.create(group=group, supporter=creator, role=Membership.Role.LEADER))
    return group


@transaction.atomic
def update_group(*, group: Group, draft: GroupDraft) -> Group:
    for name in ("name", "description", "area", "country", "postal_code", "latitude", "longitude", "town"):
        setattr(group, name, getattr(draft, name))
    group.join_policy = draft.join_policy
    group.description_html = render_markdown(draft.description)
    group.save()
    group_changed(group.pk, listing=True)
    return group


@transaction.atomic
def join_group(
    *,
    supporter: Supporter,
    group: Group,
    accepts_messages: bool,
    consent_wording: str,
    language: str,
    ip_address: str | None,
    referrer: Supporter | None = None,
    is_listed: bool = False,
) -> Membership:
    """Join (or ask to join) a group; joining twice changes nothing.

    A ticked box records a "yes" to the leaders' messages; an unticked one records nothing (it never
    withdraws a consent given before: unsubscribing does that).
    """
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if not locked.is_active:
        raise OrganizingError("group_closed")
    group_changed(locked.pk)  # members listed, member count
    status = (
        Membership.Status.PENDING
        if locked.join_policy == Group.JoinPolicy.APPROVAL
        else Membership.Status.ACTIVE
    )
    membership, created = Membership.objects.get_or_create(
        group=locked,
        supporter=supporter,
        defaults={"status": status, "referrer": referrer, "is_listed": is_listed},
    )
    if created:
        if status == Membership.Status.ACTIVE:
            Group.objects.filter(pk=locked.pk).update(member_count=F("member_count") + 1)
            _record_joined(membership)
        if accepts_messages:
            accounts_actions.record_consent(
                supporter=supporter,
                audience=group_audience(locked),
                granted=True,
                wording=consent_wording,
                language=language,
                source="join",
                ip_address=ip_address,
            )
    return membership


def _record_joined(membership: Membership) -> None:
    record_activity(
        "organizing.group_joined",
        supporter=membership.supporter,
        key=f"membership:{membership.pk}",
        credited_to=membership.referrer,
        group_id=membership.group_id,
    )


@transaction.atomic
def set_listed(*, membership: Membership, is_listed: bool) -> None:
    """The member chooses whether the group's member list shows them (leaders' tools always do)."""
    Membership.objects.filter(pk=membership.pk).update(is_listed=is_listed)
    group_changed(membership.group_id)
    membership.is_listed = is_listed


@transaction.atomic
def leave_group(*, supporter: Supporter, group: Group) -> None:
    locked = Group.objects.select_for_update().get(pk=group.pk)
    membership = Membership.objects.filter(group=locked, supporter=supporter).first()
    if membership is None:
        return
    if membership.role == Membership.Role.LEADER:
        other_leaders = Membership.objects.filter(
            group=locked, role=Membership.Role.LEADER, status=Membership.Status.ACTIVE
        ).exclude(pk=membership.pk)
        if not other_leaders.exists() and locked.member_count > 1:
            raise OrganizingError("last_leader")
    membership.delete()
    group_changed(locked.pk)
    if membership.status == Membership.Status.ACTIVE:
        Group.objects.filter(pk=locked.pk).update(member_count=F("member_count") - 1)


@transaction.atomic
def approve_member(*, membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status == Membership.Status.PENDING:
        locked.status = Membership.Status.ACTIVE
        locked.save(update_fields=["status"])
        Group.objects.filter(pk=locked.group_id).update(member_count=F("member_count") + 1)
        group_changed(locked.group_id)
        _record_joined(locked)
        transaction.on_commit(lambda: tasks.send_membership_approved.delay(locked.pk))
    return locked


@transaction.atomic
def decline_member(*, membership: Membership) -> None:
    Membership.objects.filter(pk=membership.pk, status=Membership.Status.PENDING).delete()


@transaction.atomic
def set_member_role(*, actor: Supporter, membership: Membership, role: str) -> Membership:
    """Change a member's role. The rule (docs/decisions.md): only a leader (or staff) changes roles,
    so only a leader hands over leadership; co-leaders approve and decline requests; nobody demotes
    the last leader."""
    if role not in Membership.Role.values:
        raise OrganizingError("not_allowed")
    Group.objects.select_for_update().filter(pk=membership.group_id).first()  # serialises role changes
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if not (actor.is_staff or role_in(locked.group_id, actor) == Membership.Role.LEADER):
        raise OrganizingError("only_leader_changes_roles")
    if locked.status != Membership.Status.ACTIVE:
        raise OrganizingError("not_a_member")
    if locked.role == role:
        return locked
    if locked.role == Membership.Role.LEADER:
        others = Membership.objects.filter(
            group_id=locked.group_id, role=Membership.Role.LEADER, status=Membership.Status.ACTIVE
        ).exclude(pk=locked.pk)
        if not others.exists():
            raise OrganizingError("last_leader")
    locked.role = role
    locked.save(update_fields=["role"])
    group_changed(locked.group_id)
    return locked


def message_group(*, sender: Supporter, group: Group, subject: str, body: str):
    """Email the members who accepted messages from this group's leaders (through outreach)."""
    return outreach_campaign_send.send_message(
        sender=sender,
        audience=group_audience(group),
        audience_label=group.name,
        recipients=group_recipients(group, sender),
        subject=subject,
        body=body,
    )


@transaction.atomic
def set_group_featured(*, group: Group, featured: bool) -> None:
    Group.objects.filter(pk=group.pk).update(is_featured=featured)
    group_changed(group.pk, listing=True)


@transaction.atomic
def close_group(*, group: Group) -> None:
    Group.objects.filter(pk=group.pk).update(status=Group.Status.CLOSED, is_featured=False)
    group_changed(group.pk, listing=True)


@transaction.atomic
def merge_groups(*, source: Group, target: Group) -> Group:
    """Move the source's members and events into the target; the source redirects to the target."""
    if source.pk == target.pk:
        raise OrganizingError("same_group")
    first, second = sorted([source.pk, target.pk])
    locked = {group.pk: group for group in Group.objects.select_for_update().filter(pk__in=[first, second])}
    source, target = locked[source.pk], locked[target.pk]
    if not target.is_active:
        raise OrganizingError("group_closed")
    already = set(Membership.objects.filter(group=target).values_list("supporter_id", flat=True))
    moving = Membership.objects.filter(group=source).exclude(supporter_id__in=already)
    for membership in moving:
        if membership.role == Membership.Role.LEADER:
            membership.role = Membership.Role.CO_LEADER
    Membership.objects.bulk_update(list(moving), ["role"])
    moving.update(group=target)
    Membership.objects.filter(group=source).delete()
    moved = list(Event.objects.filter(group=source).values_list("pk", flat=True))
    Event.objects.filter(group=source).update(group=target)
    bump("events", *(stamp("event", pk) for pk in moved))
    group_changed(source.pk, listing=True)
    group_changed(target.pk, listing=True)
    active = Membership.objects.filter(group=target, status=Membership.Status.ACTIVE).count()
    Group.objects.filter(pk=target.pk).update(member_count=active)
    Group.objects.filter(pk=source.pk).update(
        status=Group.Status.MERGED, merged_into=target, member_count=0, is_featured=False
    )
    return target
