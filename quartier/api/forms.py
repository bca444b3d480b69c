"""The staff form that issues an API key: a name, and for each resource none, read or write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.api.scopes import READ, RESOURCES, WRITE

LEVELS = [("", _("No access")), (READ, _("Read")), (WRITE, _("Read and write"))]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who or what will use it, such as “Data team (Parsons)”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for resource, label in RESOURCES.items():
            self.fields[f"scope_{resource}"] = forms.ChoiceField(
                label=label, choices=LEVELS, required=False, initial=""
            )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the key a name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_bound and not any(cleaned.get(f"scope_{resource}") for resource in RESOURCES):
            raise forms.ValidationError(_("Choose at least one resource the key may read."))
        return cleaned

    def levels(self) -> dict[str, str]:
        return {resource: self.cleaned_data.get(f"scope_{resource}") or "" for resource in RESOURCES}

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[f"scope_{resource}"] for resource in RESOURCES]
