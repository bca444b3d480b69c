from __future__ import annotations

from django.urls import path

from quartier.fieldwork.views import calls as calls_views
from quartier.fieldwork.views import campaigns as campaigns_views
from quartier.fieldwork.views import canvass as canvass_views
from quartier.fieldwork.views import imports as imports_views
from quartier.fieldwork.views import turf_map as turf_map_views

app_name = "fieldwork"

urlpatterns = [
    path("fieldwork/", campaigns_views.home, name="home"),
    path("fieldwork/service-worker.js", canvass_views.service_worker, name="service_worker"),
    path("fieldwork/lists/near-me/", canvass_views.list_near_me, name="list_near_me"),
    path("fieldwork/lists/<id:walk_list_id>/", canvass_views.canvass, name="canvass"),
    path("fieldwork/lists/<id:walk_list_id>/sync/", canvass_views.sync, name="sync"),
    path("fieldwork/lists/<id:walk_list_id>/print/", canvass_views.print_list, name="print_list"),
    path("fieldwork/lists/<id:walk_list_id>/assign/", campaigns_views.assign, name="assign"),
    path("fieldwork/phone-banks/<id:campaign_id>/", calls_views.phone_bank, name="phone_bank"),
    path("fieldwork/calls/<id:target_id>/", calls_views.call, name="call"),
    path("fieldwork/calls/<id:target_id>/release/", calls_views.release, name="release"),
    path("fieldwork/campaigns/new/", campaigns_views.campaign_create, name="campaign_create"),
    path("fieldwork/campaigns/<id:campaign_id>/", campaigns_views.campaign, name="campaign"),
    path("fieldwork/campaigns/<id:campaign_id>/contacts/", campaigns_views.turf, name="turf"),
    path("fieldwork/campaigns/<id:campaign_id>/contacts/map.json", turf_map_views.points, name="turf_points"),
    path("fieldwork/campaigns/<id:campaign_id>/contacts/count.json", turf_map_views.count, name="turf_count"),
    path("fieldwork/campaigns/<id:campaign_id>/results.csv", campaigns_views.export, name="export"),
    path(
        "fieldwork/campaigns/<id:campaign_id>/settings/", campaigns_views.campaign_edit, name="campaign_edit"
    ),
    path("fieldwork/scripts/new/", campaigns_views.script_edit, name="script_create"),
    path("fieldwork/scripts/<id:script_id>/", campaigns_views.script_edit, name="script_edit"),
    path("fieldwork/review/", campaigns_views.review, name="review"),
    path("fieldwork/review/<id:result_id>/resolve/", campaigns_views.resolve, name="resolve"),
    path("fieldwork/imports/", imports_views.imports, name="imports"),
    path("fieldwork/imports/<id:job_id>/", imports_views.import_job, name="import"),
]
