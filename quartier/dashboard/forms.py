from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartier.lib import areas

MAX_DAYS = 366
DEFAULT_DAYS = 30


def default_range(end: date | None = None) -> tuple[date, date]:
    """The range shown when none is chosen: the last `DEFAULT_DAYS` days up to today (or `end`)."""
    end = end or timezone.localdate()
    return end - timedelta(days=DEFAULT_DAYS - 1), end


@lru_cache(maxsize=16)
def _area_choices(language: str | None) -> list:
    """The areas sorted by name in one language, once per process (3,000 names, sorted per form)."""
    return [("", _("All")), *areas.area_choices()]


class FilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    country = forms.ChoiceField(
        label=_("Country"), required=False,
        choices=[("", _("All")), *areas.COUNTRIES.items()],
    )  # fmt: skip
    region = forms.CharField(
        label=_("Postal code starts with"), required=False, max_length=10,
        help_text=_("Up to 3 characters, e.g. H2 or H2X."),
    )  # fmt: skip
    area = forms.ChoiceField(label=_("Province, state or region"), required=False)
    group = forms.SlugField(label=_("Group (address name)"), required=False, max_length=140)

    def __init__(self, *args, with_group: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if with_group:
            self.fields["area"].choices = _area_choices(get_language())
        else:
            for name in ("group", "country", "region", "area"):
                del self.fields[name]

    def clean_region(self) -> str:
        region = self.cleaned_data.get("region", "").replace(" ", "").upper()
        if region and not region.isalnum():
            raise forms.ValidationError(_("Type letters and digits only."))
        return region

    def clean(self) -> dict:
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or default_range(end)[0]
        if start > end:
            self.add_error("start", _("The start comes after the end."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        country, prefix, area = data.get("country"), data.get("region"), data.get("area")
        if prefix and area:
            self.add_error("region", _("Choose a postal prefix or a province, state or region, not both."))
        elif prefix and not country:
            if prefix[0].isalpha():
                data["country"] = "CA"  # only Canadian postal codes start with a letter
            else:
                self.add_error("country", _("Choose the country of this postal code."))
        elif area and country and not area.startswith(f"{country}-"):
            self.add_error("area", _("This province, state or region is not in the country chosen."))
        if data.get("group") and (prefix or area or country):
            # A group's figures are its own, wherever its members live: they are not kept by area.
            self.add_error("group", _("Choose a group or an area, not both."))
        return data
