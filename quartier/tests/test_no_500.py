"""No input makes a page answer 500: random and hostile values in every form and query parameter.

Each endpoint starts from data that its form accepts, then Hypothesis replaces or removes any of its
fields with hostile values (line breaks, NUL, huge numbers, far dates, long or odd text). Side effects
run as they would after commit (emails, calendar files), so a value that breaks a notice fails here.
Examples are derandomised: the same inputs on every run, so CI stays deterministic and fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from quartier.accounts.tests.test_profile import PROFILE_FORM, image_bytes
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, EventTypePolicy, Group
from quartier.organizing.tests import conftest as organizing_fixtures
from quartier.organizing.tests.test_events import event_form, local
from quartier.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db
MONTREAL = organizing_fixtures.MONTREAL
make_event = organizing_fixtures.make_event  # the fixtures of organizing's tests, shared here
make_group = organizing_fixtures.make_group

HOSTILE_TEXT = [
    "", " ", "\r\n", "Bad\r\nBcc: someone@example.org", "a\nb", "\x00", "nul\x00byte", "\t\v\f",
    "9" * 30, "-9" * 20, "99999999999999999999", "-1", "0", "1e309", "nan", "inf", "3.5",
    "9999-12-31", "9999-12-31T23:59", "0001-01-01", "0000-00-00", "2026-02-30T25:61", "10000-01-01",
    "Mars/Olympus_Mons", "../../etc/passwd", "<script>alert(1)</script>", "{{ 7*7 }}", "%(name)s",
    "\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "😀" * 40, "é" * 300, "x" * 10_000,
    "1" + " " * 400 + "x", "N" + " 1" * 500, "H2X 1Y4", "90, 180", "-91, 0", "on", "yes",
]  # fmt: skip
# No "explain" phase: it traces every line of Django after a failure, which takes minutes.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # the field keeps its valid value
hostile_values = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.lists(st.sampled_from(HOSTILE_TEXT), min_size=1, max_size=3),
    st.none(),  # the field is left out
)


@dataclass
class World:
    supporter: Any
    host: Any
    leader: Any
    staff: Any
    event: Event
    pending: Event
    group: Any


@dataclass
class Endpoint:
    name: str
    persona: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]


def _event_edit_data(world: World) -> dict[str, Any]:
    shift = world.event.shifts.get()
    return event_form(**{
        "shifts-TOTAL_FORMS": "1", "shifts-INITIAL_FORMS": "1", "shifts-0-id": str(shift.pk),
        "shifts-0-starts_at": local(6, 10), "shifts-0-ends_at": local(6, 12),
    })  # fmt: skip


def _group_data(_world: World) -> dict[str, Any]:
    return {"name": "Mile End for Climate", "area": "Mile End", "description": "Hello", "country": "CA",
            "postal_code": "H2T 1A1", "coordinates": "", "join_policy": "open"}  # fmt: skip


def _rsvp_data(world: World) -> dict[str, Any]:
    return {"shift": str(world.event.shifts.get().pk), "guests": "0", "phone": "514 555 0100",
            "shares_contact": "on", "accepts_messages": "on"}  # fmt: skip


ENDPOINTS = [
    Endpoint("group search", "anonymous", "get", lambda w: reverse("organizing:groups"),
             lambda w: {"near": "H2X 1Y4", "country": "CA", "within": "25", "page": "2", "ref": "abc"}),
    Endpoint("event search", "supporter", "get", lambda w: reverse("organizing:events"),
             lambda w: {"near": "45.52, -73.58", "country": "CA", "within": "25", "type": "canvass",
                        "date_from": "2026-01-01", "date_to": "2027-01-01", "online": "", "page": "1"}),
    Endpoint("group create", "supporter", "post", lambda w: reverse("organizing:group_create"), _group_data),
    Endpoint("group edit", "leader", "post", lambda w: reverse("organizing:group_edit", args=[w.group.slug]),
             _group_data),
    Endpoint("group join", "supporter", "post", lambda w: reverse("organizing:group_join", args=[w.group.slug]),
             lambda w: {"accepts_messages": "on"}),
    Endpoint("group message", "leader", "post", lambda w: reverse("organizing:group_message", args=[w.group.slug]),
             lambda w: {"subject": "Meeting", "body": "See you **Tuesday**."}),
    Endpoint("group staff", "staff", "post", lambda w: reverse("organizing:group_staff", args=[w.group.slug]),
             lambda w: {"action": "merge", "target": w.group.slug}),
    Endpoint("event create", "supporter", "post", lambda w: reverse("organizing:event_create"),
             lambda w: event_form()),
    Endpoint("event edit", "host", "post", lambda w: reverse("organizing:event_edit", args=[w.event.pk]),
             _event_edit_data),
    Endpoint("event rsvp", "supporter", "post", lambda w: reverse("organizing:event_rsvp", args=[w.event.pk]),
             _rsvp_data),
    Endpoint("guest rsvp", "anonymous", "post", lambda w: reverse("organizing:event_rsvp", args=[w.event.pk]),
             lambda w: {**_rsvp_data(w), "name": "Guest Person", "email": "guest@example.org", "country": "CA",
                        "postal_code": "H2T 1A1", "news_consent": "on"}),
    Endpoint("event duplicate", "host", "post",
             lambda w: reverse("organizing:event_duplicate", args=[w.event.pk]),
             lambda w: {"starts_at": local(9, 10)}),
    Endpoint("event cancel", "host", "post", lambda w: reverse("organizing:event_cancel", args=[w.event.pk]),
             lambda w: {"message": "Sorry,\r\nit rains."}),
    Endpoint("group listing", "leader", "post", lambda w: reverse("organizing:group_listing", args=[w.group.slug]),
             lambda w: {"is_listed": "yes"}),
    Endpoint("event page", "anonymous", "get", lambda w: reverse("organizing:event", args=[w.event.pk]),
             lambda w: {"ref": "abc"}),
    Endpoint("event message", "host", "post", lambda w: reverse("organizing:event_message", args=[w.event.pk]),
             lambda w: {"subject": "Bring water", "body": "It will be hot."}),
    Endpoint("walk-in", "host", "post", lambda w: reverse("organizing:event_attendees", args=[w.event.pk]),
             lambda w: {"shift": str(w.event.shifts.get().pk), "name": "Walk In", "email": "walk@example.org",
                        "phone": ""}),
    Endpoint("check-in", "host", "post", lambda w: reverse("organizing:event_attendees", args=[w.event.pk]),
             lambda w: {"rsvp": "1", "attended": "yes"}),
    Endpoint("review", "staff", "post", lambda w: reverse("organizing:review_event", args=[w.pending.pk]),
             lambda w: {"decision": "approve", "reason": ""}),
    Endpoint("profile", "supporter", "post", lambda w: reverse("accounts:settings_profile"),
             lambda w: {**PROFILE_FORM, "handle": w.supporter.handle, "causes": []}),
    Endpoint("email preferences", "supporter", "post", lambda w: reverse("accounts:settings_email"),
             lambda w: {"news_consent": "on"}),
    Endpoint("affiliation", "staff", "post",
             lambda w: reverse("accounts:set_affiliation", args=[w.supporter.handle]),
             lambda w: {"affiliation": "paid"}),
    Endpoint("sign-up", "anonymous", "post", lambda w: reverse("account_signup"),
             lambda w: {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD,
                        "display_name": "New Person", "country": "CA", "postal_code": "H2T 1A1"}),
    Endpoint("login", "anonymous", "post", lambda w: reverse("account_login"),
             lambda w: {"login": w.supporter.email, "password": "wrong password"}),
    Endpoint("password reset", "anonymous", "post", lambda w: reverse("account_reset_password"),
             lambda w: {"email": w.supporter.email}),
    Endpoint("language", "anonymous", "post", lambda w: reverse("set_language"),
             lambda w: {"language": "fr", "next": "/events/"}),
]  # fmt: skip


@pytest.fixture
def world(make_supporter, make_event, make_group, staff) -> World:
    host, leader = make_supporter("Hana Host"), make_supporter("Léa Leader")
    EventTypePolicy.objects.update_or_create(event_type="rally", defaults={"requires_approval": True})
    pending = make_event(host, title="Rally downtown", event_type="rally")
    assert pending.status == Event.Status.PENDING
    event = make_event(host, latitude=MONTREAL[0], longitude=MONTREAL[1])
    rsvps_actions.rsvp(supporter=make_supporter("Ada Attendee"), shift=event.shifts.get())
    return World(
        supporter=make_supporter("Marie Tremblay"), host=host, leader=leader,
        staff=staff, event=event, pending=pending, group=make_group(leader),
    )  # fmt: skip


def _client(world: World, persona: str) -> Client:
    client = client_for(None if persona == "anonymous" else getattr(world, persona))
    client.raise_request_exception = True  # a 500 fails with its traceback
    return client


def _request(client: Client, endpoint: Endpoint, url: str, data: dict[str, Any]):
    if endpoint.method == "get":
        return client.get(url, data)
    return client.post(url, data)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
def test_no_hostile_input_makes_a_form_answer_500(endpoint, world, django_capture_on_commit_callbacks):
    url, base = endpoint.url(world), endpoint.data(world)
    keys = sorted(base)
    client = _client(world, endpoint.persona)
    outsider = _client(world, "anonymous" if endpoint.persona != "anonymous" else "supporter")

    # A few fields changed (the rest valid, so the request goes as deep as saving and notifying), or
    # every field changed or kept at random (so each field's own validation meets hostile values).
    few = st.dictionaries(st.sampled_from(keys), hostile_values, max_size=2)
    many = st.fixed_dictionaries({key: st.one_of(st.just(KEEP), hostile_values) for key in keys})

    @settings(
        max_examples=10, deadline=None, derandomize=True, database=None, phases=PHASES,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )  # fmt: skip
    @given(changes=st.one_of(few, many))
    def check(changes: dict[str, Any]) -> None:
        data = {**base, **{key: value for key, value in changes.items() if value is not KEEP}}
        data = {key: value for key, value in data.items() if value is not None}
        for who in (client, outsider):
            with django_capture_on_commit_callbacks(execute=True):
                response = _request(who, endpoint, url, data)
            assert response.status_code < 500, (endpoint.name, data)

    check()


def test_hostile_files_never_make_the_photo_upload_answer_500(world, django_capture_on_commit_callbacks):
    client = _client(world, "supporter")

    @settings(max_examples=10, deadline=None, derandomize=True, database=None, phases=PHASES,
              suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
    @given(
        content=st.one_of(st.binary(max_size=2000), st.sampled_from([image_bytes("PNG")[:60], b"RIFF\x00"]))
    )
    def check(content: bytes) -> None:
        from django.core.cache import cache

        cache.clear()  # the upload rate limit would stop the examples, not the input
        upload = SimpleUploadedFile("me.png", content, content_type="image/png")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:settings_photo"), {"photo": upload})
        assert response.status_code < 500

    check()


@pytest.mark.parametrize(
    "path",
    [
        "/events/99999999999999999999/", "/events/-1/", "/groups/%00/", "/people/%0d%0a/",
        "/rsvps/cancel/%00/", "/calendar/x%0d%0a.ics", "/unsubscribe/%ff/", "/media/../../etc/passwd",
    ],
)  # fmt: skip
def test_hostile_addresses_never_answer_500(world, path):
    for persona in ("anonymous", "supporter", "staff"):
        response = _client(world, persona).get(path)
        assert response.status_code < 500, (persona, path)


# The 500s the outside probe found, each pinned by name (the property test above is the wider net).

LINE_BREAK_TITLE = "Door-knocking\r\nBcc: everyone@example.org"


def test_an_out_of_range_cause_is_refused_with_a_reason_and_changes_nothing(world):
    supporter = world.supporter
    before = supporter.display_name

    response = _client(world, "supporter").post(
        reverse("accounts:settings_profile"),
        {**PROFILE_FORM, "display_name": "Changed Name", "handle": supporter.handle,
         "causes": ["99999999999999999999"]},
    )  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors["causes"] == ["“99999999999999999999” is not a valid value."]
    supporter.refresh_from_db()
    assert supporter.display_name == before


def test_line_breaks_in_titles_and_names_become_spaces(world):
    host = _client(world, "host")

    host.post(reverse("organizing:event_create"), event_form(title=LINE_BREAK_TITLE, venue="Parc\nLahaie"))
    host.post(reverse("organizing:group_create"), {**_group_data(world), "name": "Mile End\r\nfor Climate"})

    event = Event.objects.get(title__startswith="Door-knocking B")
    assert (event.title, event.venue) == ("Door-knocking Bcc: everyone@example.org", "Parc Lahaie")
    assert Group.objects.filter(name="Mile End for Climate").count() == 1


def test_an_event_already_saved_with_a_line_break_in_its_title_still_works(
    world, make_event, django_capture_on_commit_callbacks
):
    event = make_event(world.host, title=LINE_BREAK_TITLE)
    shift = event.shifts.get()
    attendee = _client(world, "supporter")

    with django_capture_on_commit_callbacks(execute=True):
        rsvp = attendee.post(reverse("organizing:event_rsvp", args=[event.pk]), {**_rsvp_data(world),
                                                                                   "shift": str(shift.pk)})  # fmt: skip
    ics = attendee.get(reverse("organizing:event_ics", args=[event.pk]))

    assert rsvp.status_code == 302
    assert [message.subject for message in mail.outbox] == [
        "[Quartier] You’re in: Door-knocking Bcc: everyone@example.org"
    ]
    assert ics.status_code == 200 and b"X-WR-CALNAME:Door-knocking Bcc: everyone@example.org" in ics.content
    for page in (reverse("organizing:event", args=[event.pk]), reverse("organizing:my_events")):
        assert attendee.get(page).status_code == 200


def test_approving_an_event_with_a_line_break_in_its_title_tells_the_host(
    world, make_event, django_capture_on_commit_callbacks
):
    pending = make_event(world.host, title=LINE_BREAK_TITLE, event_type="rally")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(world, "staff").post(
            reverse("organizing:review_event", args=[pending.pk]), {"decision": "approve", "reason": ""}
        )

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[world.host.email]]
    assert "\n" not in mail.outbox[0].subject


@pytest.mark.parametrize(
    "zone", ["", "Mars%2FOlympus", "..%2F..%2Fetc%2Fpasswd", "%00", "%ff%fe", "x" * 4000]
)
def test_a_hostile_time_zone_cookie_never_answers_500(world, zone):
    client = _client(world, "anonymous")
    client.cookies["quartier_tz"] = zone
    for path in (reverse("organizing:event", args=[world.event.pk]), reverse("organizing:events")):
        assert client.get(path).status_code < 500


@pytest.mark.parametrize("ref", ["\x00", "a\x00b", "\r\n", "é" * 20, "x" * 5000])
def test_a_hostile_referral_code_never_answers_500(world, ref):
    rsvp_url = reverse("organizing:event_rsvp", args=[world.event.pk])
    for client in (_client(world, "anonymous"), _client(world, "supporter")):
        assert client.get(reverse("organizing:event", args=[world.event.pk]), {"ref": ref}).status_code == 200
        assert client.post(f"{rsvp_url}?ref=%00", _rsvp_data(world)).status_code < 500
