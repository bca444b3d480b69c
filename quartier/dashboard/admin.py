from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from quartier.dashboard import kinds
from quartier.dashboard.models import DEFAULT_WEIGHTS, IndexRules

WEIGHT_PREFIX = "weight__"


def _weight_field(kind: str) -> forms.IntegerField:
    help_text = _("Points per 10 units of currency raised.") if kind in kinds.MONEY_KINDS else ""
    return forms.IntegerField(label=kinds.NAMES[kind], min_value=0, max_value=1_000, help_text=help_text)


class _IndexRulesForm(forms.ModelForm):
    class Meta:
        model = IndexRules
        fields = ("window_days", "levels")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = {**DEFAULT_WEIGHTS, **(self.instance.weights or {})}
        for kind in kinds.WEIGHTABLE:
            self.fields[WEIGHT_PREFIX + kind].initial = current.get(kind, 0)

    def _post_clean(self) -> None:
        self.instance.weights = {
            kind: self.cleaned_data[WEIGHT_PREFIX + kind]
            for kind in kinds.WEIGHTABLE
            if self.cleaned_data.get(WEIGHT_PREFIX + kind) is not None
        }
        super()._post_clean()


# One number per action, named in words, instead of a JSON object of journal kinds.
IndexRulesForm = type(
    "IndexRulesForm",
    (_IndexRulesForm,),
    {WEIGHT_PREFIX + kind: _weight_field(kind) for kind in kinds.WEIGHTABLE},
)


@admin.register(IndexRules)
class IndexRulesAdmin(admin.ModelAdmin):
    form = IndexRulesForm
    list_display = ("__str__", "window_days", "updated_at")

    def get_fields(self, request, obj=None) -> list[str]:
        return ["window_days", "levels", *(WEIGHT_PREFIX + kind for kind in kinds.WEIGHTABLE)]

    def has_add_permission(self, request) -> bool:
        return not IndexRules.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
