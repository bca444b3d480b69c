from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from quartier.accounts.models import AffiliationChange, Cause, EmailConsent, Profile, Supporter


@admin.register(Supporter)
class SupporterAdmin(UserAdmin):
    ordering = ("-date_joined",)
    list_display = ("display_name", "email", "handle", "town", "affiliation", "is_staff", "email_verified_at")
    list_filter = ("is_staff", "affiliation", "is_active", "country")
    search_fields = ("display_name", "email", "handle")
    readonly_fields = ("date_joined", "last_login", "email_verified_at", "deleted_at")
    fieldsets = (
        (None, {"fields": ("email", "password", "handle", "display_name")}),
        ("Location", {"fields": ("country", "postal_code", "town", "latitude", "longitude")}),
        ("Role", {"fields": ("affiliation", "is_staff", "is_superuser", "is_active", "groups")}),
        ("Dates", {"fields": ("date_joined", "last_login", "email_verified_at", "deleted_at")}),
    )
    add_fieldsets = ((None, {"fields": ("email", "handle", "display_name", "password1", "password2")}),)
    filter_horizontal = ("groups",)


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_fr")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("supporter", "updated_at")
    raw_id_fields = ("supporter",)
    search_fields = ("supporter__display_name", "supporter__handle")


@admin.register(EmailConsent)
class EmailConsentAdmin(admin.ModelAdmin):
    list_display = ("supporter", "topic", "granted", "source", "created_at")
    raw_id_fields = ("supporter",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # consent records are evidence: never edited


@admin.register(AffiliationChange)
class AffiliationChangeAdmin(admin.ModelAdmin):
    list_display = ("supporter", "previous", "new", "changed_by", "changed_at")
    raw_id_fields = ("supporter", "changed_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False
