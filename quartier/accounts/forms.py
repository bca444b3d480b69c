"""Forms: they validate what people type and hand clean values to `actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartier.accounts import branding
from quartier.accounts.actions import ProfileChanges
from quartier.accounts.models import Affiliation, Cause, Profile, Supporter, Visibility
from quartier.lib.ids import is_valid_handle
from quartier.lib.images import MAX_UPLOAD_BYTES
from quartier.lib.places import is_valid_postal_code, normalise_postal_code

COUNTRY_NAMES = {"CA": _("Canada"), "FR": _("France"), "US": _("United States"), "BE": _("Belgium"),
                 "CH": _("Switzerland")}  # fmt: skip
NEWS_CONSENT_WORDING = _(
    "Yes, email me news and calls to action from the campaign. I can unsubscribe at any time."
)
SPOKEN_LANGUAGES = ["fr", "en", "es", "ar", "zh-hans", "pt", "it", "de", "ht", "vi", "ru", "uk", "fa", "hi"]
MAX_LINKS = 5


DATABASE_INTEGER_RANGE = range(-(2**63), 2**63)


class ModelMultipleChoiceIdField(forms.ModelMultipleChoiceField):
    """Choices by primary key, refusing numbers no database column holds before querying.

    Django looks the keys up with `pk__in`, and SQLite fails (500) on an integer beyond 64 bits.
    """

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django's own check explains it
            if number not in DATABASE_INTEGER_RANGE:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def country_choices() -> list[tuple[str, Any]]:
    return [(code, COUNTRY_NAMES.get(code, code)) for code in settings.QUARTIER_COUNTRIES]


class LocationMixin:
    """Checks a postal code against its country's format."""

    def clean_location(self, cleaned: dict[str, Any]) -> None:
        country, postal_code = cleaned.get("country"), cleaned.get("postal_code")
        if country and postal_code:
            if not is_valid_postal_code(country, postal_code):
                self.add_error("postal_code", _("This is not a valid postal code for that country."))
            else:
                cleaned["postal_code"] = normalise_postal_code(country, postal_code)


class SignupForm(LocationMixin, forms.Form):
    """What allauth's sign-up form asks beyond email and password (see `adapter.save_user`)."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=80,
        help_text=_("Use your real name: this is a community of real people."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=10,
        help_text=_("Only your town is ever shown, never your postal code."),
    )
    news_consent = forms.BooleanField(label=NEWS_CONSENT_WORDING, required=False)

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if len(name) < 2:
            raise ValidationError(_("Please enter your name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_location(cleaned)
        return cleaned

    def signup(self, request: Any, user: Supporter) -> None:
        """Required by allauth; the work is done in `AccountAdapter.save_user`."""


class ProfileForm(LocationMixin, forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=80)
    handle = forms.CharField(
        label=_("Handle"),
        max_length=30,
        help_text=_("Your address on Quartier: lower-case letters, digits and hyphens, 3 to 30 characters."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10)
    town_visibility = forms.ChoiceField(label=_("Who sees my town"), choices=Visibility.choices)
    bio = forms.CharField(
        label=_("About me"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown works: *italics*, **bold**, [links](https://example.org)."),
    )  # fmt: skip
    bio_visibility = forms.ChoiceField(label=_("Who sees this"), choices=Visibility.choices)
    why_involved = forms.CharField(
        label=_("Why I'm involved"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    why_involved_visibility = forms.ChoiceField(label=_("Who sees this"), choices=Visibility.choices)
    causes = ModelMultipleChoiceIdField(
        label=_("Causes I care about"), queryset=Cause.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    causes_visibility = forms.ChoiceField(label=_("Who sees this"), choices=Visibility.choices)
    languages_spoken = forms.MultipleChoiceField(
        label=_("Languages I speak"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    languages_visibility = forms.ChoiceField(label=_("Who sees this"), choices=Visibility.choices)
    links = forms.CharField(
        label=_("Links"), required=False, max_length=5 * 2100, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line, up to five."),
    )  # fmt: skip
    links_visibility = forms.ChoiceField(label=_("Who sees this"), choices=Visibility.choices)
    photo_visibility = forms.ChoiceField(label=_("Who sees my photo"), choices=Visibility.choices)

    def __init__(self, *args: Any, supporter: Supporter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.supporter = supporter
        from quartier.accounts.queries import language_name

        self.fields["languages_spoken"].choices = [(code, language_name(code)) for code in SPOKEN_LANGUAGES]
        name_field = "name_fr" if (get_language() or "en").startswith("fr") else "name_en"
        self.fields["causes"].queryset = Cause.objects.order_by(name_field)

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().lower()
        if not is_valid_handle(handle):
            raise ValidationError(
                _(
                    "Use 3 to 30 lower-case letters, digits and single hyphens, not starting or ending with one."
                )
            )
        if Supporter.objects.filter(handle=handle).exclude(pk=self.supporter.pk).exists():
            raise ValidationError(_("This handle is already taken."))
        return handle

    def clean_display_name(self) -> str:
        return SignupForm.clean_display_name(self)  # type: ignore[arg-type]

    def clean_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        if len(lines) > MAX_LINKS:
            raise ValidationError(_("Up to five links, please."))
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except ValidationError:
                raise ValidationError(
                    _("“%(link)s” is not a web address (it must start with https:// or http://)."),
                    params={"link": line},
                ) from None
        return lines

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_location(cleaned)
        return cleaned

    def to_changes(self) -> ProfileChanges:
        data = self.cleaned_data
        return ProfileChanges(
            handle=data["handle"],
            display_name=data["display_name"],
            country=data["country"],
            postal_code=data["postal_code"],
            bio=data["bio"],
            why_involved=data["why_involved"],
            causes=list(data["causes"]),
            languages_spoken=data["languages_spoken"],
            links=data["links"],
            visibility={field: data[f"{field}_visibility"] for field in Profile.FIELDS_WITH_VISIBILITY},
        )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP, up to 5 MB. We crop it square and remove its metadata."),
    )

    def clean_photo(self) -> Any:
        photo = self.cleaned_data["photo"]
        if photo.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("This file is larger than 5 MB."))
        return photo


class AffiliationForm(forms.Form):
    affiliation = forms.ChoiceField(label=_("Affiliation"), choices=Affiliation.choices, required=False)


class EmailPreferencesForm(forms.Form):
    news_consent = forms.BooleanField(label=NEWS_CONSENT_WORDING, required=False)


class DeleteAccountForm(forms.Form):
    confirmation = forms.CharField(label=_("Type DELETE to confirm"), max_length=20)

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value.upper() not in {"DELETE", str(_("DELETE")).upper()}:
            raise ValidationError(_("Type DELETE to confirm."))
        return value


class BrandingForm(forms.Form):
    """The campaign's branding: each field may stay empty (then the configured default applies)."""

    name = forms.CharField(label=_("Campaign name"), max_length=80, required=False)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, up to 5 MB. We shrink it to fit 480 × 160 pixels, keeping its shape."
        ),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    primary_colour = forms.CharField(
        label=_("Primary colour"),
        max_length=7,
        required=False,
        help_text=_("Links, buttons and the mail header, as #RRGGBB (for example #0a58a8)."),
    )
    accent_colour = forms.CharField(
        label=_("Accent colour"),
        max_length=7,
        required=False,
        help_text=_("The Donate button, as #RRGGBB (for example #1b6b34)."),
    )
    sender_name = forms.CharField(label=_("Sender name for email"), max_length=80, required=False)
    sender_address = forms.EmailField(
        label=_("Sender address for email"),
        required=False,
        help_text=_("Your mail provider must be allowed to send from this address."),
    )

    def clean_logo(self) -> Any:
        logo = self.cleaned_data["logo"]
        if logo and logo.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("This file is larger than 5 MB."))
        return logo

    def _clean_colour(self, field: str) -> str:
        value = self.cleaned_data[field].strip()
        if not value:
            return ""
        colour = branding.parse_colour(value)
        if colour is None:
            raise ValidationError(_("Write the colour as # and six hexadecimal digits, for example #0a58a8."))
        ratio = branding.contrast_with_white(colour)
        if ratio < branding.MIN_CONTRAST:
            raise ValidationError(
                _(
                    "White text on %(colour)s has a contrast of %(ratio)s:1; at least 4.5:1 is needed "
                    "to be readable. Choose a darker colour."
                )
                % {"colour": colour, "ratio": number_format(ratio, 1)}
            )
        return colour

    def clean_primary_colour(self) -> str:
        return self._clean_colour("primary_colour")

    def clean_accent_colour(self) -> str:
        return self._clean_colour("accent_colour")
