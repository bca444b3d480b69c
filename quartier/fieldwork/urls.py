from __future__ import annotations

from django.urls import path

from quartier.fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("fieldwork/", views.home, name="home"),
    path("fieldwork/service-worker.js", views.service_worker, name="service_worker"),
    path("fieldwork/lists/near-me/", views.list_near_me, name="list_near_me"),
    path("fieldwork/lists/<int:walk_list_id>/", views.canvass, name="canvass"),
    path("fieldwork/lists/<int:walk_list_id>/sync/", views.sync, name="sync"),
    path("fieldwork/lists/<int:walk_list_id>/print/", views.print_list, name="print_list"),
    path("fieldwork/lists/<int:walk_list_id>/assign/", views.assign, name="assign"),
    path("fieldwork/phone-banks/<int:campaign_id>/", views.phone_bank, name="phone_bank"),
    path("fieldwork/calls/<int:target_id>/", views.call, name="call"),
    path("fieldwork/calls/<int:target_id>/release/", views.release, name="release"),
    path("fieldwork/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("fieldwork/campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("fieldwork/campaigns/<int:campaign_id>/contacts/", views.turf, name="turf"),
    path("fieldwork/campaigns/<int:campaign_id>/results.csv", views.export, name="export"),
    path("fieldwork/campaigns/<int:campaign_id>/settings/", views.campaign_edit, name="campaign_edit"),
    path("fieldwork/scripts/new/", views.script_edit, name="script_create"),
    path("fieldwork/scripts/<int:script_id>/", views.script_edit, name="script_edit"),
    path("fieldwork/review/", views.review, name="review"),
    path("fieldwork/review/<int:result_id>/resolve/", views.resolve, name="resolve"),
    path("fieldwork/imports/", views.imports, name="imports"),
    path("fieldwork/imports/<int:job_id>/", views.import_job, name="import"),
]
