"""Events, shifts and RSVPs: attendees, recipients, cancellation links, one's own events, the feed's entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.organizing.models import Event, Membership, Rsvp, Shift
from quartier.reach.queries import viewer_referral_code

CANCEL_SALT = "organizing.rsvp.cancel"


def event_with_shifts(event_id: int) -> Event | None:
    return (
        Event.objects.select_related("host", "group")
        .prefetch_related(Prefetch("shifts", queryset=Shift.objects.order_by("starts_at", "pk")))
        .filter(pk=event_id)
        .first()
    )


# A supporter's name as `{% supporter_name %}` shows it (its transparency label reads the last two).
NAME_FIELDS = ("display_name", "handle", "is_active", "affiliation", "is_staff", "shown_badges")
# What the event page reads on every request: who may see the event, whether the viewer runs it, and what
# the viewer's part (shifts, RSVP form, host's tools) shows. The rest is in its shared part (`EVENT_SHOWN`).
EVENT_HEAD = ("title", "status", "host", "group", "address_visibility", "is_virtual", "time_zone", "starts_at",
              "ends_at", "max_guests_per_rsvp")  # fmt: skip
EVENT_SHOWN = (
    *EVENT_HEAD, "event_type", "description_html", "rejection_reason", "join_url", "venue", "address", "town",
    "latitude", "longitude", "public_latitude", "public_longitude", "group__name", "group__slug",
    *(f"host__{name}" for name in NAME_FIELDS),
)  # fmt: skip
LEADING = (Membership.Role.LEADER, Membership.Role.CO_LEADER)  # as `access.leads` reads them


def event_head(event_id: int, viewer: Supporter) -> Event | None:
    """The few columns the event page needs on every request, with, for a signed-in viewer,
    `viewer_leads` (whether they lead the event's group) and `viewer_referral_code` (for their share
    link): one query."""
    rows = Event.objects.filter(pk=event_id).only(*EVENT_HEAD)
    if viewer.is_authenticated:
        leading = Membership.objects.filter(
            group=OuterRef("group"), supporter=viewer, status=Membership.Status.ACTIVE, role__in=LEADING
        )
        rows = rows.annotate(viewer_leads=Exists(leading), viewer_referral_code=viewer_referral_code(viewer))
    return rows.first()


def event_shown(event_id: int) -> Event | None:
    """What the shared part of the event page shows: the event, its host's name and its group's, and no
    other column."""
    return Event.objects.select_related("host", "group").only(*EVENT_SHOWN).filter(pk=event_id).first()


def shifts_with_rsvps_of(viewer: Supporter, event_id: int) -> list[tuple[Shift, Rsvp | None]]:
    """An event's shifts, first first, each with the viewer's RSVP to it (None for none): one query."""
    rows = Shift.objects.filter(event_id=event_id).only("starts_at", "ends_at", "capacity", "confirmed_count")
    if not viewer.is_authenticated:
        return [(shift, None) for shift in rows.order_by("starts_at", "pk")]
    mine = Rsvp.objects.filter(shift=OuterRef("pk"), supporter=viewer)
    rows = rows.annotate(
        my_rsvp=Subquery(mine.values("pk")[:1]), my_status=Subquery(mine.values("status")[:1])
    ).order_by("starts_at", "pk")
    return [
        (
            shift,
            None
            if shift.my_rsvp is None
            else Rsvp(pk=shift.my_rsvp, shift_id=shift.pk, status=shift.my_status),
        )
        for shift in rows
    ]


def rsvps_of(supporter: Supporter, event: Event) -> dict[int, Rsvp]:
    """The supporter's RSVPs to this event, by shift id."""
    if not supporter.is_authenticated:
        return {}
    return {r.shift_id: r for r in Rsvp.objects.filter(supporter=supporter, shift__event=event)}


def is_attending(supporter: Supporter, event: Event) -> bool:
    if not supporter.is_authenticated:
        return False
    return Rsvp.objects.filter(supporter=supporter, shift__event=event, status=Rsvp.Status.CONFIRMED).exists()


def attendees(event: Event) -> list[Rsvp]:
    return list(
        Rsvp.objects.filter(shift__event=event)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("supporter", "shift", "referrer")
        .order_by("shift__starts_at", "status", "created_at")
    )


def event_recipients(event: Event) -> QuerySet[Supporter]:
    """The people confirmed for an event, whom its host may write to."""
    return Supporter.objects.filter(rsvps__shift__event=event, rsvps__status=Rsvp.Status.CONFIRMED).distinct()


def pending_events() -> QuerySet[Event]:
    return (
        Event.objects.filter(status=Event.Status.PENDING)
        .select_related("host", "group")
        .order_by("created_at")
    )


# What a list of one's events shows: title, link, time in its zone, status.
LISTED_EVENT_FIELDS = ("title", "starts_at", "time_zone", "is_virtual", "status")


def _attending(supporter: Supporter, now: datetime) -> QuerySet[Rsvp]:
    return Rsvp.objects.filter(supporter=supporter, shift__ends_at__gt=now).exclude(
        status=Rsvp.Status.CANCELLED
    )


def _hosting(supporter: Supporter, now: datetime) -> QuerySet[Event]:
    return Event.objects.filter(host=supporter, ends_at__gt=now)


def my_events_counters(supporter: Supporter) -> dict:
    """Whether `my_events` has anything to list, as expressions a page reads with its other counts in
    one query (`accounts.queries.read_together`)."""
    now = timezone.now()
    return {
        "organizing_attending": Exists(_attending(supporter, now)),
        "organizing_hosting": Exists(_hosting(supporter, now)),
    }


def my_events(supporter: Supporter, counters: dict | None = None) -> dict[str, list]:
    """What the supporter attends and hosts from now on, with only the columns the lists show (only the
    lists `counters` says are not empty, when given)."""
    now = timezone.now()
    attending, hosting = [], []
    if counters is None or counters["organizing_attending"]:
        shown = (
            "status",
            "shift__starts_at",
            "shift__event",
            *(f"shift__event__{f}" for f in LISTED_EVENT_FIELDS),
        )
        attending = list(
            _attending(supporter, now)
            .select_related("shift__event")
            .only(*shown)
            .order_by("shift__starts_at")
        )
    if counters is None or counters["organizing_hosting"]:
        hosting = list(_hosting(supporter, now).only(*LISTED_EVENT_FIELDS).order_by("starts_at"))
    return {"attending": attending, "hosting": hosting}


@dataclass
class FeedEntry:
    """A shift in a personal calendar feed; `show_private` when the supporter is confirmed or hosts it."""

    event: Event
    shift: Shift
    show_private: bool


def feed_entries(supporter: Supporter) -> list[FeedEntry]:
    """What the supporter attends (confirmed or waitlisted) or hosts, from a month ago on.

    The attendee-only address and the join link are for confirmed attendees and hosts: a waitlisted
    person's entry shows the town (or "Online") only, as the event page does.
    """
    since = timezone.now() - timezone.timedelta(days=31)
    entries: dict[int, FeedEntry] = {}
    for record in (
        Rsvp.objects.filter(supporter=supporter, shift__ends_at__gt=since)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("shift__event")
    ):
        entries[record.shift_id] = FeedEntry(
            record.shift.event, record.shift, show_private=record.status == Rsvp.Status.CONFIRMED
        )
    for shift in Shift.objects.filter(event__host=supporter, ends_at__gt=since).select_related("event"):
        entries[shift.pk] = FeedEntry(shift.event, shift, show_private=True)
    return sorted(entries.values(), key=lambda entry: entry.shift.starts_at)


def cancel_token(rsvp: Rsvp) -> str:
    """A guest's cancel link, bound to this RSVP: re-RSVPing after a cancel sets a new `created_at`."""
    return signing.dumps(
        {"rsvp": rsvp.pk, "supporter": rsvp.supporter_id, "at": rsvp.created_at.isoformat()},
        salt=CANCEL_SALT, compress=True,
    )  # fmt: skip


def rsvp_from_cancel_token(token: str) -> tuple[Rsvp, bool] | None:
    """The RSVP a cancel link names and whether the link still works, or None for a forged link.

    A link stops working when its shift has ended, or when the RSVP it was sent for was replaced by
    a later one to the same shift.
    """
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    record = (
        Rsvp.objects.select_related("shift__event", "supporter")
        .filter(pk=data.get("rsvp"), supporter_id=data.get("supporter"))
        .first()
    )
    if record is None:
        return None
    current = data.get("at") == record.created_at.isoformat() and record.shift.ends_at > timezone.now()
    return record, current


def people_to_tell_of_cancellation(event: Event) -> int:
    """How many people get the cancellation email: everyone with an RSVP still standing, once each."""
    return (
        Rsvp.objects.filter(shift__event=event)
        .exclude(status=Rsvp.Status.CANCELLED)
        .values("supporter")
        .distinct()
        .count()
    )


def active_rsvps_of(supporter_id: int, event: Event) -> list[Rsvp]:
    """Someone's RSVPs to an event that still stand (confirmed or waitlisted), first shift first."""
    return list(
        Rsvp.objects.filter(supporter_id=supporter_id, shift__event=event)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("shift")
        .order_by("shift__starts_at")
    )


def ever_attended_ids() -> QuerySet:
    """The supporter ids of everyone marked present at an event, as a subquery."""
    return Rsvp.objects.filter(attended=True).values("supporter_id")


def attendee_ids(event_id: int) -> QuerySet:
    """Confirmed attendees and the host of an event, as a list of supporter ids."""
    return Rsvp.objects.filter(shift__event_id=event_id, status=Rsvp.Status.CONFIRMED).values("supporter_id")


def is_attendee_or_host(supporter: Supporter, event: Event) -> bool:
    if not supporter.is_authenticated:
        return False
    return supporter.pk == event.host_id or attendee_ids(event.pk).filter(supporter_id=supporter.pk).exists()


def recent_hosted_events(supporters: QuerySet, *, before: datetime | None, limit: int) -> list[Event]:
    """Published events hosted by `supporters` (a subquery of ids), newest first."""
    rows = Event.objects.filter(host_id__in=supporters, status=Event.Status.PUBLISHED)
    if before is not None:
        rows = rows.filter(created_at__lte=before)
    return list(rows.select_related("host", "group").order_by("-created_at", "-pk")[:limit])


def has_confirmed_rsvp(supporter: Supporter, event_id: int) -> bool:
    return Rsvp.objects.filter(
        supporter=supporter, shift__event_id=event_id, status=Rsvp.Status.CONFIRMED
    ).exists()


def has_confirmed_rsvp_to_shift(supporter: Supporter, shift_id: int) -> bool:
    return Rsvp.objects.filter(supporter=supporter, shift_id=shift_id, status=Rsvp.Status.CONFIRMED).exists()


def confirmed_shift_ids(supporter: Supporter) -> QuerySet:
    """The ids of the shifts the supporter is confirmed for, as a subquery (no query of its own)."""
    return Rsvp.objects.filter(supporter=supporter, status=Rsvp.Status.CONFIRMED).values("shift_id")


def shift_by_id(shift_id: int) -> Shift | None:
    return Shift.objects.filter(pk=shift_id).first()


def shift_choices(event_id: int) -> list[tuple[int, str]]:
    """An event's shifts as (id, "start to end" in the event's time zone), for a select."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return []
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(event.time_zone)
    return [
        (
            shift.pk,
            f"{shift.starts_at.astimezone(zone):%Y-%m-%d %H:%M} – {shift.ends_at.astimezone(zone):%H:%M}",
        )
        for shift in Shift.objects.filter(event_id=event_id)
    ]


def fieldwork_volunteers(*, group_id: int | None, event_id: int | None, limit: int = 500) -> list[Supporter]:
    """Whom a leader may give a walk list: the group's active members and the event's confirmed attendees."""
    wanted = Q(pk__in=[])
    if group_id:
        wanted |= Q(group_memberships__group_id=group_id, group_memberships__status=Membership.Status.ACTIVE)
    if event_id:
        wanted |= Q(rsvps__shift__event_id=event_id, rsvps__status=Rsvp.Status.CONFIRMED)
    return list(
        Supporter.objects.filter(wanted, is_active=True, email_verified_at__isnull=False)
        .distinct()
        .order_by("display_name", "pk")[:limit]
    )
