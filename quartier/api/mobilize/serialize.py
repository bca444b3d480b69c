"""Quartier's events, supporters and RSVPs in Mobilize's shapes (see `schemas`).

Privacy: only published events are ever serialised here (the queries see to it); an address that only
attendees may see is replaced by Mobilize's own "private address" wording, its postal code left out and
its point replaced by the public one the map shows; the link to join an online event (shown only to
people who RSVPed) never leaves; the host's contact is given only to a key that may read people.
"""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.api.mobilize.organizations import Sponsors, region_code, unix
from quartier.lib.urls import absolute_url
from quartier.organizing.models import Event, Rsvp, Shift

# Quartier's event types → Mobilize's `event_type` enum.
EVENT_TYPES = {
    "canvass": "CANVASS",
    "phone_bank": "PHONE_BANK",
    "house_party": "HOUSE_PARTY",
    "rally": "RALLY",
    "meeting": "MEETING",
    "fundraiser": "FUNDRAISER",
    "voter_registration": "VOTER_REG",
    "training": "TRAINING",
    "other": "OTHER",
}
QUARTIER_TYPES = {mobilize: quartier for quartier, mobilize in EVENT_TYPES.items()}

# Mobilize's own wording for a hidden address (clients may compare with it, so it is not translated).
PRIVATE_ADDRESS = "This event’s address is private. Sign up for more details"

# RSVP status → Mobilize's attendance status (a waiting-list RSVP is no attendance: see the queries).
ATTENDANCE_STATUS = {Rsvp.Status.CONFIRMED: "REGISTERED", Rsvp.Status.CANCELLED: "CANCELLED"}


def timeslot(shift: Shift) -> dict:
    return {
        "id": shift.pk,
        "start_date": unix(shift.starts_at),
        "end_date": unix(shift.ends_at),
        "max_attendees": shift.capacity,
        "is_full": shift.is_full,
        "instructions": None,
    }


def location(event: Event) -> dict | None:
    if event.is_virtual and not (event.address or event.venue or event.town):
        return None
    public = event.address_visibility == Event.AddressVisibility.PUBLIC
    point = None
    if event.public_latitude is not None and event.public_longitude is not None:
        point = {"latitude": event.public_latitude, "longitude": event.public_longitude}
    return {
        "venue": event.venue if public else PRIVATE_ADDRESS,
        "address_lines": [event.address, ""] if public else [PRIVATE_ADDRESS, ""],
        "locality": event.town,
        "region": region_code(event.country, event.postal_code),
        "country": event.country,
        "postal_code": event.postal_code if public else "",
        "location": point,
        "congressional_district": None,
        "state_leg_district": None,
        "state_senate_district": None,
    }


def contact(host: Supporter) -> dict:
    return {
        "name": host.display_name,
        "email_address": host.email,
        "phone_number": "",
        "owner_user_id": host.pk,
    }


def event(record: Event, *, sponsors: Sponsors, with_contact: bool) -> dict:
    """An event with the timeslots prefetched on it (`shifts`), its group and host selected."""
    return {
        "id": record.pk,
        "title": record.title,
        "summary": "",
        "description": record.description,
        "featured_image_url": "",
        "high_priority": None,
        "sponsor": sponsors.of(record.group),
        "timeslots": [timeslot(shift) for shift in record.shifts.all()],
        "location": location(record),
        "timezone": record.time_zone,
        "event_type": EVENT_TYPES.get(record.event_type, "OTHER"),
        "browser_url": absolute_url(record.get_absolute_url()),
        "created_date": unix(record.created_at),
        "modified_date": unix(record.updated_at),
        "visibility": "PUBLIC",
        "address_visibility": "PUBLIC"
        if record.address_visibility == Event.AddressVisibility.PUBLIC
        else "PRIVATE",
        "created_by_volunteer_host": not record.host.is_staff,
        "is_virtual": record.is_virtual,
        "virtual_action_url": None,
        "contact": contact(record.host) if with_contact else None,
        "accessibility_status": None,
        "accessibility_notes": None,
        "tags": [],
        "approval_status": "APPROVED",
        "event_campaign": None,
        "instructions": None,
    }


def person(supporter: Supporter) -> dict:
    """A supporter as a Mobilize person. Quartier keeps one name: the first word is the given name."""
    given, _space, family = supporter.display_name.strip().partition(" ")
    joined = unix(supporter.date_joined)
    postal = [{"primary": True, "postal_code": supporter.postal_code}] if supporter.postal_code else []
    return {
        "id": supporter.pk,
        "person_id": supporter.pk,
        "user_id": supporter.pk,
        "created_date": joined,
        "modified_date": joined,
        "given_name": given,
        "family_name": family.strip(),
        "email_addresses": [{"primary": True, "address": supporter.email}],
        "phone_numbers": [],
        "postal_addresses": postal,
        "sms_opt_in_status": "UNSPECIFIED",
        "blocked_date": None,
    }


def attendance(rsvp: Rsvp, *, sponsors: Sponsors) -> dict:
    """An RSVP with its supporter, shift, event (its shifts prefetched), group and host selected."""
    shown_event = rsvp.shift.event
    phone = [{"primary": True, "number": rsvp.phone}] if rsvp.phone else []
    return {
        "id": rsvp.pk,
        "created_date": unix(rsvp.created_at),
        "modified_date": unix(rsvp.updated_at),
        "person": person(rsvp.supporter) | ({"phone_numbers": phone} if phone else {}),
        "event": event(shown_event, sponsors=sponsors, with_contact=True),
        "timeslot": timeslot(rsvp.shift),
        "sponsor": sponsors.of(shown_event.group),
        "status": ATTENDANCE_STATUS[rsvp.status],
        "attended": rsvp.attended,
        "referrer": None,
        "custom_signup_field_values": [],
    }
