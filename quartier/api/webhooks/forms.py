"""The form staff fill to register a webhook endpoint."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.api.webhooks.events import EVENT_TYPE_LABELS


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("URL that receives the events"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("what it is for"), required=False, max_length=200)
    event_types = forms.MultipleChoiceField(
        label=_("events to send"),
        choices=list(EVENT_TYPE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
