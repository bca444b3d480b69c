"""One description per OSDI resource, so that the conformance tests run the same checks on each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.api.models import Form, Tag
from quartier.donations.actions import pages as page_actions
from quartier.donations.models import Donation, FundraisingPage
from quartier.organizing.actions import events as event_actions
from quartier.organizing.models import Event


@dataclass(frozen=True)
class Resource:
    name: str  # the collection's path and rel
    make: Callable[[Supporter, int], Any]  # one row, numbered, made by the staff member
    create: dict[str, Any] | None  # a valid POST body (None: the collection takes no POST)
    update: dict[str, Any] | None  # a valid PUT body (None: PUT is not allowed)
    updated_field: tuple[str, Any] | None  # what the PUT changes, as read back
    invalid: dict[str, Any] = field(default_factory=lambda: {"no_such_field": [1, 2]})
    email_filter: bool = False  # filters on email_address (and postal_code)


def make_person(staff: Supporter, number: int) -> Supporter:
    from quartier.accounts import actions

    supporter = Supporter(email=f"osdi-person-{number}@example.org")
    supporter.set_unusable_password()
    return actions.complete_signup(
        supporter=supporter, display_name=f"Person {number}", country="CA", postal_code="H2X 1Y4",
        language="fr", news_consent=number % 2 == 0, consent_wording="Yes", ip_address=None,
    )  # fmt: skip


def make_event(staff: Supporter, number: int) -> Event:
    start = timezone.now() + timedelta(days=3 + number)
    draft = event_actions.EventDraft(
        title=f"Canvass {number}", description="", event_type="canvass", is_virtual=False, join_url="",
        venue="Café", address="1 rue Saint-Denis", address_visibility=Event.AddressVisibility.PUBLIC,
        country="CA", postal_code="H2X 1Y4", town="Montréal", latitude=45.5, longitude=-73.6,
        time_zone="America/Toronto", max_guests_per_rsvp=0, group=None,
        shifts=[event_actions.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=10)],
    )  # fmt: skip
    return event_actions.create_event(host=staff, draft=draft)


def make_donation(staff: Supporter, number: int) -> Donation:
    return Donation.objects.create(
        supporter=staff, identity_key=f"key-{number}", first_name="Camille", last_name="Roy",
        email=staff.email, postal_code="H2X 1Y4", amount_minor=2500 + number, currency="CAD",
        gateway="sandbox", status=Donation.Status.SUCCEEDED, succeeded_at=timezone.now(),
        payment_reference=f"test-{number}",
    )  # fmt: skip


def make_page(staff: Supporter, number: int) -> FundraisingPage:
    return page_actions.create_page(
        owner=staff, draft=page_actions.PageDraft(title=f"Page {number}", story="", goal_minor=100_000)
    )


RESOURCES = [
    Resource(
        "people",
        make_person,
        create={
            "person": {
                "given_name": "Ada",
                "family_name": "Lovelace",
                "email_addresses": [{"address": "ada@example.org", "primary": True, "status": "subscribed"}],
                "postal_addresses": [{"postal_code": "H2X 1Y4", "country": "CA"}],
            }
        },
        update={"family_name": "Byron", "custom_fields": {"shirt": "M"}},
        updated_field=("family_name", "Byron"),
        invalid={"person": {"email_addresses": [{"address": "not an address"}]}},
        email_filter=True,
    ),
    Resource(
        "events",
        make_event,
        create={
            "title": "Phone bank",
            "start_date": "2099-05-01T18:00:00Z",
            "end_date": "2099-05-01T20:00:00Z",
            "capacity": 12,
            "location": {"venue": "Office", "postal_code": "H2X 1Y4", "country": "CA"},
        },
        update={"title": "Phone bank (moved)"},
        updated_field=("title", "Phone bank (moved)"),
        invalid={"title": "x", "start_date": "not a date"},
    ),
    Resource(
        "donations",
        make_donation,
        create={
            "identifiers": ["othertool:42"],
            "person": {
                "given_name": "Ada",
                "family_name": "Lovelace",
                "email_addresses": [{"address": "ada@example.org"}],
                "postal_addresses": [{"postal_code": "H2X 1Y4", "country": "CA"}],
            },
            "donation": {"amount": "25.00", "currency": "CAD", "identifiers": ["othertool:42"]},
        },
        update=None,
        updated_field=None,
        invalid={"person": {}, "donation": {"amount": "-3"}},
        email_filter=True,
    ),
    Resource(
        "fundraising_pages",
        make_page,
        create={"title": "My page", "goal": "500.00"},
        update={"title": "My better page"},
        updated_field=("title", "My better page"),
        invalid={"title": "x", "goal": "lots"},
    ),
    Resource(
        "tags",
        lambda staff, number: Tag.objects.create(name=f"tag {number}"),
        create={"name": "volunteer"},
        update={"name": "volunteer lead"},
        updated_field=("name", "volunteer lead"),
        invalid={"name": ""},
    ),
    Resource(
        "forms",
        lambda staff, number: Form.objects.create(title=f"Form {number}", created_by=staff),
        create={"title": "Join us", "add_tags": ["joined"]},
        update={"title": "Join us today"},
        updated_field=("title", "Join us today"),
        invalid={"title": 12345, "add_tags": "not a list"},
    ),
]
