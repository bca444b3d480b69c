from __future__ import annotations

from django.contrib import admin

from quartier.social.models import Appeal, ModerationAction, Post, Report


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "group", "visibility", "status", "published_at", "hidden_at")
    list_filter = ("status", "visibility", "for_campaign", "is_featured")
    search_fields = ("title", "author__handle")
    raw_id_fields = ("author", "group", "shared")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("pk", "reason", "status", "created_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("reporter", "post", "comment", "message", "profile", "subject", "group")


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log: read only, so that no decision is rewritten after the fact."""

    list_display = ("kind", "subject", "moderator", "created_at")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("action", "supporter", "status", "created_at")
    raw_id_fields = ("action", "supporter", "decided_by")
