from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.dashboard.queries import CANADIAN_PROVINCE_LETTERS

MAX_DAYS = 366
DEFAULT_DAYS = 30


class FilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.CharField(
        label=_("Postal code starts with"), required=False, max_length=10,
        help_text=_("Up to 3 characters, e.g. H2 or H2X."),
    )  # fmt: skip
    province = forms.ChoiceField(
        label=_("Province"), required=False,
        choices=[("", _("All"))] + [(code, code) for code in CANADIAN_PROVINCE_LETTERS],
    )  # fmt: skip
    group = forms.SlugField(label=_("Group (address name)"), required=False, max_length=140)

    def __init__(self, *args, with_group: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not with_group:
            del self.fields["group"]
            del self.fields["region"]
            del self.fields["province"]

    def clean_region(self) -> str:
        region = self.cleaned_data.get("region", "").replace(" ", "").upper()
        if region and not region.isalnum():
            raise forms.ValidationError(_("Type letters and digits only."))
        return region

    def clean(self) -> dict:
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", _("The start comes after the end."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        if data.get("region") and data.get("province"):
            self.add_error("region", _("Choose a postal prefix or a province, not both."))
        return data
