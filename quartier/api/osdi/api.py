"""The OSDI ninja API: HAL+JSON renderer, key auth, JSON errors, the entry point and every router."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from quartier.api.auth import ApiKeyAuth
from quartier.api.errors import install_error_handlers
from quartier.api.osdi import hal

OSDI_VERSION = "1.1.1"
VENDOR_NAME = "Quartier"
PRODUCT_NAME = "Quartier"
NAMESPACE = "quartier"

# Every collection the entry point links to: rel → path (each a router below).
COLLECTIONS: dict[str, str] = {
    "people": "people",
    "events": "events",
    "donations": "donations",
    "fundraising_pages": "fundraising_pages",
    "tags": "tags",
    "forms": "forms",
}


class HalJSONRenderer(JSONRenderer):
    media_type = "application/hal+json"


osdi_api = NinjaAPI(
    title="Quartier OSDI API",
    version="1",
    description="Open Supporter Data Interface (HAL+JSON). Send your key in the OSDI-API-Token header.",
    urls_namespace="api:osdi",  # nested in the api app's namespace (ninja reverses "api:osdi:…")
    renderer=HalJSONRenderer(),
    auth=ApiKeyAuth(),
    docs_url=None,
    openapi_url="/openapi.json",
)
install_error_handlers(osdi_api)


@osdi_api.get("/", summary="API entry point", url_name="entry_point")
def entry_point(request: HttpRequest) -> dict[str, Any]:
    links: dict[str, Any] = {"self": hal.link(request, "")}
    for rel, path in COLLECTIONS.items():
        links[f"osdi:{rel}"] = hal.link(request, path)
    links["osdi:person_signup_helper"] = hal.link(request, "people/person_signup_helper")
    links["curies"] = hal.CURIES
    return {
        "motd": settings.API_MOTD or _("Welcome to Quartier's OSDI API."),
        "max_pagesize": settings.API_MAX_PAGE_SIZE,
        "vendor_name": VENDOR_NAME,
        "product_name": PRODUCT_NAME,
        "osdi_version": OSDI_VERSION,
        "namespace": NAMESPACE,
        "_links": links,
    }


def _mount_routers() -> None:
    from quartier.api.osdi import donations, events, forms, people, tags

    osdi_api.add_router("/people", people.router)
    osdi_api.add_router("/events", events.router)
    osdi_api.add_router("/forms", forms.router)
    osdi_api.add_router("", tags.router)
    osdi_api.add_router("", donations.router)


_mount_routers()
