"""URLs of the reach app (word of mouth: share kit, lent statuses, attribution and spread analytics)."""

from __future__ import annotations

from django.urls import path

from quartier.reach.views import analytics, lending, share, spread

app_name = "reach"
urlpatterns: list = [
    path("organize/reach/spread/", spread.spread, name="spread"),
    path("organize/reach/spread/<id:run_id>/progress/", spread.spread_progress, name="spread_progress"),
    path("organize/reach/spread/<id:run_id>/seeds.csv", spread.spread_seeds_csv, name="spread_seeds_csv"),
    path("organize/reach/", analytics.organize_reach, name="organize"),
    path("share/mastodon/", share.share_mastodon, name="share_mastodon"),
    # lend your status
    path("settings/lend/", lending.lend_settings, name="lend_settings"),
    path("settings/lend/mastodon/connect/", lending.mastodon_connect, name="mastodon_connect"),
    path("settings/lend/mastodon/callback/", lending.mastodon_callback, name="mastodon_callback"),
    path("settings/lend/bluesky/connect/", lending.bluesky_connect, name="bluesky_connect"),
    path("settings/lend/<str:service>/disconnect/", lending.disconnect, name="lend_disconnect"),
    path("settings/lend/upcoming/", lending.upcoming, name="lend_upcoming"),
    path("settings/lend/upcoming/<id:status_id>/veto/", lending.veto, name="lend_veto"),
    path("settings/lend/history/", lending.history, name="lend_history"),
    path("lent/<str:token>/", lending.lent_link, name="lent_link"),
    path("organize/lend/", lending.staff_messages, name="lend_staff"),
]
