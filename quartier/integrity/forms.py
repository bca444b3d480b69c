"""Forms of integrity."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ClusterDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("confirm", _("Confirm: these accounts act together")),
            ("dismiss", _("Dismiss: a false alarm")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for the moderation record (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
