"""Forms of fieldwork: campaigns, turf, imports and their mapping, results."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.queries import find_place
from quartier.fieldwork.importing import FIELDS
from quartier.fieldwork.models import FieldCampaign, Outcome, Question
from quartier.fieldwork.queries import Turf
from quartier.lib.contacts import parse_polygon, split_tags
from quartier.lib.geo import parse_coordinates
from quartier.organizing.models import Event, Group

COUNTRIES = [("CA", _("Canada")), ("FR", _("France")), ("US", _("United States")), ("BE", _("Belgium"))]


class ListSettingsMixin:
    """The walk-list settings: optional in a form (left empty: the default), within sane bounds."""

    LIMITS: dict[str, tuple[int, int]] = {
        "max_lists_per_volunteer": (0, 20),
        "list_return_hours": (1, 24 * 30),
    }

    def _set_up_list_settings(self) -> None:
        for name, (low, high) in self.LIMITS.items():
            self.fields[name].required = False  # type: ignore[attr-defined]
            self.fields[name].widget.attrs.update(min=low, max=high)  # type: ignore[attr-defined]

    def _bounded(self, name: str) -> int:
        value = self.cleaned_data.get(name)  # type: ignore[attr-defined]
        if value is None:
            return getattr(self.instance, name)  # type: ignore[attr-defined]  # kept (or the default)
        low, high = self.LIMITS[name]
        if not low <= value <= high:
            raise forms.ValidationError(
                _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
        return value

    def clean_max_lists_per_volunteer(self) -> int:
        return self._bounded("max_lists_per_volunteer")

    def clean_list_return_hours(self) -> int:
        return self._bounded("list_return_hours")


class CampaignForm(ListSettingsMixin, forms.ModelForm):
    class Meta:
        model = FieldCampaign
        fields = [
            "kind", "name", "description", "script", "group", "event", "open_from_home", "retry_minutes",
            "callback_hours", "max_attempts", "calling_hours_start", "calling_hours_end",
            "max_lists_per_volunteer", "list_return_hours",
        ]  # fmt: skip
        labels = {
            "script": _("script and survey"),
            "group": _("local group"),
            "event": _("event (its attendees may call; its shifts may hold walk lists)"),
            "max_attempts": _("tries before giving up on a no-answer"),
            "calling_hours_start": _("calls from (hour, the contact's local time)"),
            "calling_hours_end": _("calls until (hour, the contact's local time)"),
        }

    def __init__(self, *args, groups, staff: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = (
            Group.objects.filter(pk__in=groups)
            if not staff
            else Group.objects.filter(fieldwork_access__isnull=False)  # approved groups only
        )
        self.fields["group"].required = not staff
        events = Event.objects.filter(status=Event.Status.PUBLISHED, event_type__in=["canvass", "phone_bank"])
        self.fields["event"].queryset = (events if staff else events.filter(group_id__in=groups)).order_by(
            "-starts_at"
        )
        self.fields["event"].required = False
        self._set_up_list_settings()

    def clean_event(self):
        event = self.cleaned_data.get("event")
        group = self.cleaned_data.get("group")
        if event is not None and group is not None and event.group_id != group.pk:
            raise forms.ValidationError(_("Choose an event of the campaign's group."))
        return event
        self.fields["calling_hours_start"].widget.attrs.update(min=0, max=23)
        self.fields["calling_hours_end"].widget.attrs.update(min=1, max=24)

    def clean(self):
        data = super().clean()
        start, end = data.get("calling_hours_start"), data.get("calling_hours_end")
        if start is not None and end is not None and not (0 <= start < end <= 24):
            self.add_error(
                "calling_hours_end", _("Calls must end after they start, by midnight at the latest.")
            )
        return data


class CampaignSettingsForm(ListSettingsMixin, forms.ModelForm):
    """What an organiser changes once the campaign runs (its kind and group stay)."""

    class Meta:
        model = FieldCampaign
        fields = [
            "name", "description", "script", "is_open", "open_from_home", "retry_minutes", "callback_hours",
            "max_attempts", "calling_hours_start", "calling_hours_end", "max_lists_per_volunteer",
            "list_return_hours",
        ]  # fmt: skip
        labels = CampaignForm.Meta.labels

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._set_up_list_settings()

    def clean(self):
        data = super().clean()
        start, end = data.get("calling_hours_start"), data.get("calling_hours_end")
        if start is not None and end is not None and not (0 <= start < end <= 24):
            self.add_error(
                "calling_hours_end", _("Calls must end after they start, by midnight at the latest.")
            )
        return data


class TurfForm(forms.Form):
    polygon = forms.CharField(required=False, widget=forms.HiddenInput)
    center = forms.CharField(
        label=_("centre: a postal code or coordinates"), required=False, max_length=60,
        help_text=_("Leave empty when you draw the area on the map."),
    )  # fmt: skip
    country = forms.ChoiceField(label=_("country of the postal code"), choices=COUNTRIES, initial="CA")
    radius_km = forms.FloatField(label=_("radius (km)"), required=False, min_value=0.05, max_value=100)
    tags = forms.CharField(label=_("only contacts with these tags"), required=False, max_length=200)
    earlier_outcomes = forms.MultipleChoiceField(
        label=_("only contacts whose last result was"),
        required=False,
        choices=[("never", _("Never contacted")), *Outcome.choices],
        widget=forms.CheckboxSelectMultiple,
    )
    doors_per_list = forms.IntegerField(label=_("doors per list"), min_value=1, max_value=500, initial=50)
    max_lists = forms.IntegerField(label=_("lists to cut, at most"), min_value=1, max_value=5000, initial=10)

    def __init__(self, *args, phone_bank: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.phone_bank = phone_bank
        if phone_bank:
            del self.fields["doors_per_list"]
            del self.fields["max_lists"]

    def clean(self):
        data = super().clean()
        polygon = None
        if data.get("polygon"):
            try:
                polygon = parse_polygon(json.loads(data["polygon"]))
            except ValueError:
                polygon = None
            if polygon is None:
                self.add_error("polygon", _("The area drawn on the map could not be read: draw it again."))
        center = None
        if data.get("center"):
            center = parse_coordinates(data["center"])
            if center is None:
                place = find_place(data.get("country") or "CA", data["center"])
                center = (place.latitude, place.longitude) if place and place.latitude is not None else None
            if center is None:
                self.add_error(
                    "center", _("Enter a postal code we know or coordinates such as 45.52, -73.58.")
                )
            elif not data.get("radius_km"):
                self.add_error("radius_km", _("Give the radius around the centre."))
        if (
            not polygon
            and not data.get("center")
            and not data.get("tags")
            and not data.get("earlier_outcomes")
        ):
            raise forms.ValidationError(
                _("Draw an area on the map, give a centre and a radius, or choose tags.")
            )
        data["turf"] = Turf(
            polygon=polygon, center=center, radius_km=data.get("radius_km"), tags=split_tags(data.get("tags", "")),
            earlier_outcomes=data.get("earlier_outcomes") or [], needs_phone=self.phone_bank,
        )  # fmt: skip
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("contact file (CSV, UTF-8 or Latin-1)"))
    country = forms.ChoiceField(
        label=_("country of the addresses and phone numbers"), choices=COUNTRIES, initial="CA"
    )
    extra_tags = forms.CharField(label=_("tags to add to every contact"), required=False, max_length=200)
    scope_group = forms.ModelChoiceField(
        label=_("who may reach these contacts"),
        queryset=Group.objects.filter(fieldwork_access__isnull=False).order_by("name"),
        required=False,
        empty_label=_("the campaign's own file (staff campaigns)"),
        help_text=_(
            "Granting them to a local group lets its leaders' campaigns reach them, and nobody else's."
        ),
    )


class MappingForm(forms.Form):
    """One select per contact field: which column fills it."""

    def __init__(self, *args, header: list[str], initial_mapping: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in the file —"))] + [
            (str(i), name or f"#{i + 1}") for i, name in enumerate(header)
        ]
        for name, (label, _names) in FIELDS.items():
            self.fields[name] = forms.ChoiceField(label=label, choices=columns, required=False)
            if name in initial_mapping:
                self.fields[name].initial = str(initial_mapping[name])
        self.encoding_choices = [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("latin-1", "Latin-1")]
        self.fields["encoding"] = forms.ChoiceField(label=_("encoding"), choices=self.encoding_choices)

    def mapping(self) -> dict[str, int]:
        return {
            name: int(value) for name, value in self.cleaned_data.items() if name in FIELDS and value != ""
        }

    def clean(self):
        data = super().clean()
        used = [value for name, value in data.items() if name in FIELDS and value]
        if len(used) != len(set(used)):
            raise forms.ValidationError(_("A column can fill one field only."))
        return data


class ResultForm(forms.Form):
    """A door or a call: the canned result, the survey, notes, wishes and a request for an organiser."""

    outcome = forms.ChoiceField(label=_("result"), choices=Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    do_not_contact = forms.BooleanField(label=_("Asked not to be contacted again"), required=False)
    needs_action = forms.BooleanField(label=_("An organiser should follow up"), required=False)
    action_note = forms.CharField(label=_("what the organiser should do"), required=False, max_length=500)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, questions: list[Question], **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            choices = [(c["value"], c["label"]) for c in question.localised_choices()]
            if question.kind == Question.Kind.TEXT:
                field = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
            elif question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
            else:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            field.label = question.localised_text
            field.required = False
            self.fields[name] = field

    def question_fields(self) -> list[tuple[Question, forms.BoundField]]:
        return [(question, self[f"q{question.pk}"]) for question in self.questions]

    def clean_idempotency_key(self) -> str:
        key = self.cleaned_data["idempotency_key"]
        if not key.replace("-", "").isalnum():
            raise forms.ValidationError(_("Reload the page and record the result again."))
        return key

    def answers(self) -> dict[int, list[str]]:
        answers: dict[int, list[str]] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value:
                answers[question.pk] = list(value) if isinstance(value, list) else [value]
        return answers


class CallResultForm(ResultForm):
    """A call's result, and for "come back later" the date and time the person asked to be called back,
    in the contact's own time zone (within the campaign's calling hours there, in the future)."""

    LONGEST_CALLBACK = timedelta(days=60)

    callback_date = forms.DateField(
        label=_("call back on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    callback_time = forms.TimeField(
        label=_("at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(
        self, *args, campaign: FieldCampaign, zone: str, now: datetime | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        try:
            self.zone = ZoneInfo(zone)
        except (KeyError, ValueError):
            self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = now or timezone.now()
        today = self.now.astimezone(self.zone).date()
        self.fields["callback_date"].widget.attrs.update(
            min=today.isoformat(), max=(today + self.LONGEST_CALLBACK).isoformat()
        )
        # The browser refuses a time outside calling hours before sending it (the server checks again).
        self.fields["callback_time"].widget.attrs.update(
            min=f"{campaign.calling_hours_start:02d}:00", max=f"{campaign.calling_hours_end - 1:02d}:59"
        )

    @property
    def zone_name(self) -> str:
        return str(self.zone)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.zone)

    def clean(self):
        data = super().clean()
        day, at = data.get("callback_date"), data.get("callback_time")
        data["callback_at"] = None
        if data.get("outcome") != Outcome.COME_BACK_LATER or (day is None and at is None):
            return data  # a time given with another result is not kept
        if day is None or at is None:
            raise forms.ValidationError(_("Give both a date and a time to call back, or neither."))
        when = datetime.combine(day, at, tzinfo=self.zone)
        start, end = self.campaign.calling_hours_start, self.campaign.calling_hours_end
        if when <= self.now:
            self.add_error("callback_date", _("Choose a call-back time in the future."))
        elif when > self.now + self.LONGEST_CALLBACK:
            self.add_error("callback_date", _("Choose a call-back date within the next 60 days."))
        elif not start <= when.hour < end:
            self.add_error(
                "callback_time",
                _("Calls are made from %(start)s:00 to %(end)s:00 in the contact's time zone.")
                % {"start": start, "end": end},
            )
        else:
            data["callback_at"] = when
        return data


class AssignForm(forms.Form):
    volunteer = forms.ChoiceField(label=_("volunteer"), required=False)
    shift = forms.ChoiceField(label=_("or an event shift"), required=False)

    def __init__(self, *args, volunteers, shifts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [("", _("— nobody —"))] + [
            (str(s.pk), s.display_name) for s in volunteers
        ]
        self.fields["shift"].choices = [("", _("— no shift —"))] + [(str(pk), label) for pk, label in shifts]


class ScriptForm(forms.Form):
    """A script and its questions, typed as text: one question per block, choices one per line as
    `value | English label | French label | next question number (0: the end)`."""

    name = forms.CharField(label=_("name"), max_length=120)
    introduction = forms.CharField(
        label=_("introduction"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("On the call and walk list pages, {{ first_name }} becomes the contact's first "
                    "name and {{ volunteer_first_name }} the volunteer's."),
    )  # fmt: skip
    introduction_fr = forms.CharField(
        label=_("introduction in French"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("question"), max_length=300)
    text_fr = forms.CharField(label=_("question in French"), max_length=300, required=False)
    choices = forms.CharField(
        label=_("choices"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: value | English label | French label | next question number (0: the end)."),
    )  # fmt: skip
    defines_success = forms.BooleanField(label=_("this question defines success"), required=False)
    success_values = forms.CharField(
        label=_("answers that count as a success (values, separated by commas)"),
        required=False,
        max_length=200,
    )

    def clean_choices(self) -> list[dict]:
        parsed = []
        for number, line in enumerate(self.cleaned_data.get("choices", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            value = parts[0][:60]
            if not value:
                raise forms.ValidationError(_("Line %(number)s has no value.") % {"number": number})
            next_question = None
            if len(parts) > 3 and parts[3]:
                if not parts[3].isdigit():
                    raise forms.ValidationError(
                        _("Line %(number)s: the next question is a number.") % {"number": number}
                    )
                next_question = int(parts[3])
            parsed.append({
                "value": value, "label": (parts[1] if len(parts) > 1 and parts[1] else value)[:120],
                "label_fr": (parts[2] if len(parts) > 2 else "")[:120], "next": next_question,
            })  # fmt: skip
        return parsed

    def clean(self):
        data = super().clean()
        if data.get("kind") in {Question.Kind.SINGLE, Question.Kind.MULTIPLE} and not data.get("choices"):
            self.add_error("choices", _("Give the choices of this question."))
        return data


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, max_num=30, can_delete=True)


def choices_as_text(question: Question) -> str:
    return "\n".join(
        " | ".join(
            [
                c["value"],
                c.get("label", ""),
                c.get("label_fr", ""),
                "" if c.get("next") is None else str(c["next"]),
            ]
        )
        for c in question.choices
    )
