"""Every organizing view tried by every persona; a refusal changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartier.organizing.actions import guest_rsvps as guest_rsvps_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Group, Membership, Rsvp, Shift
from quartier.testing import client_for

PERSONAS = ["anonymous", "guest", "member", "leader", "host", "staff", "outsider"]


def snapshot() -> dict[str, list]:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Group, Membership, Event, Shift, Rsvp)
    }


@pytest.fixture
def world(
    group,
    leader,
    member,
    host,
    make_event,
    staff,
    outsider,
    make_supporter,
    django_capture_on_commit_callbacks,
):
    """A group (leader, member), an event hosted by `host` with the member's RSVP and a guest's."""
    event = make_event(host)
    shift = event.shifts.get()
    member_rsvp = rsvps_actions.rsvp(supporter=member, shift=shift)
    guest = guest_rsvps_actions.guest_supporter(
        guest=guest_rsvps_actions.Guest(name="Gaby Guest", email="gaby@example.org", country="CA", postal_code="H2X 1Y4",
                            language="en"),
        news_consent=False, consent_wording="", ip_address=None,
    )  # fmt: skip
    rsvps_actions.rsvp(supporter=guest, shift=shift)
    clients = {
        "anonymous": Client(), "guest": Client(), "member": client_for(member), "leader": client_for(leader),
        "host": client_for(host), "staff": client_for(staff), "outsider": client_for(outsider),
    }  # fmt: skip
    return {"group": group, "event": event, "shift": shift, "member_rsvp": member_rsvp, "clients": clients}


LOGIN = "login"
OK, HIDDEN = 200, 404


def expect(**by_persona: object) -> dict[str, object]:
    default = by_persona.pop("default")
    return {persona: by_persona.get(persona, default) for persona in PERSONAS}


PAGES = {
    "groups": (lambda w: reverse("organizing:groups"), expect(default=OK)),
    "group": (lambda w: w["group"].get_absolute_url(), expect(default=OK)),
    "group_create": (lambda w: reverse("organizing:group_create"), expect(default=OK, anonymous=LOGIN, guest=LOGIN)),
    "group_edit": (lambda w: reverse("organizing:group_edit", args=[w["group"].slug]),
                   expect(default=HIDDEN, anonymous=LOGIN, guest=LOGIN, leader=OK, staff=OK)),
    "group_members_csv": (lambda w: reverse("organizing:group_members_csv", args=[w["group"].slug]),
                          expect(default=HIDDEN, anonymous=LOGIN, guest=LOGIN, leader=OK, staff=OK)),
    "group_message": (lambda w: reverse("organizing:group_message", args=[w["group"].slug]),
                      expect(default=HIDDEN, anonymous=LOGIN, guest=LOGIN, leader=OK, staff=OK)),
    "events": (lambda w: reverse("organizing:events"), expect(default=OK)),
    "event": (lambda w: w["event"].get_absolute_url(), expect(default=OK)),
    "event_ics": (lambda w: reverse("organizing:event_ics", args=[w["event"].pk]), expect(default=OK)),
    "event_create": (lambda w: reverse("organizing:event_create"), expect(default=OK, anonymous=LOGIN, guest=LOGIN)),
    "event_edit": (lambda w: reverse("organizing:event_edit", args=[w["event"].pk]),
                   expect(default=HIDDEN, anonymous=LOGIN, guest=LOGIN, host=OK, staff=OK)),
    "event_attendees": (lambda w: reverse("organizing:event_attendees", args=[w["event"].pk]),
                        expect(default=HIDDEN, anonymous=LOGIN, guest=LOGIN, host=OK, staff=OK)),
    "event_attendees_csv": (lambda w: reverse("organizing:event_attendees_csv", args=[w["event"].pk]),
                            expect(default=HIDDEN, anonymous=LOGIN, guest=LOGIN, host=OK, staff=OK)),
    "event_message": (lambda w: reverse("organizing:event_message", args=[w["event"].pk]),
                      expect(default=HIDDEN, anonymous=LOGIN, guest=LOGIN, host=OK, staff=OK)),
    "review_queue": (lambda w: reverse("organizing:review_queue"), expect(default=HIDDEN, staff=OK)),
    "my_events": (lambda w: reverse("organizing:my_events"), expect(default=OK, anonymous=LOGIN, guest=LOGIN)),
    "rsvp_done": (lambda w: reverse("organizing:rsvp_done", args=[w["member_rsvp"].pk]),
                  expect(default=HIDDEN, member=OK)),
    "rsvp_requested": (lambda w: reverse("organizing:rsvp_requested"), expect(default=OK)),
    "rsvp_confirm_unknown": (lambda w: reverse("organizing:rsvp_confirm", args=["not-a-token"]), expect(default=HIDDEN)),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_gets_the_expected_answer_from_every_page(world, page, persona):
    url, expected = PAGES[page]
    before = snapshot()

    response = world["clients"][persona].get(url(world))

    if expected[persona] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected[persona]
    assert snapshot() == before


# (name, url builder, data, personas allowed). Every other persona must be refused with nothing changed.
ACTIONS = {
    "feature_group": (lambda w: reverse("organizing:group_staff", args=[w["group"].slug]), {"action": "feature"}, {"staff"}),
    "close_group": (lambda w: reverse("organizing:group_staff", args=[w["group"].slug]), {"action": "close"}, {"staff"}),
    "promote_member": (
        lambda w: reverse("organizing:group_member", args=[w["group"].slug, w["group"].memberships.get(role="member").pk]),
        {"action": "co_leader"}, {"leader", "staff"},
    ),
    "edit_group": (
        lambda w: reverse("organizing:group_edit", args=[w["group"].slug]),
        {"name": "Hijacked", "area": "x", "country": "CA", "postal_code": "H2X 1Y4", "join_policy": "open"},
        {"leader", "staff"},
    ),
    "cancel_event": (lambda w: reverse("organizing:event_cancel", args=[w["event"].pk]), {}, {"host", "staff"}),
    "duplicate_event": (lambda w: reverse("organizing:event_duplicate", args=[w["event"].pk]),
                        {"starts_at": "2031-01-01T10:00"}, {"host", "staff"}),
    "check_in": (lambda w: reverse("organizing:event_attendees", args=[w["event"].pk]),
                 {"rsvp": "MEMBER_RSVP", "attended": "yes"}, {"host", "staff"}),
    "cancel_someone_elses_rsvp": (lambda w: reverse("organizing:rsvp_cancel", args=[w["member_rsvp"].pk]), {}, {"member"}),
    "review_event": (lambda w: reverse("organizing:review_event", args=[w["event"].pk]), {"decision": "approve"}, {"staff"}),  # published: staff are told it was reviewed already
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACTIONS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_allowed_personas_can_act_and_a_refusal_changes_nothing(world, name, persona):
    url, data, allowed = ACTIONS[name]
    data = {
        key: (world["member_rsvp"].pk if value == "MEMBER_RSVP" else value) for key, value in data.items()
    }
    before = snapshot()

    response = world["clients"][persona].post(url(world), data)

    if persona in allowed:
        assert response.status_code in {200, 302}
        assert snapshot() != before or name == "review_event"
    else:
        assert response.status_code in {302, 404}
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login"))
        assert snapshot() == before
