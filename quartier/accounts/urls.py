from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from quartier.accounts import views, views_verification

app_name = "accounts"

urlpatterns = [
    path("people/<str:handle>/", views.profile, name="profile"),
    path("people/<str:handle>/affiliation/", views.set_affiliation, name="set_affiliation"),
    path("people/<str:handle>/vouch/", views_verification.vouch, name="vouch"),
    path("people/<str:handle>/vouch/button/", views_verification.vouch_button, name="vouch_button"),
    path("badges/", views_verification.badges_explained, name="badges"),
    path("settings/verification/", views_verification.settings_verification, name="settings_verification"),
    path("settings/", RedirectView.as_view(pattern_name="accounts:settings_profile"), name="settings"),
    path("settings/profile/", views.settings_profile, name="settings_profile"),
    path("settings/profile/photo/", views.settings_photo, name="settings_photo"),
    path("settings/email/", views.settings_email, name="settings_email"),
    path("settings/privacy/", views.settings_privacy, name="settings_privacy"),
    path("settings/privacy/export/", views.export_data, name="export_data"),
    path("settings/privacy/delete/", views.delete_account, name="delete_account"),
    path("staff/branding/", views.staff_branding, name="staff_branding"),
]
