"""Forms for groups, events, shifts and RSVPs: they validate and hand clean values to `actions`."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.forms import country_choices
from quartier.accounts.queries import find_place, find_town
from quartier.lib.geo import parse_coordinates
from quartier.lib.places import is_valid_postal_code, normalise_postal_code
from quartier.lib.zones import zone_label
from quartier.organizing.actions.events import EventDraft, ShiftDraft
from quartier.organizing.actions.groups import GroupDraft
from quartier.organizing.models import Event, EventType, Group, Membership

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


class GroupForm(PlaceMixin, forms.Form):
    name = OneLineField(label=_("Name of the group"), max_length=120)
    area = OneLineField(
        label=_("Area it covers"), max_length=120, help_text=_("A neighbourhood, town or riding.")
    )
    description = forms.CharField(
        label=_("What the group does"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    postal_code = forms.CharField(label=_("Postal code at its centre"), max_length=10, required=False)
    coordinates = CoordinatesField(
        label=_("Or coordinates"), required=False, max_length=60, help_text=_("latitude, longitude")
    )
    join_policy = forms.ChoiceField(label=_("Who can join"), choices=Group.JoinPolicy.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_place(cleaned)
        return cleaned

    def to_draft(self) -> GroupDraft:
        data = self.cleaned_data
        return GroupDraft(
            name=data["name"].strip(), description=data["description"], area=data["area"].strip(),
            country=data["country"], postal_code=data["postal_code"], latitude=data["latitude"],
            longitude=data["longitude"], town=data["town"], join_policy=data["join_policy"],
        )  # fmt: skip


class JoinGroupForm(forms.Form):
    accepts_messages = forms.BooleanField(label=LEADER_CONSENT_WORDING, required=False)
    is_listed = forms.BooleanField(label=LISTED_WORDING, required=False)


class MessageForm(forms.Form):
    subject = OneLineField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Markdown works. Only people who accepted messages receive it, with a link to unsubscribe. "
            "Replies go to your own email address."
        ),
    )  # fmt: skip


class MergeGroupForm(forms.Form):
    target = forms.SlugField(
        label=_("Merge into the group at address"), help_text=_("the last part of its address")
    )


class EventForm(PlaceMixin, forms.Form):
    title = OneLineField(label=_("Title"), max_length=140)
    event_type = forms.ChoiceField(label=_("Type"), choices=EventType.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )
    group = forms.ModelChoiceField(
        label=_("Hosted with the group"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("No group"),
    )
    is_virtual = forms.BooleanField(label=_("This event is online"), required=False)
    join_url = forms.URLField(label=_("Link to join (online events)"), required=False, assume_scheme="https")
    venue = OneLineField(
        label=_("Place"), max_length=140, required=False, help_text=_("For example: Café Olimpico")
    )
    address = OneLineField(label=_("Street address"), max_length=200, required=False)
    address_visibility = forms.ChoiceField(
        label=_("Who sees the address"), choices=Event.AddressVisibility.choices
    )
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    coordinates = CoordinatesField(label=_("Or coordinates"), required=False, max_length=60)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    max_guests_per_rsvp = forms.IntegerField(
        label=_("Guests each person may bring"), min_value=0, max_value=20, initial=0
    )

    def __init__(self, *args: Any, host, browser_zone: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.fields["group"].queryset = Group.objects.filter(
            status=Group.Status.ACTIVE,
            memberships__supporter=host,
            memberships__status=Membership.Status.ACTIVE,
            memberships__role__in=[Membership.Role.LEADER, Membership.Role.CO_LEADER],
        )
        if not self.is_bound and "time_zone" not in self.initial:
            self.initial["time_zone"] = default_time_zone(
                country=host.country, postal_code=host.postal_code or "", browser_zone=browser_zone
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("is_virtual"):
            self.place_required = False
            if not cleaned.get("join_url"):
                self.add_error("join_url", _("An online event needs a link to join."))
        self.clean_place(cleaned)
        return cleaned

    def to_draft(self, shifts: list[ShiftDraft]) -> EventDraft:
        data = self.cleaned_data
        return EventDraft(
            title=data["title"].strip(), description=data["description"], event_type=data["event_type"],
            is_virtual=data["is_virtual"], join_url=data["join_url"], venue=data["venue"], address=data["address"],
            address_visibility=data["address_visibility"], country=data["country"],
            postal_code=data.get("postal_code", ""), town=data.get("town", ""), latitude=data.get("latitude"),
            longitude=data.get("longitude"), time_zone=data["time_zone"],
            max_guests_per_rsvp=data["max_guests_per_rsvp"], group=data["group"], shifts=shifts,
        )  # fmt: skip


class ShiftForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    starts_at = EventDateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = EventDateTimeField(
        label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=MAX_CAPACITY, initial=20)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A shift must end after it starts."))
        return cleaned


class BaseShiftFormSet(forms.BaseFormSet):
    """Shift times are typed in the event's time zone (`time_zone` kwarg) and stored in UTC."""

    def __init__(self, *args: Any, time_zone: str = "UTC", allow_past: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The zone comes from the request before `EventForm` has checked it: an unlisted one is refused
        # there, so the shifts fall back to UTC instead of asking zoneinfo for any file name.
        self.zone = zoneinfo.ZoneInfo(time_zone if time_zone in TIME_ZONES else "UTC")
        self.allow_past = allow_past

    def clean(self) -> None:
        if any(self.errors):
            return
        now = timezone.now()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            for name in ("starts_at", "ends_at"):
                # Django made the typed time aware in the *current* zone; the host typed it in the
                # event's own zone, so keep the wall-clock time and put it in that zone.
                value: datetime = form.cleaned_data[name]
                form.cleaned_data[name] = value.replace(tzinfo=self.zone)
            if (
                not self.allow_past
                and form.cleaned_data["starts_at"] <= now
                and not form.cleaned_data.get("id")
            ):
                form.add_error("starts_at", _("This time has already passed."))
                raise ValidationError(_("Please correct the shifts below."))

    def drafts(self) -> list[ShiftDraft]:
        return [
            ShiftDraft(
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                capacity=form.cleaned_data["capacity"],
                pk=form.cleaned_data.get("id"),
            )
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]


ShiftFormSet = forms.formset_factory(
    ShiftForm, formset=BaseShiftFormSet, extra=0, min_num=1, validate_min=True, max_num=MAX_SHIFTS,
    validate_max=True, can_delete=True,
)  # fmt: skip


class ShiftChoiceField(forms.Field):
    """One or more shift ids (`shift=3&shift=4`); the view loads each through `access`."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Choose a shift."), "invalid": _("Choose a shift.")}

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = [int(item) for item in values]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(ids) > MAX_SHIFTS:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return list(dict.fromkeys(ids))


class RsvpForm(forms.Form):
    shift = ShiftChoiceField()
    guests = forms.IntegerField(label=_("Guests coming with me"), min_value=0, initial=0, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    # Consents start unticked, always.
    shares_contact = forms.BooleanField(label=SHARES_CONTACT_WORDING, required=False)
    accepts_messages = forms.BooleanField(label=HOST_CONSENT_WORDING, required=False)

    def __init__(self, *args: Any, max_guests: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_guests = max_guests
        self.fields["guests"].widget.attrs["max"] = max_guests

    @property
    def chosen_shifts(self) -> list[str]:
        """The shift ids ticked in the submitted form, to tick them again when it comes back."""
        return self.data.getlist("shift") if self.is_bound and hasattr(self.data, "getlist") else []

    def clean_guests(self) -> int:
        guests = self.cleaned_data.get("guests") or 0
        if guests > self.max_guests:
            if self.max_guests == 0:
                raise ValidationError(_("The host asks people to come on their own."))
            raise ValidationError(
                _("You can bring up to %(count)s guests."), params={"count": self.max_guests}
            )
        return guests


class GuestRsvpForm(RsvpForm):
    name = OneLineField(label=_("Your name"), max_length=80)
    email = forms.EmailField(label=_("Email"))
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10)
    news_consent = forms.BooleanField(
        label=_("Yes, email me news and calls to action from the campaign. I can unsubscribe at any time."),
        required=False,
    )

    field_order = ["name", "email", "country", "postal_code", "phone", "guests", "shares_contact", "accepts_messages",
                   "news_consent", "shift"]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        country, postal_code = cleaned.get("country"), cleaned.get("postal_code")
        if country and postal_code:
            if not is_valid_postal_code(country, postal_code):
                self.add_error("postal_code", _("This is not a valid postal code for that country."))
            else:
                cleaned["postal_code"] = normalise_postal_code(country, postal_code)
        return cleaned


class WalkInForm(forms.Form):
    shift = forms.IntegerField(widget=forms.HiddenInput)
    name = OneLineField(label=_("Name"), max_length=80)
    email = forms.EmailField(
        label=_("Email"), help_text=_("We email them a link: they are on the list once they confirm.")
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason (sent to the host)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Tell the host why, so they can fix it."))
        return cleaned


class DuplicateForm(forms.Form):
    starts_at = EventDateTimeField(
        label=_("New start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class SearchForm(forms.Form):
    """`?near=<postal code, town or lat,lon>&within=<km or miles>`, shared by group and event search."""

    near = forms.CharField(label=_("Near"), required=False, max_length=60,
                           widget=forms.TextInput(attrs={"placeholder": _("Postal code or town")}))  # fmt: skip
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, required=False)
    within = forms.IntegerField(label=_("Within"), min_value=1, max_value=500, required=False, initial=25)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        near = (cleaned.get("near") or "").strip()
        cleaned["point"] = None
        if not near:
            return cleaned
        coordinates = parse_coordinates(near)
        if coordinates:
            cleaned["point"] = coordinates
            return cleaned
        country = cleaned.get("country") or settings.QUARTIER_COUNTRIES[0]
        countries = [country, *(code for code in settings.QUARTIER_COUNTRIES if code != country)]
        place = None
        if any(char.isdigit() for char in near):
            # A postal code: of the country chosen, else of another the campaign covers (`10001` typed
            # by a New Yorker who left the country on its default).
            codes = (find_place(code, near) for code in countries if is_valid_postal_code(code, near))
            place = next(filter(None, codes), None)
        if place is None:  # a town's name: in the country chosen, else in another the campaign covers
            place = next(filter(None, (find_town(code, near) for code in countries)), None)
        if place is None or place.latitude is None:
            self.add_error(
                "near", _("We do not know this postal code or town. Check it, or pick the right country.")
            )
        else:
            cleaned["point"] = (place.latitude, place.longitude)
            cleaned["place_name"] = place.town
            cleaned["place_country"] = place.country
        return cleaned


class EventSearchForm(SearchForm):
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *EventType.choices]
    )
    date_from = SearchDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = SearchDateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    online = forms.ChoiceField(
        label=_("Online or in person"), required=False,
        choices=[("", _("In person near me")), ("yes", _("Online only"))],
    )  # fmt: skip
    sort = forms.ChoiceField(
        label=_("Order"), required=False,
        choices=[("", _("Nearest first")), ("date", _("Soonest first"))],
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class CancelEventForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the people who RSVPed"), required=False, max_length=2000,
        help_text=_("Sent with the cancellation email: why, and what comes next."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
