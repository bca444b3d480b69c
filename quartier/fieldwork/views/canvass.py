"""The volunteer's walk lists: a list near me, the offline canvass page and its sync, the printable list, the service worker."""

from __future__ import annotations

import json

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.accounts.queries import find_place
from quartier.fieldwork import access, queries
from quartier.fieldwork.actions import common as common_actions
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.models import FieldCampaign, Outcome, Result, Target


@verified_supporter_required
@require_POST
def list_near_me(request: HttpRequest) -> HttpResponse:
    """Give the volunteer the nearest walk list nobody holds, around their postal code or position.

    Rate-limited (`FIELDWORK_CLAIM_RATE`) and bounded (a campaign's `max_lists_per_volunteer`): one
    account cannot sweep the lists, and the contacts on them, away from the other volunteers."""
    viewer = request.user
    if not ratelimit.consume(request, action="fieldwork_claim_list", user=viewer):
        messages.error(
            request, _("You have taken several walk lists in a short time. Please try again later.")
        )
        return redirect("fieldwork:home")
    point = None
    try:
        latitude, longitude = (
            float(request.POST.get("latitude", "")),
            float(request.POST.get("longitude", "")),
        )
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            point = (latitude, longitude)
    except ValueError:
        point = None
    if point is None and viewer.latitude is not None and viewer.longitude is not None:
        point = (viewer.latitude, viewer.longitude)
    if point is None:
        place = find_place(viewer.country, viewer.postal_code) if viewer.postal_code else None
        point = (place.latitude, place.longitude) if place and place.latitude is not None else None
    if point is None:
        messages.error(
            request,
            _("Add your postal code to your profile, or share your position, to find a list near you."),
        )
        return redirect("fieldwork:home")
    campaigns = FieldCampaign.objects.filter(kind=FieldCampaign.Kind.CANVASS, is_open=True)
    try:
        walk_list = walk_lists_actions.claim_list_near(
            volunteer=viewer, latitude=point[0], longitude=point[1], campaigns=campaigns
        )
    except common_actions.FieldworkError as error:
        messages.error(request, str(error))
        return redirect("fieldwork:home")
    if walk_list is None:
        messages.info(request, _("No walk list is free near you right now. Join a canvass event instead."))
        return redirect("fieldwork:home")
    messages.success(request, _("This walk list is yours: nobody else holds it."))
    return redirect("fieldwork:canvass", walk_list.pk)


@verified_supporter_required
@never_cache
@require_GET
def canvass(request: HttpRequest, walk_list_id: int) -> HttpResponse:
    """The phone-sized canvass page: the doors, the script and the results, working offline."""
    walk_list = access.get_walk_list(request.user, walk_list_id)
    doors = queries.walk_list_doors(walk_list)
    target_ids = [person["target"] for door in doors for person in door["people"]]
    payload = {
        "list": walk_list.pk,
        "name": walk_list.name,
        "doors": doors,
        "script": queries.script_payload(walk_list.campaign),
        "volunteer_first_name": queries.volunteer_first_name(request.user),
        "token": queries.sync_token(walk_list, request.user, target_ids),
        "sync_url": reverse("fieldwork:sync", args=[walk_list.pk]),
    }
    return render(request, "fieldwork/canvass.html", {"walk_list": walk_list, "payload": payload})


def _float_or_none(value: object, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if low <= value <= high else None


def _sync_one(item: object, walk_list, volunteer, allowed: set[int], targets: dict[int, Target]) -> dict:
    if not isinstance(item, dict):
        return {"key": None, "status": "rejected", "reason": _("not a result")}
    key = item.get("key")
    if not isinstance(key, str) or not 8 <= len(key) <= 80 or not key.replace("-", "").isalnum():
        return {"key": None, "status": "rejected", "reason": _("no idempotency key")}
    target_id = item.get("target")
    target = targets.get(target_id) if isinstance(target_id, int) and target_id in allowed else None
    if target is None:
        return {"key": key, "status": "rejected", "reason": _("this door is not on your list")}
    outcome = item.get("outcome")
    if outcome not in Outcome.values:
        return {"key": key, "status": "rejected", "reason": _("no result chosen")}
    recorded_at = parse_datetime(item["recorded_at"]) if isinstance(item.get("recorded_at"), str) else None
    if recorded_at is not None and timezone.is_naive(recorded_at):
        recorded_at = None
    answers: dict[int, list[str]] = {}
    raw_answers = item.get("answers") if isinstance(item.get("answers"), dict) else {}
    for question_id, value in list(raw_answers.items())[:50]:
        try:
            qid = int(question_id)
        except ValueError:
            continue
        values = value if isinstance(value, list) else [value]
        answers[qid] = [str(v)[:500] for v in values[:20] if isinstance(v, str | int)]
    data = results_actions.ResultInput(
        outcome=outcome, idempotency_key=key, answers=answers,
        notes=str(item.get("notes") or "")[:2000], recorded_at=recorded_at,
        latitude=_float_or_none(item.get("latitude"), -90, 90), longitude=_float_or_none(item.get("longitude"), -180, 180),
        do_not_contact=item.get("do_not_contact") is True, needs_action=item.get("needs_action") is True,
        action_note=str(item.get("action_note") or "")[:500],
    )  # fmt: skip
    holder = access.holds(volunteer, walk_list) and target.walk_list_id == walk_list.pk
    conflict = "" if holder else _("recorded by a volunteer who no longer holds this list")
    try:
        result, created = results_actions.record_result(
            volunteer=volunteer, target=target, data=data, channel=Result.Channel.DOOR, walk_list=walk_list,
            conflict=conflict,
        )  # fmt: skip
    except common_actions.FieldworkError as error:
        return {"key": key, "status": "rejected", "reason": str(error)}
    status = "recorded" if created else "duplicate"
    if result.conflict:
        status = "conflict" if created else status
    return {"key": key, "status": status}


@verified_supporter_required
@require_POST
def sync(request: HttpRequest, walk_list_id: int) -> JsonResponse:
    """Results sent by the canvass page (online, or later from its offline queue), each once by key.

    The page's signed token proves which doors the volunteer held when they loaded the list, so
    results still arrive after the list was given to someone else: they are kept and shown to staff
    as conflicts, never dropped.
    """
    from quartier.fieldwork.models import WalkList

    walk_list = WalkList.objects.select_related("campaign").filter(pk=walk_list_id).first()
    if walk_list is None:
        return JsonResponse({"error": "not_found", "reason": _("This walk list does not exist.")}, status=404)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "bad_json", "reason": _("The request is not JSON.")}, status=400)
    except RecursionError:  # thousands of nested arrays: no result is shaped like that
        return JsonResponse(
            {"error": "bad_json", "reason": _("The request is nested too deeply.")}, status=400
        )
    if not isinstance(body, dict) or not isinstance(body.get("results"), list) or len(body["results"]) > 500:
        return JsonResponse({"error": "bad_request", "reason": _("Send a list of results.")}, status=400)
    allowed = queries.read_sync_token(str(body.get("token", "")), walk_list, request.user)
    if allowed is None:
        if not access.holds(request.user, walk_list):
            return JsonResponse({"error": "forbidden", "reason": _("This list is not yours.")}, status=403)
        allowed = set(Target.objects.filter(walk_list=walk_list).values_list("pk", flat=True))
    targets = {
        t.pk: t
        for t in Target.objects.filter(pk__in=allowed, campaign=walk_list.campaign).select_related("contact")
    }
    outcomes = [_sync_one(item, walk_list, request.user, allowed, targets) for item in body["results"]]
    return JsonResponse({"results": outcomes})


@verified_supporter_required
@require_GET
def print_list(request: HttpRequest, walk_list_id: int) -> HttpResponse:
    walk_list = access.get_walk_list(request.user, walk_list_id)
    return render(
        request,
        "fieldwork/print_list.html",
        {"walk_list": walk_list, "doors": queries.walk_list_doors(walk_list), "outcomes": Outcome.choices,
         "script": queries.script_payload(walk_list.campaign)},
    )  # fmt: skip


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The canvass pages' service worker, served under /fieldwork/ so that its scope covers them."""
    response = render(
        request,
        "fieldwork/service-worker.js",
        {"static_url": settings.STATIC_URL},
        content_type="application/javascript",
    )
    response["Cache-Control"] = "no-cache"
    return response
