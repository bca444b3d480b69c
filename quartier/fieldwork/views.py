"""Fieldwork pages: the volunteer's home, phone banks, canvass pages, organisers' tools, imports."""

from __future__ import annotations

import csv
import json
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.files.base import File
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.accounts.queries import find_place
from quartier.fieldwork import access, actions, importing, queries, tasks
from quartier.fieldwork.forms import (
    AssignForm,
    CampaignForm,
    CampaignSettingsForm,
    MappingForm,
    QuestionFormSet,
    ResultForm,
    ScriptForm,
    TurfForm,
    UploadForm,
    choices_as_text,
)
from quartier.fieldwork.models import FieldCampaign, ImportJob, Outcome, Question, Result, Script, Target
from quartier.organizing.queries import events as organizing_events

QUALITY_LABELS = {
    "too_fast": _("faster than a door can be walked"),
    "identical_answers": _("identical answers in a row"),
    "far_from_door": _("recorded far from the door"),
}


def _questions(campaign: FieldCampaign) -> list[Question]:
    return list(Question.objects.filter(script_id=campaign.script_id)) if campaign.script_id else []


# --- the volunteer's home -------------------------------------------------------------------------


@verified_supporter_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    context = queries.dashboard_summary(viewer) or {}
    managed = access.managed_campaigns(viewer).annotate(n=Count("targets")).order_by("-created_at")[:50]
    return render(
        request,
        "fieldwork/home.html",
        {
            "walk_lists": context.get("walk_lists", []),
            "open_phone_banks": queries.open_phone_banks_from_home()[:20],
            "managed": managed,
            "can_create": access.is_staff(viewer) or bool(access.led_group_ids(viewer)),
            "is_staff": access.is_staff(viewer),
            "totals": context.get("totals"),
        },
    )


@verified_supporter_required
@require_POST
def list_near_me(request: HttpRequest) -> HttpResponse:
    """Give the volunteer the nearest walk list nobody holds, around their postal code or position."""
    viewer = request.user
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
    walk_list = actions.claim_list_near(
        volunteer=viewer, latitude=point[0], longitude=point[1], campaigns=campaigns
    )
    if walk_list is None:
        messages.info(request, _("No walk list is free near you right now. Join a canvass event instead."))
        return redirect("fieldwork:home")
    messages.success(request, _("This walk list is yours: nobody else holds it."))
    return redirect("fieldwork:canvass", walk_list.pk)


# --- phone banks ----------------------------------------------------------------------------------


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def phone_bank(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The phone bank's front page: 'Next contact' (POST) leases a contact and opens the call."""
    campaign = access.get_phone_bank(request.user, campaign_id)
    if request.method == "POST":
        try:
            target = actions.claim_next_call(volunteer=request.user, campaign=campaign)
        except actions.FieldworkError as error:
            messages.error(request, str(error))
            return redirect("fieldwork:phone_bank", campaign.pk)
        if target is not None:
            return redirect("fieldwork:call", target.pk)
        messages.info(request, _("Nobody is left to call right now."))
    state = queries.queue_state(campaign)
    mine = Result.objects.filter(campaign=campaign, volunteer=request.user).count()
    return render(
        request, "fieldwork/phone_bank.html", {"campaign": campaign, "state": state, "my_calls": mine}
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def call(request: HttpRequest, target_id: int) -> HttpResponse:
    target = access.get_leased_call(request.user, target_id)
    campaign = target.campaign
    questions = _questions(campaign)
    form = ResultForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = actions.ResultInput(
            outcome=form.cleaned_data["outcome"], idempotency_key=form.cleaned_data["idempotency_key"],
            answers=form.answers(), notes=form.cleaned_data["notes"],
            do_not_contact=form.cleaned_data["do_not_contact"], needs_action=form.cleaned_data["needs_action"],
            action_note=form.cleaned_data["action_note"],
        )  # fmt: skip
        try:
            actions.record_result(
                volunteer=request.user, target=target, data=data, channel=Result.Channel.CALL
            )
        except actions.FieldworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Result recorded. Thank you!"))
            if "next" in request.POST:
                next_target = actions.claim_next_call(volunteer=request.user, campaign=campaign)
                if next_target is not None:
                    return redirect("fieldwork:call", next_target.pk)
            return redirect("fieldwork:phone_bank", campaign.pk)
    return render(
        request,
        "fieldwork/call.html",
        {
            "campaign": campaign,
            "target": target,
            "contact": target.contact,
            "phone": queries.phone_of(target),
            "form": form,
            "script": queries.script_payload(campaign),
        },
        status=400 if form.errors else 200,
    )


@verified_supporter_required
@require_POST
def release(request: HttpRequest, target_id: int) -> HttpResponse:
    target = access.get_leased_call(request.user, target_id)
    actions.release_call(volunteer=request.user, target=target)
    return redirect("fieldwork:phone_bank", target.campaign_id)


# --- canvassing -------------------------------------------------------------------------------------


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
    data = actions.ResultInput(
        outcome=outcome, idempotency_key=key, answers=answers,
        notes=str(item.get("notes") or "")[:2000], recorded_at=recorded_at,
        latitude=_float_or_none(item.get("latitude"), -90, 90), longitude=_float_or_none(item.get("longitude"), -180, 180),
        do_not_contact=item.get("do_not_contact") is True, needs_action=item.get("needs_action") is True,
        action_note=str(item.get("action_note") or "")[:500],
    )  # fmt: skip
    holder = access.holds(volunteer, walk_list) and target.walk_list_id == walk_list.pk
    conflict = "" if holder else _("recorded by a volunteer who no longer holds this list")
    try:
        result, created = actions.record_result(
            volunteer=volunteer, target=target, data=data, channel=Result.Channel.DOOR, walk_list=walk_list,
            conflict=conflict,
        )  # fmt: skip
    except actions.FieldworkError as error:
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


# --- organisers ---------------------------------------------------------------------------------------


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    groups = access.led_group_ids(viewer)
    if not (access.is_staff(viewer) or groups):
        raise Http404
    form = CampaignForm(request.POST or None, groups=groups, staff=access.is_staff(viewer))
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, _("Campaign created. Now choose its contacts."))
        return redirect("fieldwork:turf", campaign.pk)
    return render(request, "fieldwork/campaign_form.html", {"form": form}, status=400 if form.errors else 200)


@verified_supporter_required
@require_GET
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.get_campaign_to_manage(request.user, campaign_id)
    context = {"campaign": campaign, "progress": queries.progress(campaign), "quality": QUALITY_LABELS}
    if request.headers.get("HX-Request"):
        return render(request, "fieldwork/_progress.html", context)
    return render(request, "fieldwork/campaign.html", context)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def turf(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Choose contacts by area, tags or earlier results: walk lists for a canvass, the queue for calls."""
    campaign = access.get_campaign_to_manage(request.user, campaign_id)
    form = TurfForm(request.POST or None, phone_bank=campaign.is_phone_bank)
    if request.method == "POST" and form.is_valid():
        contacts = queries.select_contacts(form.cleaned_data["turf"])
        if campaign.is_phone_bank:
            added = actions.add_targets(campaign=campaign, contacts=contacts)
            messages.success(request, _("%(count)s contacts added to the call queue.") % {"count": added})
            return redirect("fieldwork:campaign", campaign.pk)
        try:
            lists = actions.cut_walk_lists(
                campaign=campaign, contacts=contacts, doors_per_list=form.cleaned_data["doors_per_list"],
                max_lists=form.cleaned_data["max_lists"],
            )  # fmt: skip
        except actions.FieldworkError as error:
            form.add_error(None, str(error))
        else:
            if lists:
                messages.success(request, _("%(count)s walk lists cut.") % {"count": len(lists)})
                return redirect("fieldwork:campaign", campaign.pk)
            form.add_error(
                None,
                _(
                    "No door to add: nobody in this area has an address and is not yet on a list (or they asked not to be visited)."
                ),
            )
    points = list(
        queries.select_contacts(queries.Turf()).exclude(latitude=None).values("latitude", "longitude")[:1]
    )
    centre = {"lat": points[0]["latitude"], "lon": points[0]["longitude"]} if points else None
    return render(
        request, "fieldwork/turf.html", {"campaign": campaign, "form": form, "centre": centre},
        status=400 if form.errors else 200,
    )  # fmt: skip


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, walk_list_id: int) -> HttpResponse:
    """Give a walk list to a volunteer (the group's members, the event's attendees) or an event shift."""
    walk_list = access.get_walk_list_to_manage(request.user, walk_list_id)
    volunteers, shifts = _assignable(walk_list.campaign)
    form = AssignForm(
        request.POST or None, volunteers=volunteers, shifts=shifts,
        initial={"volunteer": walk_list.assigned_to_id or "", "shift": walk_list.shift_id or ""},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        volunteer = next((v for v in volunteers if str(v.pk) == form.cleaned_data["volunteer"]), None)
        shift_id = int(form.cleaned_data["shift"]) if form.cleaned_data["shift"] else None
        shift = organizing_events.shift_by_id(shift_id) if shift_id else None
        actions.assign_walk_list(walk_list=walk_list, volunteer=volunteer, shift=shift)
        messages.success(request, _("Walk list assigned."))
        return redirect(reverse("fieldwork:campaign", args=[walk_list.campaign_id]) + "#lists")
    return render(
        request, "fieldwork/assign.html", {"walk_list": walk_list, "form": form, "has_choices": bool(volunteers or shifts)},
        status=400 if form.errors else 200,
    )  # fmt: skip


def _assignable(campaign: FieldCampaign):
    """Whom a list can go to: the campaign event's attendees and its group's members, and its shifts."""
    volunteers = organizing_events.fieldwork_volunteers(
        group_id=campaign.group_id, event_id=campaign.event_id
    )
    shifts = organizing_events.shift_choices(campaign.event_id) if campaign.event_id else []
    return volunteers, shifts


@verified_supporter_required
@require_GET
def export(request: HttpRequest, campaign_id: int) -> StreamingHttpResponse:
    campaign = access.get_campaign_to_manage(request.user, campaign_id)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def safe(value: object) -> str:
        text = "" if value is None else str(value)
        return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} and not text[1:].isdigit() else text

    response = StreamingHttpResponse(
        ("\ufeff" if index == 0 else "") + writer.writerow([safe(cell) for cell in row])
        for index, row in enumerate(queries.export_rows(campaign))
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="results-{campaign.pk}.csv"'
    return response


@verified_supporter_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    campaigns = access.managed_campaigns(request.user)
    if not (access.is_staff(request.user) or access.led_group_ids(request.user)):
        raise Http404
    return render(
        request,
        "fieldwork/review.html",
        {"queue": queries.review_queue(campaigns), "quality": QUALITY_LABELS},
    )


@verified_supporter_required
@require_POST
def resolve(request: HttpRequest, result_id: int) -> HttpResponse:
    result = access.get_result_to_manage(request.user, result_id)
    actions.resolve_action(result=result, done_by=request.user, back_to_queue=request.POST.get("back") == "1")
    messages.success(request, _("Marked as done."))
    return redirect("fieldwork:review")


# --- imports ------------------------------------------------------------------------------------------


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    if not access.is_staff(request.user):
        raise Http404
    form = UploadForm()
    too_large = ""
    if request.method == "POST":
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.FIELDWORK_IMPORT_MAX_BYTES + 1_000_000:
            # `uploads.SizeLimitUploadHandler` stopped reading the body: a 2 GB file never reaches the disk.
            too_large = _(
                "This file is too large (%(size)s MB): the limit is %(limit)s MB. Split it and import each part."
            ) % {"size": declared // 1_000_000, "limit": settings.FIELDWORK_IMPORT_MAX_BYTES // 1_000_000}
        else:
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    inspection = importing.inspect_upload(upload)
                except actions.FieldworkError as error:
                    form.add_error("file", str(error))
                else:
                    job = ImportJob(
                        original_name=upload.name[:200], encoding=inspection.encoding,
                        delimiter=inspection.delimiter, header=inspection.header,
                        mapping=importing.guess_mapping(inspection.header), country=form.cleaned_data["country"],
                        extra_tags=form.cleaned_data["extra_tags"], total_bytes=upload.size,
                    )  # fmt: skip
                    job.file.save("contacts.csv", File(upload), save=False)
                    job.save()
                    return redirect("fieldwork:import", job.pk)
    jobs = ImportJob.objects.order_by("-created_at")[:20]
    return render(
        request, "fieldwork/imports.html", {"form": form, "jobs": jobs, "too_large": too_large},
        status=400 if form.errors or too_large else 200,
    )  # fmt: skip


def _preview(job: ImportJob) -> list[list[str]]:
    with job.file.open("rb") as handle:
        try:
            return importing.inspect_upload(handle, size=0).preview
        except actions.FieldworkError:
            return []


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The mapping step (with a preview) while the job waits for it; then its progress and problems."""
    job = access.get_import(request.user, job_id)
    if job.status != ImportJob.Status.UPLOADED:
        context = {"job": job, "problems": job.problems.all()[:200]}
        if request.headers.get("HX-Request"):
            return render(request, "fieldwork/_import_progress.html", context)
        return render(request, "fieldwork/import_progress.html", context)
    form = MappingForm(
        request.POST or None,
        header=job.header,
        initial_mapping=job.mapping,
        initial={"encoding": job.encoding},
    )
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        try:
            importing.check_mapping(mapping)
        except actions.FieldworkError as error:
            form.add_error(None, str(error))
        else:
            started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UPLOADED).update(
                mapping=mapping, encoding=form.cleaned_data["encoding"], status=ImportJob.Status.QUEUED
            )
            if started:
                tasks.start_import(job.pk)
            return redirect("fieldwork:import", job.pk)
    preview = _preview(job)
    return render(
        request, "fieldwork/import_mapping.html",
        {"job": job, "form": form, "preview": preview, "columns": range(len(job.header))},
        status=400 if form.errors else 200,
    )  # fmt: skip


def parse_when(text: str) -> datetime | None:
    value = parse_datetime(text or "")
    return value if value and timezone.is_aware(value) else None


# --- scripts and campaign settings ------------------------------------------------------------------


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def script_edit(request: HttpRequest, script_id: int | None = None) -> HttpResponse:
    """Staff write the scripts and surveys every campaign may use (both languages side by side)."""
    if not access.is_staff(request.user):
        raise Http404
    script = access.get_script(request.user, script_id) if script_id else None
    initial_questions = [
        {"kind": q.kind, "text": q.text, "text_fr": q.text_fr, "choices": choices_as_text(q),
         "defines_success": q.defines_success, "success_values": ", ".join(q.success_values)}
        for q in (script.questions.all() if script else [])
    ]  # fmt: skip
    initial = (
        {"name": script.name, "introduction": script.introduction, "introduction_fr": script.introduction_fr}
        if script
        else None
    )
    form = ScriptForm(request.POST or None, initial=initial)
    questions = QuestionFormSet(request.POST or None, initial=initial_questions, prefix="q")
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        drafts = [
            actions.QuestionDraft(
                kind=q["kind"],
                text=q["text"],
                text_fr=q["text_fr"],
                choices=q["choices"],
                defines_success=q["defines_success"],
                success_values=[v.strip() for v in q["success_values"].split(",") if v.strip()],
            )
            for q in questions.cleaned_data
            if q and not q.get("DELETE")
        ]
        try:
            saved = actions.save_script(script=script, questions=drafts, **form.cleaned_data)
        except actions.FieldworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Script saved."))
            return redirect("fieldwork:script_edit", saved.pk)
    scripts = Script.objects.order_by("name")[:100]
    return render(
        request, "fieldwork/script_form.html",
        {"form": form, "questions": questions, "script": script, "scripts": scripts},
        status=400 if form.errors or questions.total_error_count() else 200,
    )  # fmt: skip


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.get_campaign_to_manage(request.user, campaign_id)
    form = CampaignSettingsForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Campaign saved."))
        return redirect("fieldwork:campaign", campaign.pk)
    return render(
        request, "fieldwork/campaign_form.html", {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )  # fmt: skip
