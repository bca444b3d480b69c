"""Forms of the people import (upload, then the column mapping) and of the exports."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.api.exchange.exports import FORMATS
from quartier.api.exchange.layouts import FIELDS

COUNTRIES = [("CA", _("Canada")), ("FR", _("France")), ("US", _("United States")), ("BE", _("Belgium"))]
ENCODINGS = [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("latin-1", "Latin-1")]


class PeopleUploadForm(forms.Form):
    file = forms.FileField(label=_("people file (CSV, UTF-8 or Latin-1)"))
    country = forms.ChoiceField(
        label=_("country of the addresses and phone numbers"), choices=COUNTRIES, initial="CA"
    )
    tags = forms.CharField(label=_("tags to add to every person"), required=False, max_length=200)


class PeopleMappingForm(forms.Form):
    """One select per field: which column fills it."""

    def __init__(self, *args, header: list[str], initial_mapping: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in the file —"))] + [
            (str(index), name or f"#{index + 1}") for index, name in enumerate(header)
        ]
        for name, (label, _names) in FIELDS.items():
            self.fields[name] = forms.ChoiceField(label=label, choices=columns, required=False)
            if name in initial_mapping:
                self.fields[name].initial = str(initial_mapping[name])
        self.fields["encoding"] = forms.ChoiceField(label=_("encoding"), choices=ENCODINGS)

    def mapping(self) -> dict[str, int]:
        return {
            name: int(value) for name, value in self.cleaned_data.items() if name in FIELDS and value != ""
        }

    def clean(self):
        data = super().clean()
        used = [value for name, value in data.items() if name in FIELDS and value]
        if len(used) != len(set(used)):
            raise forms.ValidationError(_("A column can fill one field only."))
        if not ({"email", "phone"} & {name for name in FIELDS if data.get(name)}):
            raise forms.ValidationError(_("Choose the column of the email address (or of the phone number)."))
        return data


class ExportForm(forms.Form):
    what = forms.ChoiceField(
        label=_("what to export"),
        choices=[("people", _("People")), ("rsvps", _("RSVPs")), ("donations", _("Donations"))],
    )
    file_format = forms.ChoiceField(label=_("format"), choices=[(name, name.upper()) for name in FORMATS])
