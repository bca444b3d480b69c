from __future__ import annotations

from django import forms
from django.contrib import admin

from quartier.organizing.forms.fields import check_date_range, latest_event_date
from quartier.organizing.models import Event, EventTypePolicy, Group, Membership, Rsvp, Shift


@admin.register(EventTypePolicy)
class EventTypePolicyAdmin(admin.ModelAdmin):
    list_display = ("event_type", "requires_approval")
    list_editable = ("requires_approval",)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "town", "status", "is_featured", "member_count", "created_at")
    list_filter = ("status", "is_featured", "country")
    search_fields = ("name", "area", "town", "slug")
    raw_id_fields = ("created_by", "merged_into")


class ShiftAdminForm(forms.ModelForm):
    """Staff get the bounds people get: no time near the end of the calendar (see forms.py)."""

    class Meta:
        model = Shift
        fields = ("starts_at", "ends_at", "capacity")

    def clean_starts_at(self):
        return _bounded(self.cleaned_data["starts_at"])

    def clean_ends_at(self):
        return _bounded(self.cleaned_data["ends_at"])


def _bounded(value):
    if value is not None:
        check_date_range(value.date(), latest_event_date())
    return value


class ShiftInline(admin.TabularInline):
    model = Shift
    form = ShiftAdminForm
    extra = 0
    readonly_fields = ("confirmed_count",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "event_type", "status", "starts_at", "town", "host")
    list_filter = ("status", "event_type", "is_virtual")
    search_fields = ("title", "town")
    raw_id_fields = ("host", "group", "reviewed_by", "duplicated_from")
    readonly_fields = ("starts_at", "ends_at")  # kept in step with the shifts by actions
    inlines = [ShiftInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("group", "supporter", "role", "status", "joined_at")
    raw_id_fields = ("group", "supporter", "referrer")


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ("shift", "supporter", "status", "guests", "attended", "created_at")
    list_filter = ("status", "attended")
    raw_id_fields = ("shift", "supporter", "referrer")
