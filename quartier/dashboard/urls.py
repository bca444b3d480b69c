from __future__ import annotations

from django.urls import path

from quartier.dashboard import views

app_name = "dashboard"

# No catch-all under /organize/: other apps add their own pages there (e.g. /organize/email/).
urlpatterns = [
    path("dashboard/", views.personal, name="personal"),
    path("organize/", views.organize, name="organize"),
    path("organize/group/<slug:slug>/", views.organize_group, name="organize_group"),
]
