"""Site-wide pages that belong to no single capability: home, language switch, health check."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django.views.static import serve

from quartier.accounts import actions
from quartier.accounts.models import Profile
from quartier.lib.page_cache import cached_anonymous_page, stamp
from quartier.organizing.forms.search import SearchForm
from quartier.organizing.queries import search as search_queries
from quartier.organizing.views.common import (
    distance_unit,
    near_from,
    next_change,
    search_defaults,
    search_stamps,
    with_distances,
)

HOME_EVENTS = 6
HOME_GROUPS = 4


def home(request: HttpRequest) -> HttpResponse:
    """The campaign's home: its name and logo, Donate, the soonest events near the visitor (their postal
    code when signed in, `?near=` otherwise; anywhere without a place), a few groups, a call to join.
    A handful of narrow queries, and the anonymous page stays cached (keyed on what it shows)."""
    form = SearchForm(search_defaults(request))
    near = near_from(request, form)
    unit = distance_unit(request, form)
    found = (
        search_queries.search_events(near=near, order=search_queries.SearchOrder.DATE).results[:HOME_EVENTS]
        if form.is_valid()
        else []
    )
    events = with_distances(found, unit)
    groups = search_queries.featured_groups(limit=HOME_GROUPS)
    context = {"form": form, "events": events, "groups": groups, "unit": unit, "near": near,
               "place_name": form.cleaned_data.get("place_name") if near is not None else None}  # fmt: skip
    if request.user.is_authenticated:
        profile = Profile.objects.filter(supporter=request.user).first()
        context["profile_complete"] = bool(
            profile and profile.photo and (profile.bio or profile.why_involved)
        )
    return cached_anonymous_page(
        request,
        lambda: render(request, "home.html", context),
        depends_on=lambda: [
            *search_stamps("events", events),
            "groups",
            *(stamp("group", group.pk) for group in groups),
        ],  # the branding: its save bumps `site`, which every cached page depends on
        fresh_until=lambda: next_change([event for event, _distance in events]),
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the supporter's account."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"en", "fr"}:
        actions.set_language(supporter=request.user, language=language)
    return response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded files, served by the app itself outside production (`SERVE_MEDIA`)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
