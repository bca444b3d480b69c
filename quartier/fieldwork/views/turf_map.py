"""The turf map's data: the campaign's contacts as clusters with place names, and the doors inside
the area being drawn (counted before cutting). Organisers only, as the turf page itself."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from quartier.accounts.access import verified_supporter_required
from quartier.fieldwork import access, turf_map
from quartier.fieldwork.forms import TurfForm


@verified_supporter_required
@require_GET
def points(request: HttpRequest, campaign_id: int) -> JsonResponse:
    """`?zoom=N`: the contacts clustered for that zoom, their extent and the place names around them."""
    campaign = access.get_campaign_to_manage(request.user, campaign_id)
    try:
        zoom = int(request.GET.get("zoom", "12"))
    except ValueError:
        return JsonResponse(
            {"error": "bad_zoom", "reason": _("The zoom must be a whole number.")}, status=400
        )
    box = turf_map.extent(campaign)
    return JsonResponse(
        {
            "extent": box,
            "clusters": turf_map.clusters(campaign, zoom) if box else [],
            "places": turf_map.place_names(campaign, box),
        }
    )


@verified_supporter_required
@require_GET
def count(request: HttpRequest, campaign_id: int) -> JsonResponse:
    """The turf form as a query string: how many doors (or contacts to call) a cut would take now."""
    campaign = access.get_campaign_to_manage(request.user, campaign_id)
    form = TurfForm(request.GET, phone_bank=campaign.is_phone_bank)
    if not form.is_valid():
        errors = [str(error) for errors in form.errors.values() for error in errors]
        return JsonResponse({"error": "bad_turf", "reason": errors[0] if errors else ""}, status=400)
    found = turf_map.doors_inside(campaign, form.cleaned_data["turf"])
    if campaign.is_phone_bank:
        text = (
            ngettext(
                "%(people)s contact to call in this area.",
                "%(people)s contacts to call in this area.",
                found["people"],
            )
            % found
        )
    else:
        text = (
            ngettext(
                "%(doors)s door to knock in this area",
                "%(doors)s doors to knock in this area",
                found["doors"],
            )
            % found
            + ngettext(" (%(people)s person).", " (%(people)s people).", found["people"]) % found
        )
    return JsonResponse({**found, "text": text})
