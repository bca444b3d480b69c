"""The local groups and events of the synthetic campaign (`quartier.demo.generator`'s "groups" and "events" steps)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.demo.demo_people import ORGANISER_EMAIL
from quartier.demo.generator import (
    EVENT_PLANS,
    GENERATED_EMAIL_DOMAIN,
    default_events,
    default_groups,
    fill_name,
    generate_campaign,
    place_key,
    time_zone_for,
)
from quartier.demo.organizing_texts import EVENT_TITLES
from quartier.lib.places import find_place
from quartier.lib.text import render_markdown
from quartier.organizing.models import Event, EventType, Group, Membership, Rsvp, Shift

pytestmark = pytest.mark.django_db

SUPPORTERS, GROUPS, EVENTS = 300, 8, 40


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def campaign():
    # Batches of 16: the groups in one partial batch, the events in three.
    return generate_campaign(supporters=SUPPORTERS, groups=GROUPS, events=EVENTS, batch_size=16)


def assert_consistent() -> None:
    """The invariants the application keeps, whatever the number of runs."""
    places = defaultdict(int)
    for rsvp in Rsvp.objects.filter(status=Rsvp.Status.CONFIRMED, is_walk_in=False):
        places[rsvp.shift_id] += 1 + rsvp.guests
    for shift in Shift.objects.all():
        assert shift.confirmed_count == places[shift.pk], shift
        assert 0 <= shift.confirmed_count <= shift.capacity
        assert 5 <= shift.capacity <= 60
        assert shift.ends_at > shift.starts_at
        waiting = shift.rsvps.filter(status=Rsvp.Status.WAITLISTED).count()
        if waiting:  # nobody waits while a place is free for them
            assert shift.capacity - shift.confirmed_count < 1 + shift.event.max_guests_per_rsvp
    for group in Group.objects.annotate(
        active=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)),
        leaders=Count("memberships", filter=Q(memberships__role=Membership.Role.LEADER)),
    ):
        assert group.member_count == group.active >= 1, group
        assert group.leaders == 1
        assert (
            Membership.objects.get(group=group, role=Membership.Role.LEADER).supporter_id
            == group.created_by_id
        )
    for event in Event.objects.annotate(first=Min("shifts__starts_at"), last=Max("shifts__ends_at")):
        assert (event.starts_at, event.ends_at) == (event.first, event.last), event
    assert (
        not Membership.objects.values("group", "supporter").annotate(n=Count("id")).filter(n__gt=1).exists()
    )
    assert not Rsvp.objects.values("shift", "supporter").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_it_adds_exactly_the_groups_and_events_asked_for(campaign):
    assert (Group.objects.count(), Event.objects.count()) == (GROUPS, EVENTS)
    assert (campaign.groups, campaign.events) == (GROUPS, EVENTS)
    assert campaign.memberships == Membership.objects.count() > GROUPS
    assert campaign.shifts == Shift.objects.count()
    assert EVENTS <= campaign.shifts <= 3 * EVENTS
    assert campaign.rsvps == Rsvp.objects.count() > 0
    assert set(campaign.step_seconds) >= {"groups", "events"}


def test_shift_places_memberships_and_event_times_are_consistent(campaign):
    assert_consistent()
    statuses = set(Rsvp.objects.values_list("status", flat=True))
    assert statuses >= {Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED}
    assert Shift.objects.filter(confirmed_count__gt=0).exists()
    full = [shift for shift in Shift.objects.all() if shift.confirmed_count == shift.capacity]
    assert full, "some shifts are full"
    assert Shift.objects.filter(confirmed_count__lt=F("capacity")).exists(), "some have room"


def test_events_look_like_real_ones(campaign):
    now = timezone.now()
    events = list(Event.objects.select_related("host", "group"))
    assert {event.event_type for event in events} == set(EventType.values) == set(EVENT_PLANS)
    assert {event.status for event in events} <= {"published", "pending", "cancelled"}
    assert sum(event.status == "published" for event in events) >= 0.8 * EVENTS
    virtual = [event for event in events if event.is_virtual]
    assert 1 <= len(virtual) <= 0.3 * EVENTS
    for event in virtual:
        assert event.latitude is None and event.longitude is None
        assert event.join_url.startswith("https://")
    grouped = [event for event in events if event.group_id]
    assert 0.1 * EVENTS <= len(grouped) <= 0.55 * EVENTS
    assert any(event.starts_at > now for event in events) and any(event.starts_at < now for event in events)
    assert any(event.address_visibility == "attendees" for event in events)
    languages = set()
    for event in events:
        assert now - timedelta(days=31) <= event.starts_at <= now + timedelta(days=121)
        assert event.created_at <= now
        assert event.description_html == render_markdown(event.description)
        assert event.host.email.endswith(f"@{GENERATED_EMAIL_DOMAIN}") and event.host.is_verified
        place = find_place(event.host.country, event.host.postal_code)
        if not event.is_virtual:
            assert event.venue and event.address and event.town
            assert find_place(event.country, event.postal_code).town == event.town
            assert time_zone_for(find_place(event.country, event.postal_code)) == event.time_zone
        if event.group_id and not event.is_virtual:
            assert event.town == event.group.town
        assert place is not None
        zone = {
            "FR": {"Europe/Paris"},
            "US": {"America/New_York", "America/Chicago", "America/Los_Angeles"},
        }.get(
            event.country,
            {
                "America/Toronto",
                "America/Montreal",
                "America/Vancouver",
                "America/Winnipeg",
                "America/Halifax",
            },
        )
        assert event.time_zone in zone
        languages |= {
            language
            for language, templates in EVENT_TITLES[event.event_type].items()
            if any(
                re.fullmatch(re.escape(t).replace(re.escape("{area}"), ".+"), event.title) for t in templates
            )
        }
    assert languages == {"en", "fr"}


def test_groups_are_led_and_joined_by_supporters_living_near_them(campaign):
    groups = list(Group.objects.all())
    assert len({group.slug for group in groups}) == GROUPS
    assert sum(group.is_featured for group in groups) >= 1
    for group in groups:
        assert group.name and group.area and group.town
        place = find_place(group.country, group.postal_code)
        assert place is not None and place.town == group.town
        assert abs(group.latitude - place.latitude) < 0.03 and abs(group.longitude - place.longitude) < 0.05
        for membership in group.memberships.select_related("supporter"):
            supporter = membership.supporter
            assert supporter.email.endswith(f"@{GENERATED_EMAIL_DOMAIN}")
            assert abs(supporter.latitude - group.latitude) < 0.25, (group, supporter.town)
            if membership.status == Membership.Status.PENDING:
                assert group.join_policy == Group.JoinPolicy.APPROVAL


def test_a_second_run_appends_groups_and_events_without_error(campaign):
    second = generate_campaign(supporters=0, groups=3, events=7, batch_size=2)

    assert (second.supporters, second.groups, second.events) == (0, 3, 7)
    assert Supporter.objects.count() == SUPPORTERS
    assert (Group.objects.count(), Event.objects.count()) == (GROUPS + 3, EVENTS + 7)
    assert Group.objects.values("slug").distinct().count() == GROUPS + 3
    assert_consistent()


def test_default_counts_are_proportional_with_a_floor_for_small_campaigns():
    assert (default_groups(2_000_000), default_events(2_000_000)) == (35_000, 200_000)
    assert (default_groups(20_000), default_events(20_000)) == (350, 2_000)
    assert (default_groups(200), default_events(200)) == (5, 20)
    assert (default_groups(1), default_events(1)) == (0, 0)
    assert (default_groups(0), default_events(0)) == (0, 0)


def test_names_use_the_language_of_their_place():
    assert fill_name("Bénévoles de {area}", "Rosemont", "fr") == "Bénévoles de Rosemont"
    assert fill_name("Bénévoles de {area}", "Plateau", "fr") == "Bénévoles du Plateau"
    assert fill_name("Bénévoles de {area}", "Batignolles", "fr") == "Bénévoles des Batignolles"
    assert fill_name("Bénévoles de {area}", "Outremont", "fr") == "Bénévoles d'Outremont"
    assert fill_name("{area} {cause}", "Plateau", "fr", "pour le climat") == "Le Plateau pour le climat"
    assert fill_name("{area} for {cause}", "Plateau", "en", "Climate") == "Plateau for Climate"
    assert place_key("CA", "H2T 1S6") == "CA:H2T" and place_key("FR", "75011") == "FR:75011"


def test_generated_events_and_groups_answer_search_and_pages(campaign, client):
    event = Event.objects.filter(status="published", is_virtual=False, starts_at__gt=timezone.now()).first()
    group = Group.objects.filter(status="active").first()

    assert client.get(event.get_absolute_url()).status_code == 200
    assert client.get(group.get_absolute_url()).status_code == 200
    response = client.get("/events/", {"near": event.postal_code, "country": event.country, "within": 25})
    assert response.status_code == 200
    assert (
        event.get_absolute_url() in response.content.decode()
        or response.content.decode().count('class="result card"') == 20
    )


def test_load_demo_gives_the_named_accounts_groups_and_events_once():
    first, second = StringIO(), StringIO()

    call_command("load_demo", "--supporters", "300", stdout=first)
    counts = (Group.objects.count(), Event.objects.count(), Membership.objects.count(), Rsvp.objects.count())
    call_command("load_demo", "--supporters", "300", stdout=second)

    assert (
        Group.objects.count(),
        Event.objects.count(),
        Membership.objects.count(),
        Rsvp.objects.count(),
    ) == counts
    now = timezone.now()
    organiser = Supporter.objects.get(email=ORGANISER_EMAIL)
    marie = Supporter.objects.get(email="marie@demo.quartier.test")
    montreal = Group.objects.get(created_by=organiser)
    assert montreal.town == "Montréal" and montreal.is_featured
    assert montreal.memberships.get(supporter=organiser).role == Membership.Role.LEADER
    assert montreal.memberships.get(supporter=marie).status == Membership.Status.ACTIVE
    hosted = {event.event_type: event for event in Event.objects.filter(host=organiser)}
    assert set(hosted) == {EventType.CANVASS, EventType.PHONE_BANK}
    assert all(event.starts_at > now and event.status == Event.Status.PUBLISHED for event in hosted.values())
    assert hosted[EventType.CANVASS].shifts.count() == 2
    assert hosted[EventType.CANVASS].time_zone == "America/Montreal"  # "heure de Montréal" on its page
    assert hosted[EventType.PHONE_BANK].is_virtual and hosted[EventType.PHONE_BANK].join_url
    assert Rsvp.objects.filter(
        supporter=marie, status=Rsvp.Status.CONFIRMED, shift__event=hosted["canvass"]
    ).exists()
    for email, town in (("lea@demo.quartier.test", "Paris"), ("sam@demo.quartier.test", "Toronto")):
        group = Group.objects.get(created_by__email=email)
        assert group.town == town
        assert Event.objects.filter(group=group, host__email=email, starts_at__gt=now).count() == 1
    for output in (first.getvalue(), second.getvalue()):
        assert f"/groups/{montreal.slug}/" in output
        assert f"/events/{hosted['canvass'].pk}/" in output
    assert_consistent()


def test_quebec_events_are_on_montreal_time_and_ontario_ones_on_toronto_time():
    assert time_zone_for(find_place("CA", "H2T 1S6")) == "America/Montreal"
    assert time_zone_for(find_place("CA", "M6G 1K8")) == "America/Toronto"
