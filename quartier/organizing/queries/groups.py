"""Groups and their members: memberships, listed members within privacy, leaders, recipients, news."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, FilteredRelation, Q, QuerySet
from django.utils import timezone

from quartier.accounts.models import Profile, Supporter
from quartier.accounts.queries import can_see
from quartier.organizing.models import Event, Group, Membership, Rsvp
from quartier.organizing.queries.events import NAME_FIELDS
from quartier.outreach.queries import consenting
from quartier.reach.queries import viewer_referral_code

# What the group page reads on every request (the group's head and the viewer's part); its lists of
# events and members are its shared part, cached (`views.groups.group_lists`).
GROUP_HEAD = ("name", "slug", "area", "town", "member_count", "status", "description_html", "join_policy",
              "is_featured", "merged_into__slug")  # fmt: skip
# What an event's card shows (`{% event_card %}`).
CARD_FIELDS = ("title", "starts_at", "ends_at", "time_zone", "is_virtual", "town", "event_type", "group__name",
               *(f"host__{name}" for name in NAME_FIELDS))  # fmt: skip


def group_head(slug: str, viewer: Supporter) -> Group | None:
    """The group page's narrow read, with the viewer's membership as `viewer_membership` (None for
    none) and their referral code as `viewer_referral_code`: one query, the membership by a join."""
    rows = Group.objects.select_related("merged_into").only(*GROUP_HEAD).filter(slug=slug)
    if viewer.is_authenticated:
        rows = rows.annotate(
            mine=FilteredRelation("memberships", condition=Q(memberships__supporter=viewer)),
            my_membership=F("mine__pk"), my_role=F("mine__role"), my_status=F("mine__status"),
            my_listing=F("mine__is_listed"), viewer_referral_code=viewer_referral_code(viewer),
        )  # fmt: skip
    group = rows.first()
    if group is not None:
        mine = getattr(group, "my_membership", None)
        group.viewer_membership = (
            None if mine is None else Membership(
                pk=mine, group_id=group.pk, supporter_id=viewer.pk, role=group.my_role, status=group.my_status,
                is_listed=group.my_listing,
            )
        )  # fmt: skip
    return group


def membership_of(supporter: Supporter, group: Group) -> Membership | None:
    if not supporter.is_authenticated:
        return None
    return Membership.objects.filter(group=group, supporter=supporter).first()


def members(group: Group) -> list[Membership]:
    """Every membership, pending ones included: for the group's leaders and staff only."""
    return list(
        Membership.objects.filter(group=group)
        .select_related("supporter", "supporter__profile")
        .order_by("status", "role", "joined_at")
    )


def listed_members(group: Group, viewer) -> list[Membership]:
    """The member list others see: active members who chose to be listed and whose profile the viewer
    may open (the rule of `accounts.access.get_visible_supporter`: a confirmed, active, undeleted
    account), plus the viewer themselves."""
    shown = Q(
        is_listed=True,
        supporter__email_verified_at__isnull=False,
        supporter__is_active=True,
        supporter__deleted_at__isnull=True,
    )
    if viewer.is_authenticated:
        shown |= Q(supporter=viewer)
    return list(
        Membership.objects.filter(shown, group=group, status=Membership.Status.ACTIVE)
        .select_related("supporter")
        .only("role", "status", "is_listed", "supporter", *(f"supporter__{name}" for name in NAME_FIELDS))
        .order_by("role", "joined_at")
    )


def members_accepting_messages(group: Group, audience: str) -> set[int]:
    """Ids of the members whose latest choice for the group's audience is a yes."""
    supporters = Supporter.objects.filter(group_memberships__group=group)
    return set(consenting(supporters, audience).values_list("pk", flat=True))


def members_with_town(group: Group, viewer) -> list[tuple[Membership, str | None]]:
    """Every membership with the member's town, or None when their privacy settings hide it from `viewer`."""
    rows = []
    for membership in members(group):
        profile = getattr(membership.supporter, "profile", None) or Profile(supporter=membership.supporter)
        shown = can_see(profile.visibility_of("town"), owner=membership.supporter, viewer=viewer)
        rows.append((membership, membership.supporter.town if shown else None))
    return rows


def reachable_count(recipients: QuerySet[Supporter], audience: str) -> int:
    """How many of `recipients` a message to `audience` reaches: the very selection
    `outreach.send_message` makes (each person once, consenting, active and verified)."""
    return consenting(Supporter.objects.filter(pk__in=recipients.values("pk")), audience).count()


def group_recipients(group: Group, sender: Supporter) -> QuerySet[Supporter]:
    """The members a leader's message is for (outreach then keeps those who accepted)."""
    return Supporter.objects.filter(
        group_memberships__group=group, group_memberships__status=Membership.Status.ACTIVE
    ).exclude(pk=sender.pk)


def upcoming_group_events(group: Group, limit: int = 10) -> list[Event]:
    return list(
        Event.objects.filter(group=group, status=Event.Status.PUBLISHED, ends_at__gt=timezone.now())
        .select_related("host", "group")
        .only(*CARD_FIELDS)
        .order_by("starts_at")[:limit]
    )


def my_groups_counters(supporter: Supporter) -> dict:
    """Whether the person is in any group, as an expression read with a page's other counts."""
    return {"organizing_groups": Exists(active_group_ids(supporter))}


def my_groups_with_news(
    supporter: Supporter, events_per_group: int = 2, counters: dict | None = None
) -> list[tuple[Membership, list[Event]]]:
    """The person's active groups, each with its next published events (two queries; none when
    `counters` says the person is in no group)."""
    if counters is not None and not counters["organizing_groups"]:
        return []
    memberships = list(
        Membership.objects.filter(supporter=supporter, status=Membership.Status.ACTIVE)
        .select_related("group")
        .only("role", "status", "group", "group__name", "group__slug")
        .order_by("group__name")[:20]
    )
    upcoming: dict[int, list[Event]] = {m.group_id: [] for m in memberships}
    if upcoming:
        events = (
            Event.objects.filter(
                group_id__in=upcoming, status=Event.Status.PUBLISHED, ends_at__gt=timezone.now()
            )
            .only("group_id", "title", "starts_at", "time_zone", "is_virtual")
            .order_by("starts_at")[: events_per_group * len(upcoming) * 3]
        )
        for event in events:
            if len(upcoming[event.group_id]) < events_per_group:
                upcoming[event.group_id].append(event)
    return [(membership, upcoming[membership.group_id]) for membership in memberships]


def active_group_ids(supporter: Supporter) -> QuerySet:
    """The ids of the groups the supporter is an active member of, as a subquery."""
    return Membership.objects.filter(supporter=supporter, status=Membership.Status.ACTIVE).values("group_id")


def is_active_member(supporter: Supporter, group_id: int) -> bool:
    if not supporter.is_authenticated:
        return False
    return Membership.objects.filter(
        supporter=supporter, group_id=group_id, status=Membership.Status.ACTIVE
    ).exists()


def leader_group_ids(supporter: Supporter) -> QuerySet:
    """The ids of the groups the supporter leads or co-leads, as a subquery."""
    return Membership.objects.filter(
        supporter=supporter,
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.LEADER, Membership.Role.CO_LEADER],
    ).values("group_id")


def active_member_ids(group_id: int) -> QuerySet:
    """The supporter ids of a group's active members, as a subquery."""
    return Membership.objects.filter(group_id=group_id, status=Membership.Status.ACTIVE).values(
        "supporter_id"
    )


def group_names_of(supporter_ids: list[int]) -> dict[int, str]:
    """Each supporter's first active group (oldest membership), by supporter id."""
    names: dict[int, str] = {}
    rows = (
        Membership.objects.filter(supporter_id__in=supporter_ids, status=Membership.Status.ACTIVE)
        .order_by("supporter_id", "pk")
        .values_list("supporter_id", "group__name")
    )
    for supporter_id, name in rows:
        names.setdefault(supporter_id, name)
    return names


def recent_joins(supporters: QuerySet, *, before: datetime | None, limit: int) -> list[Membership]:
    """Active memberships of `supporters` (a subquery of ids) in active groups, newest first."""
    rows = Membership.objects.filter(
        supporter_id__in=supporters, status=Membership.Status.ACTIVE, group__status=Group.Status.ACTIVE
    )
    if before is not None:
        rows = rows.filter(joined_at__lte=before)
    return list(rows.select_related("supporter", "group").order_by("-joined_at", "-pk")[:limit])


def people_sharing_groups_and_events(supporter: Supporter, *, exclude: QuerySet, limit: int) -> list[int]:
    """Ids of people in the supporter's groups or at the supporter's events, most shared first.

    Reads the supporter's own groups and events (a few), then their members (indexed by group and by
    shift); people in `exclude` (a subquery of ids) and the supporter are left out.
    """
    from django.db.models import Count

    my_shifts = (
        Rsvp.objects.filter(supporter=supporter).exclude(status=Rsvp.Status.CANCELLED).values("shift_id")
    )
    counts: dict[int, int] = {}
    for source in (
        Membership.objects.filter(group_id__in=active_group_ids(supporter), status=Membership.Status.ACTIVE)
        .exclude(supporter_id__in=exclude)
        .exclude(supporter=supporter)
        .values("supporter_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared")[: limit * 5],
        Rsvp.objects.filter(shift_id__in=my_shifts)
        .exclude(status=Rsvp.Status.CANCELLED)
        .exclude(supporter_id__in=exclude)
        .exclude(supporter=supporter)
        .values("supporter_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared")[: limit * 5],
    ):
        for row in source:
            counts[row["supporter_id"]] = counts.get(row["supporter_id"], 0) + row["shared"]
    return [pk for pk, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def led_group_ids(supporter: Supporter) -> list[int]:
    """The groups the supporter leads or co-leads."""
    return list(
        Membership.objects.filter(
            supporter=supporter,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.LEADER, Membership.Role.CO_LEADER],
        ).values_list("group_id", flat=True)
    )


def groups_named(text: str, limit: int = 10) -> list[tuple[int, str, str]]:
    """Active groups whose name contains `text` (any case), those starting with it first, for the
    segment builder's suggestions: (id, name, town)."""
    text = " ".join(text.split())
    if not text:
        return []
    rows = Group.objects.filter(status=Group.Status.ACTIVE, name__icontains=text).values_list(
        "pk", "name", "town"
    )
    rows = sorted(
        rows[: limit * 5],
        key=lambda row: (not row[1].lower().startswith(text.lower()), row[1].lower(), row[0]),
    )
    return rows[:limit]


def groups_called(name: str) -> list[tuple[int, str, str]]:
    """Active groups with exactly this name (any case): (id, name, town)."""
    name = " ".join(name.split())
    return list(
        Group.objects.filter(status=Group.Status.ACTIVE, name__iexact=name)
        .order_by("pk")
        .values_list("pk", "name", "town")
    )


def group_name(group_id: int) -> str | None:
    return Group.objects.filter(pk=group_id).values_list("name", flat=True).first()


def leads_a_group(supporter: Supporter) -> bool:
    """Whether the supporter leads or co-leads an active group (a leader may vouch for supporters)."""
    return Membership.objects.filter(
        supporter=supporter,
        role__in=[Membership.Role.LEADER, Membership.Role.CO_LEADER],
        status=Membership.Status.ACTIVE,
        group__status=Group.Status.ACTIVE,
    ).exists()
