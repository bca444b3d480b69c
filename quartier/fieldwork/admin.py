from __future__ import annotations

from django.contrib import admin

from quartier.fieldwork.models import (
    Contact,
    FieldCampaign,
    GroupAccess,
    ImportJob,
    Question,
    Result,
    Script,
    WalkList,
)


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 1


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    inlines = (QuestionInline,)


@admin.register(FieldCampaign)
class FieldCampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "group", "is_open", "open_from_home")
    list_filter = ("kind", "is_open")
    raw_id_fields = ("group", "event")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("first_name", "last_name", "town", "postal_code", "do_not_call", "do_not_knock")
    search_fields = ("last_name", "postal_code", "external_id")
    raw_id_fields = ("supporter", "scope_group")
    list_filter = ("scope_group",)


@admin.register(GroupAccess)
class GroupAccessAdmin(admin.ModelAdmin):
    """Staff approve a local group's fieldwork here (its leaders then run campaigns over the contacts
    granted to it: an import with that group as its scope)."""

    list_display = ("group", "approved_at", "note")
    raw_id_fields = ("group",)


@admin.register(WalkList)
class WalkListAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "assigned_to", "door_count")
    raw_id_fields = ("assigned_to", "shift", "campaign")


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ("campaign", "channel", "outcome", "recorded_at", "needs_action")
    list_filter = ("channel", "outcome")
    raw_id_fields = ("campaign", "target", "contact", "walk_list", "volunteer")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "status", "rows_done", "problem_count", "created_at")
    exclude = ("file",)  # a contact file is never offered for download
