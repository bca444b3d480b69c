"""Forms for gifts, fundraising pages and staff filters: they validate and hand clean values to `actions`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartier.accounts.forms import country_choices
from quartier.donations import compliance
from quartier.donations.models import Donation, Frequency, FundraisingPage, Team
from quartier.lib.money import InvalidAmount, format_money, parse_amount

MIN_GIFT_MINOR = 100
MAX_GOAL_MINOR = 100_000_000
REFCODE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def clean_refcode(raw: object) -> str:
    """A `?refcode=` kept, never silently lost: letters, digits, `_`, `-` and `.` as given (`ux-newsletter`);
    any other run of characters (spaces, markup, non-ASCII) becomes one `_`, so the attribution survives in
    a form safe in links and CSV exports. Cut to the column's 40 characters."""
    text = REFCODE_UNSAFE.sub("_", str(raw or "").strip())
    return text.strip("_.-")[:40].rstrip("_.-")


def preset_choices(currency: str) -> list[tuple[str, str]]:
    language = (get_language() or "en")[:2]
    return [
        (str(amount), format_money(amount * 100, currency, language)) for amount in settings.DONATIONS_PRESETS
    ]


class AmountField(forms.Field):
    """An amount typed by a person, as minor units (see `lib.money.parse_amount`)."""

    def __init__(self, *, minimum: int, maximum: int, currency: str, **kwargs: Any) -> None:
        self.minimum, self.maximum, self.currency = minimum, maximum, currency
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()[:40]
        if not text:
            return None
        try:
            minor = parse_amount(text)
        except InvalidAmount:
            raise ValidationError(_("Enter an amount such as 25 or 25.50."), code="invalid") from None
        language = get_language() or "en"
        if minor < self.minimum:
            raise ValidationError(
                _("The smallest amount is %(amount)s."), code="min",
                params={"amount": format_money(self.minimum, self.currency, language)},
            )  # fmt: skip
        if minor > self.maximum:
            raise ValidationError(
                _("The largest amount is %(amount)s."), code="max",
                params={"amount": format_money(self.maximum, self.currency, language)},
            )  # fmt: skip
        return minor


class DonationForm(forms.Form):
    amount = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect, required=False)
    other_amount = forms.CharField(label=_("Other amount"), required=False, max_length=20)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.ONCE, widget=forms.RadioSelect
    )
    currency = forms.CharField(widget=forms.HiddenInput, max_length=3)
    refcode = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    address_line = forms.CharField(label=_("Street address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    region = forms.CharField(label=_("State or province"), max_length=40, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12, required=False)
    country = forms.ChoiceField(label=_("Country"))
    employer = forms.CharField(label=_("Employer"), max_length=120, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=120, required=False)
    show_name = forms.BooleanField(
        label=_("Show my name on the page's honour roll (otherwise: “Anonymous”)"), required=False
    )

    def __init__(self, *args: Any, currency: str, show_honour_roll: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = compliance.jurisdiction()
        self.campaign_currency = currency
        self.fields["amount"].choices = [*preset_choices(currency), ("other", _("Other"))]
        self.fields["country"].choices = country_choices()
        self.fields["currency"].initial = currency
        self.attestation_fields = []
        for attestation in self.rules.attestations:
            name = f"attest_{attestation.code}"
            self.fields[name] = forms.BooleanField(label=attestation.text, required=True)
            self.fields[name].error_messages["required"] = _("Please confirm this statement to give.")
            self.attestation_fields.append(name)
        if self.rules.limit_minor is not None:
            for name in ("address_line", "city", "postal_code"):
                self.fields[name].required = True
        if self.rules.details_threshold_minor is None:
            del self.fields["employer"], self.fields["occupation"]
        if not show_honour_roll:
            del self.fields["show_name"]

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].upper()
        if currency != self.campaign_currency or currency not in compliance.CURRENCIES:
            raise ValidationError(
                _("This campaign takes gifts in %(currency)s only."),
                params={"currency": self.campaign_currency},
            )
        return currency

    def clean_refcode(self) -> str:
        return clean_refcode(self.cleaned_data.get("refcode"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("amount") or ""
        field = AmountField(
            minimum=MIN_GIFT_MINOR, maximum=settings.DONATIONS_MAX_MINOR, currency=self.campaign_currency
        )
        try:
            if choice and choice != "other":
                data["amount_minor"] = field.clean(choice)
            elif (self.data.get("other_amount") or "").strip():
                data["amount_minor"] = field.clean(self.data.get("other_amount"))
            else:
                self.add_error("other_amount", _("Choose or enter an amount."))
        except ValidationError as error:
            self.add_error("other_amount", error)
        if self.rules.domicile == "CA-QC":
            postal = (data.get("postal_code") or "").strip().upper()
            if (
                data.get("country") != "CA"
                or (data.get("region") or "").strip().upper() not in {"QC", "QUÉBEC", "QUEBEC"}
                or postal[:1] not in {"G", "H", "J"}
            ):
                self.add_error(
                    "region",
                    _("Only electors domiciled in Québec may contribute: a Québec address is required."),
                )
        return data

    def attestation_wording(self) -> str:
        return "\n".join(str(self.fields[name].label) for name in self.attestation_fields)


class ExpressForm(forms.Form):
    """A returning donor gives again in one step: an amount, and the statements confirmed again."""

    amount = forms.ChoiceField(widget=forms.RadioSelect)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = compliance.jurisdiction()
        self.fields["amount"].choices = preset_choices(compliance.campaign_currency())
        if self.rules.attestations:
            self.fields["confirm"].required = True
            self.fields["confirm"].label = _("The statements I confirmed with my last gift are still true.")
            self.fields["confirm"].error_messages["required"] = _("Please confirm this statement to give.")
        else:
            del self.fields["confirm"]

    def clean_amount(self) -> int:
        return int(self.cleaned_data["amount"]) * 100


class PageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    goal = forms.CharField(label=_("Goal"), max_length=20, help_text=_("The amount you hope to raise."))
    story = forms.CharField(
        label=_("Your story"), widget=forms.Textarea(attrs={"rows": 8}), max_length=8000, required=False,
        help_text=_("Why you give and why your friends should: Markdown is welcome."),
    )  # fmt: skip
    photo = forms.ImageField(
        label=_("Photo"), required=False,
        help_text=_("JPEG, PNG or WebP, 5 MB at most; from a 3:1 banner to a 1:3 portrait, shown whole."),
    )  # fmt: skip
    photo_alt = forms.CharField(
        label=_("Describe the photo"), max_length=300, required=False,
        help_text=_("For people who cannot see it: what it shows, and any words written on it."),
    )  # fmt: skip
    team = forms.ModelChoiceField(label=_("Join a team"), queryset=Team.objects.none(), required=False)
    new_team = forms.CharField(label=_("…or start a team"), max_length=120, required=False)
    event = forms.ModelChoiceField(label=_("For an event"), queryset=None, required=False)

    def __init__(self, *args: Any, currency: str, has_photo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo
        from django.utils import timezone

        from quartier.organizing.models import Event

        self.currency = currency
        self.fields["team"].queryset = Team.objects.order_by("name")
        self.fields["event"].queryset = Event.objects.filter(
            status=Event.Status.PUBLISHED, ends_at__gte=timezone.now()
        ).order_by("starts_at")

    def clean_goal(self) -> int:
        field = AmountField(minimum=MIN_GIFT_MINOR, maximum=MAX_GOAL_MINOR, currency=self.currency)
        return field.clean(self.cleaned_data["goal"])

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo is not None and photo.size > 5 * 1024 * 1024:
            raise ValidationError(_("This photo is too large (5 MB at most)."))
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("photo") or self.has_photo) and not (data.get("photo_alt") or "").strip():
            self.add_error(
                "photo_alt",
                _("Describe the photo in a few words: people who cannot see it read this instead."),
            )
        return data


class RefundRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class ChangeMonthlyForm(forms.Form):
    amount = forms.CharField(label=_("New monthly amount"), max_length=20)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> int:
        field = AmountField(
            minimum=MIN_GIFT_MINOR, maximum=settings.DONATIONS_MAX_MINOR, currency=self.currency
        )
        return field.clean(self.cleaned_data["amount"])


class DetailsForm(forms.Form):
    employer = forms.CharField(label=_("Employer"), max_length=120)
    occupation = forms.CharField(label=_("Occupation"), max_length=120)


class StaffFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *Donation.Status.choices], required=False
    )
    search = forms.CharField(label=_("Email, last name or postal code"), max_length=254, required=False)
    page = forms.CharField(label=_("Fundraising page (its address)"), max_length=80, required=False)
    refcode = forms.CharField(label=_("Refcode"), max_length=40, required=False)
    flagged = forms.BooleanField(label=_("Flagged only"), required=False)


class ModerationForm(forms.Form):
    status = forms.ChoiceField(choices=FundraisingPage.Status.choices)


class NetworkEmailForm(forms.Form):
    """The owner of a page writes to people they know: pasted addresses or a CSV / vCard file."""

    addresses = forms.CharField(
        label=_("Email addresses"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=200_000,
        help_text=_("Paste addresses separated by commas or new lines."),
    )  # fmt: skip
    contacts_file = forms.FileField(
        label=_("…or a contacts file (CSV or vCard)"), required=False,
        help_text=_("Exported from your address book. Only the email addresses are read; nothing is kept."),
    )  # fmt: skip
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10_000
    )

    def clean(self) -> dict[str, Any]:
        from quartier.lib.address_lists import addresses_in_text, addresses_in_upload

        data = super().clean()
        found = addresses_in_text(data.get("addresses") or "")
        upload = data.get("contacts_file")
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                self.add_error("contacts_file", _("This file is too large (2 MB at most)."))
            else:
                found += addresses_in_upload(upload.name, upload.read())
        if not found and not self.errors:
            self.add_error("addresses", _("Add at least one email address."))
        data["found"] = found
        return data
