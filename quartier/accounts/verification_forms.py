"""Forms of the verification pages: a phone number, a texted code, badges to hide, a vouch's note."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.accounts.badges import BADGES, Badge


class PhoneNumberForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"), max_length=32,
        help_text=_("We text you a code. We never show your number, and use it for nothing else."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )  # fmt: skip


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code received by text message"), regex=r"^\s*\d(\s*\d){5}\s*$", max_length=20,
        error_messages={"invalid": _("Type the six digits of the code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )  # fmt: skip


class BadgeVisibilityForm(forms.Form):
    shown = forms.MultipleChoiceField(
        label=_("Badges shown next to my name"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(info.slug, info.label) for info in BADGES],
    )  # fmt: skip

    def hidden_badges(self) -> Badge:
        chosen = set(self.cleaned_data["shown"])
        return Badge(sum(info.badge for info in BADGES if info.slug not in chosen))


class VouchForm(forms.Form):
    note = forms.CharField(
        label=_("How you know them (optional, never shown publicly)"), required=False, max_length=280,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("I know this person and I vouch that they are who they say they are."),
        error_messages={"required": _("Tick the box to vouch.")},
    )
