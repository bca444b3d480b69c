"""URLs of the api app: each API mounted under its prefix, with a JSON 404 for any unknown path below it.

To mount another ninja API, give it `urls_namespace="api:<name>"` (its OpenAPI view reverses through
this app's namespace), call `errors.install_error_handlers(it)`, and add its
`*mount("api/<name>/v1/", <its NinjaAPI>)` line.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path
from ninja import NinjaAPI

from quartier.api import errors, views
from quartier.api.docs import views as docs_views
from quartier.api.exchange import views as exchange_views
from quartier.api.mobilize.api import api as mobilize_api
from quartier.api.mobilize.problems import not_found as mobilize_not_found
from quartier.api.osdi.api import osdi_api
from quartier.api.webhooks import views as webhook_views

app_name = "api"


def mount(prefix: str, api: NinjaAPI) -> list[URLPattern | URLResolver]:
    """`api` under `prefix` (405s made JSON), then a JSON 404 for whatever else is under `prefix`."""
    patterns, api_app_name, namespace = api.urls
    return [
        path(prefix, (errors.json_errors(list(patterns)), api_app_name, namespace)),
        re_path(rf"^{prefix}", errors.not_found),
    ]


urlpatterns: list[URLPattern | URLResolver] = [
    path("staff/api-keys/", views.api_keys, name="keys"),
    path("staff/api-keys/<id:key_id>/revoke/", views.revoke_api_key, name="revoke_key"),
    *mount("api/osdi/v1/", osdi_api),
    # As `mount`, with Mobilize's error shape for an unknown path.
    path("api/mobilize/v1/", (errors.json_errors(list(mobilize_api.urls[0])), *mobilize_api.urls[1:])),
    re_path(r"^api/mobilize/v1/", mobilize_not_found),
    path("api/docs/", docs_views.docs_index, name="docs"),
    path("api/docs/<slug:slug>/", docs_views.docs_operations, name="docs_operations"),
    path("api/docs/<slug:slug>/openapi.json", docs_views.docs_openapi, name="docs_openapi"),
    # Outgoing webhooks, people imports, exports (issue 25 §4-5).
    path("staff/webhooks/", webhook_views.endpoints, name="webhook_endpoints"),
    path("staff/webhooks/<id:endpoint_id>/", webhook_views.endpoint, name="webhook_endpoint"),
    path("staff/webhooks/<id:endpoint_id>/ping/", webhook_views.ping, name="webhook_ping"),
    path("staff/webhooks/<id:endpoint_id>/active/", webhook_views.set_active, name="webhook_set_active"),
    path("staff/webhooks/deliveries/<id:delivery_id>/replay/", webhook_views.replay, name="webhook_replay"),
    path("staff/imports/people/", exchange_views.people_imports, name="people_imports"),
    path("staff/imports/people/<id:job_id>/", exchange_views.people_import, name="people_import"),
    path("staff/imports/people/<id:job_id>/cancel/", exchange_views.people_import_cancel, name="people_import_cancel"),
    path("staff/imports/people/<id:job_id>/problems.csv", exchange_views.people_import_problems, name="people_import_problems"),
    path("staff/exports/", exchange_views.export_data, name="exports"),
]  # fmt: skip
