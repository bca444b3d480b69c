"""Search forms for events and groups."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from quartier.accounts.forms import country_choices
from quartier.accounts.queries import find_place, find_town
from quartier.lib.geo import parse_coordinates
from quartier.lib.places import is_valid_postal_code
from quartier.organizing.forms.fields import SearchDateField
from quartier.organizing.models import EventType


class SearchForm(forms.Form):
    """`?near=<postal code, town or lat,lon>&within=<km or miles>`, shared by group and event search."""

    near = forms.CharField(label=_("Near"), required=False, max_length=60,
                           widget=forms.TextInput(attrs={"placeholder": _("Postal code or town")}))  # fmt: skip
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, required=False)
    within = forms.IntegerField(label=_("Within"), min_value=1, max_value=500, required=False, initial=25)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        near = (cleaned.get("near") or "").strip()
        cleaned["point"] = None
        if not near:
            return cleaned
        coordinates = parse_coordinates(near)
        if coordinates:
            cleaned["point"] = coordinates
            return cleaned
        country = cleaned.get("country") or settings.QUARTIER_COUNTRIES[0]
        countries = [country, *(code for code in settings.QUARTIER_COUNTRIES if code != country)]
        place = None
        if any(char.isdigit() for char in near):
            # A postal code: of the country chosen, else of another the campaign covers (`10001` typed
            # by a New Yorker who left the country on its default).
            codes = (find_place(code, near) for code in countries if is_valid_postal_code(code, near))
            place = next(filter(None, codes), None)
        if place is None:  # a town's name: in the country chosen, else in another the campaign covers
            place = next(filter(None, (find_town(code, near) for code in countries)), None)
        if place is None or place.latitude is None:
            self.add_error(
                "near", _("We do not know this postal code or town. Check it, or pick the right country.")
            )
        else:
            cleaned["point"] = (place.latitude, place.longitude)
            cleaned["place_name"] = place.town
            cleaned["place_country"] = place.country
        return cleaned


class EventSearchForm(SearchForm):
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *EventType.choices]
    )
    date_from = SearchDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = SearchDateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    online = forms.ChoiceField(
        label=_("Online or in person"), required=False,
        choices=[("", _("In person near me")), ("yes", _("Online only"))],
    )  # fmt: skip
    sort = forms.ChoiceField(
        label=_("Order"), required=False,
        choices=[("", _("Nearest first")), ("date", _("Soonest first"))],
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
