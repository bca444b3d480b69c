"""Fields and rules every organizing form shares: time zones, date ranges, places, one-line text, coordinates, consent wordings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.queries import find_place
from quartier.lib.geo import parse_coordinates
from quartier.lib.places import is_valid_postal_code, normalise_postal_code
from quartier.lib.zones import zone_label

MAX_SHIFTS = 20

MAX_CAPACITY = 100_000

TIME_ZONES = [
    "America/Toronto", "America/Montreal", "America/Halifax", "America/St_Johns", "America/Winnipeg",
    "America/Regina", "America/Edmonton", "America/Vancouver", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles", "Europe/Paris", "Europe/Brussels", "Europe/Zurich", "UTC",
]  # fmt: skip

# Where a host's browser says nothing usable, the zone of their country (Québec says Montréal).
COUNTRY_TIME_ZONES = {"CA": "America/Toronto", "FR": "Europe/Paris", "US": "America/New_York"}

QUEBEC_POSTAL_LETTERS = ("G", "H", "J")


def default_time_zone(*, country: str, postal_code: str, browser_zone: str | None) -> str:
    """The zone a new event starts on: the host's browser's, else their country's, else the campaign's."""
    zone = browser_zone if browser_zone in TIME_ZONES else COUNTRY_TIME_ZONES.get(country, settings.TIME_ZONE)
    if zone == "America/Toronto" and country == "CA" and postal_code[:1].upper() in QUEBEC_POSTAL_LETTERS:
        return "America/Montreal"  # the same clock, named the way people there name it
    return zone


def time_zone_choices() -> list[tuple[str, str]]:
    """The zones an event may use, each labelled by its city in the active language ("Toronto time")."""
    return [(zone, zone_label(zone)) for zone in TIME_ZONES]


HOST_CONSENT_WORDING = _("Yes, the host may email me about this event.")

LEADER_CONSENT_WORDING = _("Yes, the group's leaders may email me about the group.")

SHARES_CONTACT_WORDING = _("The host may see my email and phone to organise the event.")

LISTED_WORDING = _("Show my name in the group's member list (its leaders always see it).")

# Dates people may type: far enough to plan, never near the ends of the calendar (a local time in
# year 9999 is year 10000 in UTC, which Python cannot read back from the database).
EARLIEST_DATE = date(2000, 1, 1)

LATEST_SEARCH_DATE = date(2100, 12, 31)

MAX_YEARS_AHEAD = 5


def latest_event_date() -> date:
    today = timezone.localdate()
    return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28 if today.month == 2 else today.day)


def check_date_range(day: date, latest: date) -> None:
    if not EARLIEST_DATE <= day <= latest:
        raise ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": latest.isoformat()},
        )


class EventDateTimeField(forms.DateTimeField):
    """A date and time for an event: from 2000 to `MAX_YEARS_AHEAD` years from today."""

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is not None:
            check_date_range(value.date(), latest_event_date())


class SearchDateField(forms.DateField):
    """A date to search between: from 2000 to 2100."""

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None:
            check_date_range(value, LATEST_SEARCH_DATE)


class PlaceMixin:
    """Turns a postal code (or coordinates typed directly) into a town and a point on the map."""

    place_required = True

    def clean_place(self, cleaned: dict[str, Any]) -> None:
        country, postal_code = cleaned.get("country"), (cleaned.get("postal_code") or "").strip()
        coordinates = cleaned.get("coordinates")
        if coordinates:
            cleaned["latitude"], cleaned["longitude"] = coordinates
            place = find_place(country, postal_code) if country and postal_code else None
            cleaned["town"] = place.town if place else ""
            cleaned["postal_code"] = normalise_postal_code(country or "", postal_code)
            return
        if not postal_code:
            if self.place_required:
                self.add_error("postal_code", _("Give a postal code, or coordinates."))
            cleaned["latitude"] = cleaned["longitude"] = None
            cleaned["town"] = ""
            return
        if not country:
            return
        if not is_valid_postal_code(country, postal_code):
            self.add_error("postal_code", _("This is not a valid postal code for that country."))
            return
        place = find_place(country, postal_code)
        if place is None or place.latitude is None:
            self.add_error(
                "postal_code",
                _("We do not know where this postal code is. Check it, or give coordinates instead."),
            )
            return
        cleaned["postal_code"] = normalise_postal_code(country, postal_code)
        cleaned["latitude"], cleaned["longitude"], cleaned["town"] = (
            place.latitude,
            place.longitude,
            place.town,
        )


class OneLineField(forms.CharField):
    """Text for one line (names, titles, subjects): line breaks and runs of spaces become one space.

    These values go into email subjects and headers and calendar files, where a line break is either
    refused (500) or a way to add a header of one's own.
    """

    def to_python(self, value: Any) -> str:
        return " ".join(super().to_python(value).split())


class CoordinatesField(forms.CharField):
    def to_python(self, value: Any) -> tuple[float, float] | None:
        text = super().to_python(value)
        if not text:
            return None
        if self.max_length is not None:
            # Django runs length validators after `to_python`: measure before parsing, not after.
            MaxLengthValidator(self.max_length)(text)
        parsed = parse_coordinates(text)
        if parsed is None:
            raise ValidationError(_("Write coordinates as latitude, longitude — for example 45.52, -73.58."))
        return parsed
