from __future__ import annotations

from django.contrib import admin

from quartier.dashboard.models import IndexRules


@admin.register(IndexRules)
class IndexRulesAdmin(admin.ModelAdmin):
    list_display = ("__str__", "window_days", "updated_at")

    def has_add_permission(self, request) -> bool:
        return not IndexRules.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
