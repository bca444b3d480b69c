"""Organisers' pages: field campaigns, scripts, turf, assignment, progress, the review queue, CSV export."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.fieldwork import access, queries, turf_map
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import common as common_actions
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.actions import scripts as scripts_actions
from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.forms import (
    AssignForm,
    CampaignForm,
    CampaignSettingsForm,
    QuestionFormSet,
    ScriptForm,
    TurfForm,
    choices_as_text,
)
from quartier.fieldwork.models import FieldCampaign, Script
from quartier.organizing.queries import events as organizing_events

QUALITY_LABELS = {
    "too_fast": gettext_lazy("faster than a door can be walked"),
    "identical_answers": gettext_lazy("identical answers in a row"),
    "far_from_door": gettext_lazy("recorded far from the door"),
}


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
        contacts = queries.select_contacts(form.cleaned_data["turf"], campaign)
        if campaign.is_phone_bank:
            added = calls_actions.add_targets(campaign=campaign, contacts=contacts)
            messages.success(
                request,
                ngettext(
                    "%(count)s contact added to the call queue.",
                    "%(count)s contacts added to the call queue.",
                    added,
                )
                % {"count": added},
            )
            return redirect("fieldwork:campaign", campaign.pk)
        try:
            lists = walk_lists_actions.cut_walk_lists(
                campaign=campaign, contacts=contacts, doors_per_list=form.cleaned_data["doors_per_list"],
                max_lists=form.cleaned_data["max_lists"],
            )  # fmt: skip
        except common_actions.FieldworkError as error:
            form.add_error(None, str(error))
        else:
            if lists:
                messages.success(
                    request,
                    ngettext("%(count)s walk list cut.", "%(count)s walk lists cut.", len(lists))
                    % {"count": len(lists)},
                )
                return redirect("fieldwork:campaign", campaign.pk)
            form.add_error(
                None,
                _(
                    "No door to add: nobody in this area has an address and is not yet on a list (or they asked not to be visited)."
                ),
            )
    # The map opens on the campaign's own contacts (their extent), not on the first row of the table.
    return render(
        request, "fieldwork/turf.html", {"campaign": campaign, "form": form, "extent": turf_map.extent(campaign)},
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
        walk_lists_actions.assign_walk_list(walk_list=walk_list, volunteer=volunteer, shift=shift)
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
    results_actions.resolve_action(
        result=result, done_by=request.user, back_to_queue=request.POST.get("back") == "1"
    )
    messages.success(request, _("Marked as done."))
    return redirect("fieldwork:review")


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
            scripts_actions.QuestionDraft(
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
            saved = scripts_actions.save_script(script=script, questions=drafts, **form.cleaned_data)
        except common_actions.FieldworkError as error:
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
