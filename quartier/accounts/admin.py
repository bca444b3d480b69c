from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from quartier.accounts.models import AffiliationChange, Cause, Consent, ConsentRecord, Profile, Supporter
from quartier.accounts.verification_models import Verification, Vouch


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


class _ConsentEvidenceAdmin(admin.ModelAdmin):
    """Consent is the supporter's word, written only by `actions.record_consent`: never added,
    edited or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(_ConsentEvidenceAdmin):
    list_display = ("supporter", "audience", "granted", "record")
    list_filter = ("granted",)
    raw_id_fields = ("supporter", "record")
    search_fields = ("audience", "supporter__email")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(_ConsentEvidenceAdmin):
    list_display = ("supporter", "audience", "granted", "source", "language", "created_at")
    list_filter = ("source", "granted")
    raw_id_fields = ("supporter",)
    search_fields = ("audience", "supporter__email")


@admin.register(AffiliationChange)
class AffiliationChangeAdmin(admin.ModelAdmin):
    list_display = ("supporter", "previous", "new", "changed_by", "changed_at")
    raw_id_fields = ("supporter", "changed_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Vouch)
class VouchAdmin(admin.ModelAdmin):
    """Who vouched for whom, for the campaign's audit: written only by `verification.vouch` and
    `revoke_vouch` (a vouch changed here would bypass the leader check and the badge refresh)."""

    list_display = ("voucher", "vouchee", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("voucher__display_name", "vouchee__display_name", "vouchee__handle")
    readonly_fields = ("voucher", "vouchee", "note", "created_at", "revoked_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    """The verifications behind the badges (read only: written by `accounts/verification.py`)."""

    list_display = ("supporter", "kind", "verified_by", "verified_at")
    list_filter = ("kind",)
    search_fields = ("supporter__display_name", "supporter__handle")
    readonly_fields = ("supporter", "kind", "evidence", "verified_by", "verified_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
