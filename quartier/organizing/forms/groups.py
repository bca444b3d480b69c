"""Group forms: create and edit, join, message members, merge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from quartier.accounts.forms import country_choices
from quartier.organizing.actions.groups import GroupDraft
from quartier.organizing.forms.fields import (
    LEADER_CONSENT_WORDING,
    LISTED_WORDING,
    CoordinatesField,
    OneLineField,
    PlaceMixin,
)
from quartier.organizing.models import Group


class GroupForm(PlaceMixin, forms.Form):
    name = OneLineField(label=_("Name of the group"), max_length=120)
    area = OneLineField(
        label=_("Area it covers"), max_length=120, help_text=_("A neighbourhood, town or riding.")
    )
    description = forms.CharField(
        label=_("What the group does"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    postal_code = forms.CharField(label=_("Postal code at its centre"), max_length=10, required=False)
    coordinates = CoordinatesField(
        label=_("Or coordinates"), required=False, max_length=60, help_text=_("latitude, longitude")
    )
    join_policy = forms.ChoiceField(label=_("Who can join"), choices=Group.JoinPolicy.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_place(cleaned)
        return cleaned

    def to_draft(self) -> GroupDraft:
        data = self.cleaned_data
        return GroupDraft(
            name=data["name"].strip(), description=data["description"], area=data["area"].strip(),
            country=data["country"], postal_code=data["postal_code"], latitude=data["latitude"],
            longitude=data["longitude"], town=data["town"], join_policy=data["join_policy"],
        )  # fmt: skip


class JoinGroupForm(forms.Form):
    accepts_messages = forms.BooleanField(label=LEADER_CONSENT_WORDING, required=False)
    is_listed = forms.BooleanField(label=LISTED_WORDING, required=False)


class MessageForm(forms.Form):
    subject = OneLineField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Markdown works. Only people who accepted messages receive it, with a link to unsubscribe. "
            "Replies go to your own email address."
        ),
    )  # fmt: skip


class MergeGroupForm(forms.Form):
    target = forms.SlugField(
        label=_("Merge into the group at address"), help_text=_("the last part of its address")
    )
