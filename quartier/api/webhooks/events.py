"""The events an endpoint can subscribe to, read from the activity journal (`accounts.activity`), and
the body each delivery carries.

Bodies are thin: the event, the object's OSDI identifier, the journal's facts (amount, currency, the
event or page it concerns) and the person it is about, with their name and email address. A receiver
that wants more reads the object from the OSDI API with its key.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Activity, Supporter

# Journal kind → (event type, the object the journal key names).
EVENT_TYPES_BY_KIND: dict[str, tuple[str, str]] = {
    "accounts.signup": ("person.created", "person"),
    "api.person_imported": ("person.created", "person"),
    "organizing.rsvp": ("rsvp.created", "rsvp"),
    "organizing.rsvp_cancelled": ("rsvp.cancelled", "rsvp"),
    "organizing.event_hosted": ("event.created", "event"),
    "organizing.group_created": ("group.created", "group"),
    "donations.gift": ("donation.succeeded", "donation"),
    "donations.refund": ("donation.refunded", "donation"),
    "donations.page_created": ("fundraising_page.created", "fundraising_page"),
}

EVENT_TYPE_LABELS: dict[str, object] = {
    "person.created": _("A person signs up or is imported"),
    "rsvp.created": _("Someone RSVPs to an event"),
    "rsvp.cancelled": _("Someone cancels an RSVP"),
    "event.created": _("An event is created"),
    "group.created": _("A group is created"),
    "donation.succeeded": _("A donation succeeds"),
    "donation.refunded": _("A donation is refunded"),
    "fundraising_page.created": _("A fundraising page is created"),
}

PING = "ping"


def kinds_for(event_types: set[str]) -> list[str]:
    return sorted(kind for kind, (event, _obj) in EVENT_TYPES_BY_KIND.items() if event in event_types)


def person_body(supporter: Supporter | None) -> dict[str, Any] | None:
    if supporter is None or supporter.deleted_at is not None:
        return None
    return {
        "identifiers": [f"quartier:{supporter.pk}"],
        "name": supporter.display_name,
        "email_addresses": [{"address": supporter.email, "primary": True}],
        "postal_addresses": [{"postal_code": supporter.postal_code, "country": supporter.country}],
        "languages_spoken": [supporter.language],
    }


def _object_id(activity: Activity) -> str:
    # Keys are "<object>:<pk>" (a refund's is "refund:<donation pk>:<amount>").
    parts = activity.key.split(":")
    return parts[1] if len(parts) > 1 else activity.key


def body_for(activity: Activity) -> tuple[str, dict[str, Any]]:
    """The event type and `data` of a journal row (the envelope is added when a delivery is made)."""
    event_type, object_name = EVENT_TYPES_BY_KIND[activity.kind]
    data: dict[str, Any] = {
        object_name: {"identifiers": [f"quartier:{_object_id(activity)}"]},
        "occurred_at": activity.occurred_at.isoformat(),
    }
    if activity.amount:
        data["amount_minor"] = activity.amount
        data["currency"] = activity.currency
    for fact in ("event", "page"):
        if fact in activity.detail:
            data[f"{fact}_identifier"] = f"quartier:{activity.detail[fact]}"
    if object_name != "person":
        data["person"] = person_body(activity.supporter)
    else:
        data["person"] = person_body(activity.supporter) or data["person"]
    return event_type, data


def envelope(*, idempotency_key: str, event_type: str, created: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": idempotency_key, "type": event_type, "created": created, "data": data}
