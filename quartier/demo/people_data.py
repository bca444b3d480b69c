"""The named demo accounts (`demo_people.py`) made real: verified accounts with profiles, consents and
the organiser's two factors, then their groups, events and RSVPs, and the addresses `load_demo` prints.

Run by `load_demo`; each part is created once (a second run finds it and adds nothing).
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from quartier.accounts import actions, verification
from quartier.accounts.actions import ProfileChanges
from quartier.accounts.models import CAMPAIGN_NEWS, ConsentRecord, Supporter, Visibility
from quartier.demo.demo_people import (
    DEMO_ACCOUNTS,
    DEMO_GROUPS,
    DEMO_TOTP_SECRET,
    MARIE_EMAIL,
    NEIGHBOUR_RSVPS_PER_SHIFT,
    NEIGHBOURS_PER_GROUP,
    ORGANISER_EMAIL,
    DemoEvent,
)
from quartier.demo.generator import (
    DEMO_PASSWORD,
    GENERATED_EMAIL_DOMAIN,
    consent_wordings,
    ensure_causes,
)
from quartier.lib.places import find_place
from quartier.organizing.actions import common as organizing_common
from quartier.organizing.actions import events as organizing_events
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.forms.fields import HOST_CONSENT_WORDING, LEADER_CONSENT_WORDING
from quartier.organizing.models import Event, EventType, Group, Rsvp, Shift


def organiser_totp_secret() -> str | None:
    """The organiser's TOTP secret as stored by allauth (None before `load_demo`)."""
    authenticator = Authenticator.objects.filter(
        user__email=ORGANISER_EMAIL, type=Authenticator.Type.TOTP
    ).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def current_totp_code(secret: str) -> tuple[str, int]:
    """The code an authenticator app shows now for `secret`, and the seconds it stays valid."""
    now = int(time.time())
    period = mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, now // period)), period - now % period


@transaction.atomic
def create_demo_accounts() -> list[Supporter]:
    """The named demo accounts, verified, with profiles, consents and (for the organiser) two factors."""
    causes = {cause.slug: cause for cause in ensure_causes()[0]}
    wordings = consent_wordings()
    now = timezone.now()
    created: list[Supporter] = []
    organiser: Supporter | None = None
    for account in DEMO_ACCOUNTS:
        supporter = Supporter.objects.create_user(
            account.email,
            DEMO_PASSWORD,
            display_name=account.display_name,
            handle=actions.unique_handle(account.display_name),
            language=account.language,
            is_staff=account.is_staff,
            email_verified_at=now,
        )
        EmailAddress.objects.create(user=supporter, email=supporter.email, verified=True, primary=True)
        actions.update_profile(
            supporter=supporter,
            changes=ProfileChanges(
                handle=supporter.handle,
                display_name=account.display_name,
                country=account.country,
                postal_code=account.postal_code,
                bio=account.bio,
                why_involved=account.why_involved,
                causes=[causes[slug] for slug in account.causes],
                languages_spoken=list(account.languages_spoken),
                links=[],
                visibility=dict.fromkeys(("bio", "why_involved", "causes", "languages"), Visibility.PUBLIC),
            ),
        )
        actions.record_consent(
            supporter=supporter,
            audience=CAMPAIGN_NEWS,
            granted=True,
            wording=wordings[account.language],
            language=account.language,
            source=ConsentRecord.Source.DEMO,
            ip_address=None,
        )
        if account.is_staff:
            organiser = supporter
            TOTP.activate(supporter, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(supporter)
        created.append(supporter)
    assert organiser is not None
    for supporter, account in zip(created, DEMO_ACCOUNTS, strict=True):
        if account.affiliation:
            # Through the action, so that the labels have their audit trail like real ones.
            actions.set_affiliation(
                supporter=supporter, affiliation=account.affiliation, changed_by=organiser
            )
        # Badges: every named account confirmed its email; the organiser (staff) vouches for each.
        if supporter.pk == organiser.pk:
            verification.refresh_badges(supporter)
        else:
            verification.vouch(voucher=organiser, vouchee=supporter, note="Demo: met at the campaign office")
    return created


# --- the demo accounts' local life ---------------------------------------------------------------------


def _local_day(zone: ZoneInfo, days: int, weekday: int | None) -> date:
    """The day `days` from today where the event is, moved forward to `weekday` when one is given."""
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    return day


def _neighbours(codes: tuple[str, ...], count: int) -> list[Supporter]:
    """Verified generated supporters living at postal codes starting with one of `codes`."""
    found: list[Supporter] = []
    for code in codes:
        found += Supporter.objects.filter(
            email__startswith="supporter-",
            email__endswith=f"@{GENERATED_EMAIL_DOMAIN}",
            email_verified_at__isnull=False,
            postal_code__startswith=code,
        ).order_by("pk")[: count - len(found)]
        if len(found) >= count:
            break
    return found


def _join(supporter: Supporter, group: Group) -> None:
    organizing_groups.join_group(
        supporter=supporter,
        group=group,
        accepts_messages=True,
        consent_wording=str(LEADER_CONSENT_WORDING),
        language=supporter.language,
        ip_address=None,
        is_listed=True,
    )


def _demo_rsvp(supporter: Supporter, shift: Shift, event: Event) -> None:
    """What `actions.rsvp` writes (confirmed while places remain), without the confirmation email."""
    if Rsvp.objects.filter(shift=shift, supporter=supporter).exists():
        return
    shift.refresh_from_db(fields=["confirmed_count"])
    confirmed = shift.confirmed_count + 1 <= shift.capacity
    Rsvp.objects.create(
        shift=shift,
        supporter=supporter,
        status=Rsvp.Status.CONFIRMED if confirmed else Rsvp.Status.WAITLISTED,
    )
    if confirmed:
        Shift.objects.filter(pk=shift.pk).update(confirmed_count=F("confirmed_count") + 1)
    actions.record_consent(
        supporter=supporter,
        audience=organizing_common.event_audience(event),
        granted=True,
        wording=str(HOST_CONSENT_WORDING),
        language=supporter.language,
        source=ConsentRecord.Source.RSVP,
        ip_address=None,
    )


def _create_demo_event(group: Group, leader: Supporter, spec: DemoEvent, zone_name: str) -> Event:
    zone = ZoneInfo(zone_name)
    shifts = []
    for shift in spec.shifts:
        day = _local_day(zone, shift.day, spec.weekday)
        starts_at = datetime.combine(day, time_of_day(*shift.start), zone)
        shifts.append(
            organizing_events.ShiftDraft(
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=shift.minutes),
                capacity=shift.capacity,
            )
        )
    return organizing_events.create_event(
        host=leader,
        draft=organizing_events.EventDraft(
            title=spec.title, description=spec.description, event_type=spec.event_type,
            is_virtual=spec.is_virtual, join_url=spec.join_url, venue=spec.venue, address=spec.address,
            address_visibility=spec.address_visibility, country=group.country,
            postal_code="" if spec.is_virtual else group.postal_code, town="" if spec.is_virtual else group.town,
            latitude=None if spec.is_virtual else group.latitude,
            longitude=None if spec.is_virtual else group.longitude,
            time_zone=zone_name, max_guests_per_rsvp=spec.max_guests_per_rsvp, group=group, shifts=shifts,
        ),
    )  # fmt: skip


@transaction.atomic
def create_demo_groups() -> list[Group]:
    """The named accounts' groups and events (each created once: a group found by its address is kept)."""
    created: list[Group] = []
    marie = Supporter.objects.get(email=MARIE_EMAIL)
    for spec in DEMO_GROUPS:
        if Group.objects.filter(slug=slugify(spec.name)).exists():
            continue
        leader = Supporter.objects.get(email=spec.leader_email)
        place = find_place(spec.country, spec.postal_code)
        assert place is not None and place.latitude is not None and place.longitude is not None
        group = organizing_groups.create_group(
            creator=leader,
            draft=organizing_groups.GroupDraft(
                name=spec.name, description=spec.description, area=spec.area, country=spec.country,
                postal_code=place.postal_code, latitude=place.latitude, longitude=place.longitude, town=place.town,
                join_policy=Group.JoinPolicy.OPEN,
            ),
        )  # fmt: skip
        if spec.featured:
            organizing_groups.set_group_featured(group=group, featured=True)
        neighbours = _neighbours(spec.neighbour_codes, NEIGHBOURS_PER_GROUP)
        with_marie = spec.leader_email == ORGANISER_EMAIL
        for supporter in [marie, *neighbours] if with_marie else neighbours:
            _join(supporter, group)
        for event_spec in spec.events:
            event = _create_demo_event(group, leader, event_spec, spec.time_zone)
            for index, shift in enumerate(event.shifts.order_by("starts_at", "pk")):
                # Neighbours take a few places; Marie goes to the first shift of the organiser's canvass.
                attendees = neighbours[index::2][:NEIGHBOUR_RSVPS_PER_SHIFT]
                if with_marie and index == 0 and event.event_type == EventType.CANVASS:
                    attendees = [marie, *attendees]
                for supporter in attendees:
                    _demo_rsvp(supporter, shift, event)
        created.append(group)
    return created


def demo_links(port: str) -> list[str]:
    """The addresses of the demo accounts' groups and events, for the printed logins."""
    lines: list[str] = []
    for spec in DEMO_GROUPS:
        group = Group.objects.filter(slug=slugify(spec.name)).first()
        if group is None:
            continue
        leader = next(account for account in DEMO_ACCOUNTS if account.email == spec.leader_email)
        lines.append(
            f"  group  http://127.0.0.1:{port}{group.get_absolute_url()}  {group.name} (led by {leader.display_name})"
        )
        for event in Event.objects.filter(group=group, host=group.created_by).order_by("starts_at", "pk"):
            shifts = event.shifts.count()
            lines.append(
                f"  event  http://127.0.0.1:{port}{event.get_absolute_url()}  {event.title} "
                f"({event.get_event_type_display().lower()}, {shifts} shift{'s' if shifts > 1 else ''})"
            )
    return lines
