"""RSVP forms: signed-in, by email without an account, a host's walk-in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from quartier.accounts.forms import country_choices
from quartier.lib.places import is_valid_postal_code, normalise_postal_code
from quartier.organizing.forms.fields import (
    HOST_CONSENT_WORDING,
    MAX_SHIFTS,
    SHARES_CONTACT_WORDING,
    OneLineField,
)


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
