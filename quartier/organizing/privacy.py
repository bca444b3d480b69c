"""Personal data kept by local groups and events (see `quartier/accounts/privacy.py`)."""

from __future__ import annotations

from quartier.accounts import privacy


def register_sources() -> None:
    from quartier.organizing.models import (
        CalendarFeed,
        Event,
        Group,
        Membership,
        PendingRsvp,
        Rsvp,
        SentReminder,
    )

    privacy.register(
        privacy.PersonalDataSource(
            name="group_memberships",
            models=(Membership,),
            export=lambda s: list(
                Membership.objects.filter(supporter=s).values("group__name", "role", "status", "joined_at")
            ),
            erase=lambda s: _leave_all_groups(s),
        )
    )
    privacy.register(
        privacy.PersonalDataSource(
            name="rsvps",
            models=(Rsvp, SentReminder),
            export=lambda s: list(
                Rsvp.objects.filter(supporter=s).values(
                    "shift__event__title",
                    "shift__starts_at",
                    "status",
                    "guests",
                    "phone",
                    "attended",
                    "created_at",
                )
            ),
            erase=lambda s: _cancel_and_erase_rsvps(s),
        )
    )
    privacy.register(
        privacy.PersonalDataSource(
            name="hosted_events_and_groups",
            models=(Event, Group),
            export=lambda s: {
                "events": list(Event.objects.filter(host=s).values("title", "starts_at", "status")),
                "groups_started": list(Group.objects.filter(created_by=s).values("name", "created_at")),
            },
            erase=lambda s: None,
            kept_after_deletion=(
                "Events you hosted and groups you started stay for the people who joined them; they no longer "
                "show your name."
            ),
        )
    )
    privacy.register(
        privacy.PersonalDataSource(
            name="pending_rsvps",
            models=(PendingRsvp,),
            export=lambda s: privacy.rows(_pending_rsvps_of(s), exclude=("token_hash",)),
            erase=lambda s: _pending_rsvps_of(s).delete(),
        )
    )
    privacy.register(
        privacy.PersonalDataSource(
            name="calendar_feed",
            models=(CalendarFeed,),
            export=lambda s: [],  # the secret address is a credential, not information about you
            erase=lambda s: CalendarFeed.objects.filter(supporter=s).delete(),
        )
    )


def _leave_all_groups(supporter) -> None:
    from django.db.models import F

    from quartier.organizing.actions.common import group_changed
    from quartier.organizing.models import Group, Membership

    for membership in Membership.objects.filter(supporter=supporter, status=Membership.Status.ACTIVE):
        Group.objects.filter(pk=membership.group_id).update(member_count=F("member_count") - 1)
        group_changed(membership.group_id)
    Membership.objects.filter(supporter=supporter).delete()


def _cancel_and_erase_rsvps(supporter) -> None:
    from quartier.organizing.actions.rsvps import cancel_rsvp
    from quartier.organizing.models import Rsvp

    for record in Rsvp.objects.filter(supporter=supporter).exclude(status=Rsvp.Status.CANCELLED):
        if not record.shift.event.is_past:
            cancel_rsvp(rsvp_record=record)  # frees the place for the waiting list
    Rsvp.objects.filter(supporter=supporter).delete()


def _pending_rsvps_of(supporter):
    """RSVPs asked for the supporter's account or address, confirmed or not."""
    from django.db.models import Q

    from quartier.organizing.models import PendingRsvp

    return PendingRsvp.objects.filter(Q(supporter=supporter) | Q(email__iexact=supporter.email)).order_by(
        "pk"
    )
