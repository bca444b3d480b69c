"""Event forms: the event and its shifts, review, duplicate, cancel."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.forms import country_choices
from quartier.organizing.actions.events import EventDraft, ShiftDraft
from quartier.organizing.forms.fields import (
    MAX_CAPACITY,
    MAX_SHIFTS,
    TIME_ZONES,
    CoordinatesField,
    EventDateTimeField,
    OneLineField,
    PlaceMixin,
    default_time_zone,
    time_zone_choices,
)
from quartier.organizing.models import Event, EventType, Group, Membership


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


class CancelEventForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the people who RSVPed"), required=False, max_length=2000,
        help_text=_("Sent with the cancellation email: why, and what comes next."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
