from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from quartier import views
from quartier.accounts.views import LogoutView, SignupView, branding_css

admin.site.site_header = settings.SITE_NAME

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("branding.css", branding_css, name="branding_css"),
    path("accounts/signup/", SignupView.as_view(), name="account_signup"),
    path("accounts/logout/", LogoutView.as_view(), name="account_logout"),
    path("accounts/", include("allauth.urls")),
    # Staff sign in through allauth, which asks for their second factor; never through the admin's form.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("quartier.accounts.urls")),
    path("", include("quartier.outreach.urls")),
    path("", include("quartier.organizing.urls")),
    path("", include("quartier.donations.urls")),
    path("", include("quartier.social.urls")),
    path("", include("quartier.dashboard.urls")),
    path("", include("quartier.fieldwork.urls")),
    path("", include("quartier.reach.urls")),
    path("", include("quartier.integrity.urls")),
    path("", include("quartier.api.urls")),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", views.media),
    ]
