"""Forms of the staff compose page and the preferences page: validate, then hand over to `actions`."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts import queries as accounts_queries
from quartier.accounts.models import Cause
from quartier.outreach import merge, registry
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.actions.campaign_send import SUBJECT_MAX_LENGTH
from quartier.outreach.models import CAMPAIGN_NEWS, TOPICS
from quartier.outreach.segments import ANY, NO, YES, Segment

# A group as the suggestions name it: `Plateau for Climate (#12)`.
GROUP_REFERENCE = re.compile(r"\(#(\d{1,12})\)$")


def group_label(group_id: int, name: str) -> str:
    return f"{name} (#{group_id})"


YES_NO = [(ANY, _("Either")), (YES, _("Yes")), (NO, _("No"))]


def _other_languages() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class SegmentForm(forms.Form):
    """The segment builder: every filter optional; the count follows as it is filled in."""

    topic = forms.ChoiceField(label=_("Kind of email (people must have accepted it)"), choices=())
    postal_code = forms.CharField(label=_("Near the postal code"), max_length=10, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=())
    within_km = forms.FloatField(label=_("Within (km)"), min_value=1, max_value=2000, required=False)
    group = forms.CharField(
        label=_("Members of the group"),
        max_length=160,
        required=False,
        help_text=_("Type part of its name and pick it from the suggestions."),
        widget=forms.TextInput(
            attrs={
                "list": "group-suggestions",
                "autocomplete": "off",
                "hx-get": reverse_lazy("outreach:group_suggestions"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#group-suggestions",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
            }
        ),
    )
    causes = forms.MultipleChoiceField(
        label=_("Causes"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Language"), required=False, choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple
    )
    donor = forms.ChoiceField(label=_("Has given money"), choices=YES_NO, required=False)
    attended = forms.ChoiceField(label=_("Has attended an event"), choices=YES_NO, required=False)
    joined_after = forms.DateField(
        label=_("Joined on or after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    joined_before = forms.DateField(
        label=_("Joined on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    active_within_days = forms.IntegerField(
        label=_("Active in the last (days)"), min_value=1, max_value=3650, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [(key, label) for key, label in TOPICS.items()]
        self.fields["country"].choices = [("", _("Any"))] + [
            (code, code) for code in settings.QUARTIER_COUNTRIES
        ]
        self.fields["causes"].choices = [(cause.slug, cause.name) for cause in Cause.objects.all()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        postal_code, within = cleaned.get("postal_code"), cleaned.get("within_km")
        cleaned["place"] = None
        if (postal_code or within) and not (postal_code and within):
            if "postal_code" not in self.errors and "within_km" not in self.errors:
                missing = "within_km" if postal_code else "postal_code"
                self.add_error(missing, _("Give both a postal code and a distance, or neither."))
        elif postal_code and within:
            country = cleaned.get("country") or settings.QUARTIER_COUNTRIES[0]
            place = accounts_queries.find_place(country, postal_code)
            if place is None:
                self.add_error("postal_code", _("We do not know this postal code."))
            cleaned["place"] = place
            cleaned["country"] = country
        after, before = cleaned.get("joined_after"), cleaned.get("joined_before")
        if after and before and after > before:
            self.add_error("joined_before", _("This date comes before the other one."))
        cleaned["group_id"] = self._group_id(cleaned.get("group") or "")
        return cleaned

    def _group_id(self, text: str) -> int | None:
        """The group the staff member named (`Name (#12)` as suggested, or its exact name); an error
        on the field saying why when it names none or several."""
        text = " ".join(text.split())
        if not text:
            return None
        if reference := GROUP_REFERENCE.search(text):
            group_id = int(reference.group(1))
            if registry.group_lookup("name_of")(group_id) is not None:
                return group_id
            self.add_error("group", _("No group has the number %(number)s.") % {"number": group_id})
            return None
        found = registry.group_lookup("named")(text)
        if len(found) == 1:
            return found[0][0]
        if found:
            self.add_error(
                "group",
                _("Several groups are called “%(name)s”: pick one from the suggestions.") % {"name": text},
            )
        else:
            self.add_error(
                "group", _("No group is called “%(name)s”: pick one from the suggestions.") % {"name": text}
            )
        return None

    def to_segment(self) -> Segment:
        data = self.cleaned_data
        place = data.get("place")
        return Segment(
            topic=data.get("topic") or CAMPAIGN_NEWS,
            postal_code=data.get("postal_code") or "",
            country=data.get("country") or "",
            latitude=place.latitude if place else None,
            longitude=place.longitude if place else None,
            within_km=data.get("within_km") if place else None,
            group_id=data.get("group_id"),
            causes=list(data.get("causes") or []),
            languages=list(data.get("languages") or []),
            donor=data.get("donor") or ANY,
            attended=data.get("attended") or ANY,
            joined_after=data["joined_after"].isoformat() if data.get("joined_after") else "",
            joined_before=data["joined_before"].isoformat() if data.get("joined_before") else "",
            active_within_days=data.get("active_within_days"),
        )

    @staticmethod
    def initial_from(segment: Segment) -> dict[str, Any]:
        initial = segment.to_dict()
        for name in ("latitude", "longitude"):
            initial.pop(name)
        group_id = initial.pop("group_id", None)
        if group_id:
            initial["group"] = group_label(group_id, registry.group_lookup("name_of")(group_id) or "")
        return initial


class ComposeForm(SegmentForm):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH, required=False)
    preview_text = forms.CharField(
        label=_("Preview text"),
        max_length=200,
        required=False,
        help_text=_("Shown after the subject in most inboxes."),
    )
    body = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Markdown: **bold**, *italics*, [a link](https://…), lists. Merge fields: "
            "{{ first_name }}, {{ town }}, {{ next_event }}, {{ group }}."
        ),
    )

    field_order = ("subject", "preview_text", "body")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in _other_languages():
            self.fields[f"subject_{code}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": name},
                max_length=SUBJECT_MAX_LENGTH,
                required=False,
            )
            self.fields[f"preview_text_{code}"] = forms.CharField(
                label=_("Preview text (%(language)s)") % {"language": name}, max_length=200, required=False
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message (%(language)s)") % {"language": name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 12}),
                help_text=_(
                    "Readers of this language get this version; leave it empty to send them the first one."
                ),
            )

    def language_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (name, [self[f"{part}_{code}"] for part in ("subject", "preview_text", "body")])
            for code, name in _other_languages()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for problem in drafts_actions.draft_problems(self.to_draft(cleaned, check_only=True)):
            self.add_error(None, problem)
        return cleaned

    def to_draft(
        self, cleaned: dict[str, Any] | None = None, *, check_only: bool = False
    ) -> drafts_actions.Draft:
        data = cleaned if cleaned is not None else self.cleaned_data
        versions = {
            code: {part: data.get(f"{part}_{code}") or "" for part in ("subject", "preview_text", "body")}
            for code, _name in _other_languages()
        }
        return drafts_actions.Draft(
            subject=data.get("subject") or "",
            body=data.get("body") or "",
            preview_text=data.get("preview_text") or "",
            language=settings.LANGUAGE_CODE,
            versions=versions,
            segment={} if check_only else self.to_segment().to_dict(),
        )

    @staticmethod
    def initial_for(message) -> dict[str, Any]:
        initial = SegmentForm.initial_from(Segment.from_dict(message.segment))
        initial.update(subject=message.subject, preview_text=message.preview_text, body=message.body)
        for code, version in message.versions.items():
            for part in ("subject", "preview_text", "body"):
                initial[f"{part}_{code}"] = version.get(part, "")
        return initial


# The longest text staff may write in one language (before the frame): ten segments at most.
SMS_MAX_LENGTH = 640


class SmsComposeForm(SegmentForm):
    """A text to a segment: the words in each language, the same filters as email (no topic: texts go
    to numbers that asked for them), and the form's own key that makes sending it exactly once."""

    body = forms.CharField(
        label=_("Message"),
        max_length=SMS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "data-sms-language": settings.LANGUAGE_CODE}),
        help_text=_(
            "Merge fields: {{ first_name }}, {{ town }}. The campaign's name and the STOP line are added."
        ),
    )
    send_key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)

    field_order = ("body",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["topic"]
        self.fields["send_key"].initial = secrets.token_urlsafe(24)
        default_name = dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]
        self.fields["body"].label = _("Message (%(language)s)") % {"language": default_name}
        for code, name in _other_languages():
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Message (%(language)s)") % {"language": name},
                max_length=SMS_MAX_LENGTH,
                required=False,
                widget=forms.Textarea(attrs={"rows": 5, "data-sms-language": code}),
                help_text=_(
                    "People who read this language get this version; leave it empty to send them the first one."
                ),
            )

    def body_fields(self) -> list[forms.BoundField]:
        return [self["body"], *(self[f"body_{code}"] for code, _name in _other_languages())]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for bound in self.body_fields():
            unknown = merge.unknown_fields(cleaned.get(bound.name) or "")
            if unknown:
                self.add_error(
                    bound.name, _("Unknown merge fields: %(fields)s.") % {"fields": ", ".join(unknown)}
                )
        return cleaned

    def versions(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"body_{code}") or "" for code, _name in _other_languages()}

    def words(self) -> dict[str, str]:
        """Each language's words as a recipient of it gets them (the first version when left empty)."""
        body = self.cleaned_data.get("body") or ""
        words = {settings.LANGUAGE_CODE: body}
        words.update({code: text or body for code, text in self.versions().items()})
        return words


class ScheduleForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("now", _("Send now")), ("later", _("Send later"))], initial="now", widget=forms.RadioSelect
    )
    send_at = forms.DateTimeField(
        label=_("Date and time"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("when") == "later":
            send_at = cleaned.get("send_at")
            if send_at is None:
                self.add_error("send_at", _("Choose when to send it."))
            elif send_at <= timezone.now():
                self.add_error("send_at", _("Choose a time in the future."))
        return cleaned


class PreviewAsForm(forms.Form):
    recipient = forms.EmailField(label=_("Preview as (a supporter's email address)"), required=False)


class PreferencesForm(forms.Form):
    """One box per topic (its current choice as initial value) and an optional text opt-in, unticked."""

    phone = forms.CharField(label=_("Mobile number"), max_length=30, required=False)
    sms_consent = forms.BooleanField(label="", required=False)

    def __init__(self, *args: Any, current: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for topic, label in TOPICS.items():
            self.fields[f"topic_{topic}"] = forms.BooleanField(
                label=label, required=False, initial=current.get(topic, False)
            )
        from quartier.outreach.actions.sms import SMS_WORDING_DEFAULT

        self.fields["sms_consent"].label = SMS_WORDING_DEFAULT

    def topic_fields(self) -> list[forms.BoundField]:
        return [self[f"topic_{topic}"] for topic in TOPICS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("sms_consent"):
            from quartier.outreach import sms

            phone = sms.normalize_phone(cleaned.get("phone") or "")
            if phone is None:
                self.add_error("phone", _("Enter a mobile number, such as 514 555 0123."))
            cleaned["phone"] = phone
        return cleaned

    def wanted_topics(self) -> dict[str, bool]:
        return {topic: bool(self.cleaned_data.get(f"topic_{topic}")) for topic in TOPICS}


class SmsCodeForm(forms.Form):
    """The code texted to the number typed into the preferences form, typed back."""

    sms_code = forms.CharField(
        label=_("Code we texted you"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_sms_code(self) -> str:
        code = "".join(self.cleaned_data["sms_code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Type the 6 digits of the code we texted you."))
        return code
