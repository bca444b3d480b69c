"""The shapes of Mobilize's responses (https://github.com/mobilizeamerica/api), as pydantic models.

They are the OpenAPI document's schemas and the contract the tests validate every response against.
Field names, types and enums are Mobilize's; dates are Unix seconds.
"""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

# Every value of Mobilize's `event_type` enum (Quartier's types map onto a few of them, see `serialize`).
MobilizeEventType = Literal[
    "CANVASS", "PHONE_BANK", "TEXT_BANK", "MEETING", "COMMUNITY", "FUNDRAISER", "MEET_GREET",
    "HOUSE_PARTY", "VOTER_REG", "TRAINING", "FRIEND_TO_FRIEND_OUTREACH", "DEBATE_WATCH_PARTY",
    "ADVOCACY_CALL", "RALLY", "TOWN_HALL", "OFFICE_OPENING", "BARNSTORM", "SOLIDARITY_EVENT",
    "COMMUNITY_CANVASS", "SIGNATURE_GATHERING", "CARPOOL", "WORKSHOP", "PETITION", "AUTOMATED_PHONE_BANK",
    "LETTER_WRITING", "LITERATURE_DROP_OFF", "VISIBILITY_EVENT", "OTHER",
]  # fmt: skip
Visibility = Literal["PUBLIC", "PRIVATE"]


class Organization(Schema):
    id: int
    name: str
    slug: str
    is_coordinated: bool
    is_independent: bool
    is_primary_campaign: bool
    race_type: str | None
    state: str
    district: str
    candidate_name: str
    event_feed_url: str
    created_date: int
    modified_date: int
    org_type: str


class Timeslot(Schema):
    id: int
    start_date: int
    end_date: int
    max_attendees: int | None
    is_full: bool
    instructions: str | None


class Coordinates(Schema):
    latitude: float
    longitude: float


class Location(Schema):
    venue: str
    address_lines: Annotated[list[str], Field(min_length=2, max_length=2)]
    locality: str
    region: str
    country: str
    postal_code: str
    location: Coordinates | None
    congressional_district: str | None
    state_leg_district: str | None
    state_senate_district: str | None


class Contact(Schema):
    name: str
    email_address: str
    phone_number: str
    owner_user_id: int


class Tag(Schema):
    id: int
    name: str


class Event(Schema):
    id: int
    title: str
    summary: str
    description: str
    featured_image_url: str
    high_priority: bool | None
    sponsor: Organization
    timeslots: list[Timeslot]
    location: Location | None
    timezone: str
    event_type: MobilizeEventType
    browser_url: str
    created_date: int
    modified_date: int
    visibility: Visibility
    address_visibility: Visibility
    created_by_volunteer_host: bool
    is_virtual: bool
    virtual_action_url: str | None
    contact: Contact | None
    accessibility_status: Literal["ACCESSIBLE", "NOT_ACCESSIBLE", "NOT_SURE"] | None
    accessibility_notes: str | None
    tags: list[Tag]
    approval_status: Literal["APPROVED", "NEEDS_APPROVAL", "REJECTED", "NEEDS_HOST_VERIFICATION"]
    event_campaign: None
    instructions: str | None


class EmailAddress(Schema):
    primary: bool
    address: str


class PhoneNumber(Schema):
    primary: bool
    number: str


class PostalAddress(Schema):
    primary: bool
    postal_code: str


class Person(Schema):
    id: int
    person_id: int | None
    user_id: int
    created_date: int
    modified_date: int
    given_name: str
    family_name: str
    email_addresses: list[EmailAddress]
    phone_numbers: list[PhoneNumber]
    postal_addresses: list[PostalAddress]
    sms_opt_in_status: Literal["UNSPECIFIED", "OPT_IN", "OPT_OUT"]
    blocked_date: int | None


class Referrer(Schema):
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    url: str


class Attendance(Schema):
    id: int
    created_date: int
    modified_date: int
    person: Person
    event: Event
    timeslot: Timeslot
    sponsor: Organization
    status: Literal["REGISTERED", "CANCELLED", "CONFIRMED"]
    attended: bool | None
    referrer: Referrer | None
    custom_signup_field_values: list[dict[str, str | int | bool | None]]


class ErrorDetail(Schema):
    detail: str


class Error(Schema):
    """Mobilize's error shape: an `error` object (here always with a `detail`) and `data` null."""

    data: None = None
    error: ErrorDetail


class _Page(Schema):
    count: int
    next: str | None
    previous: str | None


class OrganizationPage(_Page):
    data: list[Organization]


class EventPage(_Page):
    data: list[Event]


class PersonPage(_Page):
    data: list[Person]


class AttendancePage(_Page):
    data: list[Attendance]


class OneEvent(Schema):
    data: Event
