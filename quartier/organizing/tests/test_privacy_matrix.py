"""One privacy matrix: every page, feed, `.ics`, CSV and email that can show an address, a join link
or a private field, for every attendance status and persona.

An attendee-only address (and an online event's join link) is for people confirmed on a shift, the
event's hosts and staff. A waitlisted or cancelled attendee, a signed-in visitor and an anonymous one
get the town (or "Online") and a pin rounded to about a kilometre. Profile fields follow their own
visibility: everyone, verified signed-in supporters, or only the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from quartier.accounts.models import Profile, Supporter, Visibility
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import CalendarFeed, Event
from quartier.testing import client_for

ADDRESS = "124 rue Saint-Viateur O"
JOIN_URL = "https://meet.example.org/secret-room-4821"
PRECISE = (45.523456, -73.581234)
PHONE = "514 555 0199"

# Who is confirmed, waitlisted or cancelled on the one shift of each event, and who else looks.
ATTENDANCE = ("confirmed", "waitlisted", "cancelled")
VIEWERS = ("anonymous", "unverified", "visitor", *ATTENDANCE, "host", "staff")
SEES_PRIVATE = {"confirmed", "host", "staff"}


@dataclass
class World:
    place: Event  # a physical event whose address is for attendees
    online: Event  # an online event whose join link is for attendees
    people: dict[str, Supporter | None]
    emails: dict[str, list[mail.EmailMessage]] = field(default_factory=dict)

    def client(self, viewer: str) -> Client:
        return client_for(self.people[viewer])


@pytest.fixture
def world(make_event, make_supporter, unverified, staff, django_capture_on_commit_callbacks) -> World:
    host = make_supporter("Hana Host")
    people: dict[str, Supporter | None] = {
        "anonymous": None, "unverified": unverified, "visitor": make_supporter("Vic Visitor"),
        "host": host, "staff": staff,
        **{status: make_supporter(f"Person {status}") for status in ATTENDANCE},
    }  # fmt: skip
    place = make_event(
        host, title="Door-knocking", capacity=1, address_visibility=Event.AddressVisibility.ATTENDEES,
        latitude=PRECISE[0], longitude=PRECISE[1],
    )  # fmt: skip
    online = make_event(
        host, title="Phone bank", capacity=1, is_virtual=True, join_url=JOIN_URL, venue="", address="",
        latitude=None, longitude=None,
    )  # fmt: skip
    # Someone else's RSVP elsewhere, which no personal feed of the matrix may list.
    elsewhere = make_event(
        make_supporter("Other Host"), title="Elsewhere", venue="Parc", address="9 rue Ailleurs"
    )
    rsvps_actions.rsvp(supporter=people["visitor"], shift=elsewhere.shifts.get())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for event in (place, online):
            shift = event.shifts.get()
            rsvps_actions.rsvp(supporter=people["confirmed"], shift=shift, phone=PHONE, shares_contact=False)
            rsvps_actions.rsvp(supporter=people["waitlisted"], shift=shift, shares_contact=True)
            cancelled = rsvps_actions.rsvp(supporter=people["cancelled"], shift=shift)
            rsvps_actions.cancel_rsvp(rsvp_record=cancelled)
        events_actions.send_due_reminders(hours_before=[24 * 7])
    emails: dict[str, list[mail.EmailMessage]] = {}
    for message in mail.outbox:
        for name, person in people.items():
            if person is not None and message.to == [person.email]:
                emails.setdefault(name, []).append(message)
    return World(place=place, online=online, people=people, emails=emails)


def everything_in(message: mail.EmailMessage) -> str:
    """The text part, the HTML part and every attachment of an email, as one string."""
    parts = [message.subject, message.body]
    parts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    parts += [
        content.decode() if isinstance(content, bytes) else str(content)
        for _n, content, _m in message.attachments
    ]
    return "\n".join(parts)


def feed_of(world: World, viewer: str) -> Calendar | None:
    person = world.people[viewer]
    if person is None or not person.is_verified:
        return None
    token = CalendarFeed.objects.get_or_create(supporter=person)[0].token
    response = Client().get(reverse("organizing:calendar_feed", args=[token]))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_event_page_shows_the_address_join_link_and_exact_pin_to_the_right_people(world, viewer):
    client = world.client(viewer)

    place = client.get(world.place.get_absolute_url())
    online = client.get(world.online.get_absolute_url())

    allowed = viewer in SEES_PRIVATE
    assert (place.status_code, online.status_code) == (200, 200)
    assert (ADDRESS in place.content.decode()) is allowed
    assert (JOIN_URL in online.content.decode()) is allowed
    pin = (45.52346, -73.58123) if allowed else (45.52, -73.58)
    assert [(point["lat"], point["lon"]) for point in place.context["map_points"]] == [pin]
    if not allowed:
        assert "45.5234" not in place.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_event_search_map_is_approximate_for_everyone(world, viewer):
    response = world.client(viewer).get(
        reverse("organizing:events"), {"near": "45.52,-73.58", "within": "25"}
    )

    points = [(p["lat"], p["lon"]) for p in response.context["map_points"] if p["title"] == "Door-knocking"]
    assert points == [(45.52, -73.58)]
    assert "45.5234" not in response.content.decode() and ADDRESS not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_event_ics_shows_the_address_and_join_link_to_the_right_people(world, viewer):
    client = world.client(viewer)

    place = client.get(reverse("organizing:event_ics", args=[world.place.pk])).content
    online = client.get(reverse("organizing:event_ics", args=[world.online.pk])).content

    allowed = viewer in SEES_PRIVATE
    [place_entry] = Calendar.from_ical(place).walk("VEVENT")
    assert (ADDRESS in str(place_entry["location"])) is allowed
    assert ("geo" in place_entry) is allowed
    assert (JOIN_URL in online.decode()) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["visitor", *ATTENDANCE, "host"])
def test_the_personal_feed_lists_ones_own_events_with_the_address_only_where_confirmed_or_hosting(
    world, viewer
):
    calendar = feed_of(world, viewer)

    entries = {str(entry["summary"]): entry for entry in calendar.walk("VEVENT")}
    expected = {
        "visitor": {"Elsewhere"}, "confirmed": {"Door-knocking", "Phone bank"},
        "waitlisted": {"Door-knocking", "Phone bank"}, "cancelled": set(), "host": {"Door-knocking", "Phone bank"},
    }[viewer]  # fmt: skip
    assert set(entries) == expected
    if "Door-knocking" in entries:
        allowed = viewer in SEES_PRIVATE
        assert (ADDRESS in str(entries["Door-knocking"]["location"])) is allowed
        assert ("geo" in entries["Door-knocking"]) is allowed
        assert (JOIN_URL in calendar.to_ical().decode()) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", [*ATTENDANCE, "visitor"])
def test_emails_give_the_address_and_join_link_to_confirmed_attendees_only(world, viewer):
    received = world.emails.get(viewer, [])

    kinds = sorted(message.subject.split("] ", 1)[-1].split(":")[0] for message in received)
    allowed = viewer == "confirmed"
    if viewer in {"confirmed", "waitlisted"}:
        assert len(received) >= 2, kinds  # a confirmation (or waiting-list notice) per event
    if viewer == "confirmed":
        assert len(received) == 4, kinds  # and a reminder per event
    for message in received:
        content = everything_in(message)
        about_place = "Door-knocking" in message.subject
        assert (ADDRESS in content) is (allowed and about_place), message.subject
        assert (JOIN_URL in content) is (allowed and not about_place), message.subject


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_attendee_csv_is_for_hosts_and_staff_and_leaves_out_contacts_not_shared(world, viewer):
    response = world.client(viewer).get(reverse("organizing:event_attendees_csv", args=[world.place.pk]))

    if viewer not in {"host", "staff"}:
        assert response.status_code in {302, 404}
        assert not hasattr(response, "streaming_content")
        return
    body = b"".join(response.streaming_content).decode()
    rows = body.splitlines()
    assert len(rows) == 3  # the header, the confirmed and the waitlisted attendee
    assert "Person confirmed" in body and "Person waitlisted" in body and "Person cancelled" not in body
    assert world.people["confirmed"].email not in body and PHONE not in body  # chose not to share
    assert world.people["waitlisted"].email in body


PROFILE_FIELDS = {"bio": "BIO-4821", "why_involved": "WHY-4821", "town": "Montréal"}
PROFILE_VIEWERS = ("anonymous", "unverified", "visitor", "staff", "self")


def may_see(level: str, viewer: str) -> bool:
    return {
        Visibility.PUBLIC: True,
        Visibility.SUPPORTERS: viewer in {"visitor", "staff", "self"},
        Visibility.PRIVATE: viewer == "self",
    }[level]


@pytest.mark.django_db
@pytest.mark.parametrize("level", [Visibility.PUBLIC, Visibility.SUPPORTERS, Visibility.PRIVATE])
@pytest.mark.parametrize("viewer", PROFILE_VIEWERS)
def test_the_profile_page_shows_each_field_to_the_people_its_visibility_names(
    make_supporter, unverified, staff, level, viewer
):
    owner = make_supporter("Pia Private", postal_code="H2T 1A1")
    Profile.objects.filter(supporter=owner).update(
        bio="x", bio_html=f"<p>{PROFILE_FIELDS['bio']}</p>", bio_visibility=level,
        why_involved="x", why_involved_html=f"<p>{PROFILE_FIELDS['why_involved']}</p>",
        why_involved_visibility=level, town_visibility=level,
    )  # fmt: skip
    person = {"anonymous": None, "unverified": unverified, "visitor": make_supporter("Vic"), "staff": staff,
              "self": owner}[viewer]  # fmt: skip

    page = client_for(person).get(reverse("accounts:profile", args=[owner.handle])).content.decode()

    assert {name: marker in page for name, marker in PROFILE_FIELDS.items()} == dict.fromkeys(
        PROFILE_FIELDS, may_see(level, viewer)
    )
    assert (
        "H2T 1A1" not in page and "H2T1A1" not in page and owner.email not in page
    )  # never shown (a bare "H2T" can occur in a random CSRF token)
