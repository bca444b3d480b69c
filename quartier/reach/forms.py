"""Forms of reach's pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

MAX_SEEDS = 200
MIN_MEMORY_MB = 16


class SpreadForm(forms.Form):
    """Whom to ask first: how many people the campaign can ask, and how much memory the job may use."""

    seeds_wanted = forms.IntegerField(
        label=_("How many people can you ask?"), min_value=1, max_value=MAX_SEEDS, initial=50
    )
    memory_mb = forms.IntegerField(
        label=_("Memory budget (MB)"),
        min_value=MIN_MEMORY_MB,
        help_text=_("Past this budget the job gives a looser guarantee rather than stopping, and says so."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        ceiling = settings.REACH_SEEDING_MEMORY_MB
        field = self.fields["memory_mb"]
        field.initial = ceiling
        field.validators.append(MaxValueValidator(ceiling))
        field.widget.attrs["max"] = ceiling
