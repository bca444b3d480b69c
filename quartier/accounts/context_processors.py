from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from quartier.accounts import branding

# The capabilities in the order people look for them; a None url is one still to be built. Shown by the
# layout's navigation (`templatetags/layout.py`, rendered once per process, language and role).
NAVIGATION_ITEMS = [
    (_("Home"), "home"),
    (_("Local groups"), "organizing:groups"),
    (_("Events"), "organizing:events"),
    (_("My events"), "organizing:my_events"),
    (_("Door-to-door and phone banks"), "fieldwork:home"),
    (_("Donate"), "donations:donate"),
    (_("Fundraising pages"), "donations:fundraising"),
    (_("Ideas and questions"), None),
]


def site(request: HttpRequest) -> dict[str, object]:
    brand = branding.current()
    return {
        "BRAND": brand,
        "SITE_NAME": brand.name,
        "MAP_TILES_URL": settings.MAP_TILES_URL,
        "MAP_TILES_ATTRIBUTION": settings.MAP_TILES_ATTRIBUTION,
    }
