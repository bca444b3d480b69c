"""URLs of the reach app (word of mouth: share kit, lent statuses, attribution and spread analytics)."""

from __future__ import annotations

from django.urls import path

from quartier.reach.views import share

app_name = "reach"
urlpatterns: list = [
    path("share/mastodon/", share.share_mastodon, name="share_mastodon"),
]
