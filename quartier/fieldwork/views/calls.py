"""The volunteer's phone bank: the next call, its script, release.

"Next contact" and "Save and next contact" answer with the call page itself, rendered from what the
claim returned (one statement on PostgreSQL), not with a redirect that reads the contact again; the
page's script puts the call's own address in the location bar (`call.js`), so a reload is a GET of
`/fieldwork/calls/<id>/`."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.accounts.templatetags.fields import field_key
from quartier.fieldwork import access, queries
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.actions import common as common_actions
from quartier.fieldwork.actions import results as results_actions
from quartier.fieldwork.forms import CallResultForm
from quartier.fieldwork.models import FieldCampaign, Question, Result, Target


def _questions(campaign: FieldCampaign) -> list[Question]:
    return list(Question.objects.filter(script_id=campaign.script_id)) if campaign.script_id else []


def _call_form(request: HttpRequest, target: Target, questions: list[Question], data=None) -> CallResultForm:
    return CallResultForm(
        data, questions=questions, campaign=target.campaign, zone=target.contact.time_zone or target.time_zone
    )


# The result form's inputs, unfilled, are the same HTML for every call of a campaign in a language
# (the outcomes, the script's questions, the call-back bounds of the day): rendered once per process
# and kept, keyed by everything that HTML is made of (`field_key` of each field, the questions'
# positions, the language). The idempotency key, new on each page, is not part of it. A filled-in
# form (errors to show) is rendered every time.
MAX_KEPT = 256
_kept: dict[tuple[object, ...], SafeString] = {}


def _inputs(form: CallResultForm, template_name: str) -> SafeString:
    if form.is_bound:
        return render_to_string(template_name, {"form": form})
    key = (
        template_name,
        form.auto_id,
        form.prefix,
        get_language(),
        tuple((question.pk, question.position) for question in form.questions),
        repr(sorted((k, v) for k, v in form.initial.items() if k != "idempotency_key")),
        *(field_key(form[name]) for name in form.fields if name != "idempotency_key"),
    )
    html = _kept.get(key)
    if html is None:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        html = _kept[key] = render_to_string(template_name, {"form": form})
    return html


def _call_page(
    request: HttpRequest, target: Target, *, questions: list[Question], form: CallResultForm | None = None
) -> HttpResponse:
    """The call page, from the target and contact fields the claim loaded (`CALL_*_FIELDS`)."""
    campaign = target.campaign
    form = form or _call_form(request, target, questions)
    return render(
        request,
        "fieldwork/call.html",
        {
            "result_inputs": _inputs(form, "fieldwork/_result_inputs.html"),
            "callback_inputs": _inputs(form, "fieldwork/_callback_inputs.html"),
            "campaign": campaign,
            "target": target,
            "contact": target.contact,
            "phone": queries.phone_of(target),
            "form": form,
            "script": queries.script_payload(campaign, questions=questions),
            "introduction": queries.merge_script(
                campaign.script.localised_introduction if campaign.script_id else "",
                contact=target.contact,
                volunteer=request.user,
            ),
            "language": queries.contact_language(target.contact),
        },
        status=400 if form.errors else 200,
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def phone_bank(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The phone bank's front page: 'Next contact' (POST) leases a contact and opens the call."""
    campaign = access.get_phone_bank(request.user, campaign_id)
    if request.method == "POST":
        try:
            target = calls_actions.claim_next_call(volunteer=request.user, campaign=campaign)
        except common_actions.FieldworkError as error:
            messages.error(request, str(error))
            return redirect("fieldwork:phone_bank", campaign.pk)
        if target is not None:
            return _call_page(request, target, questions=_questions(campaign))
        messages.info(request, _("Nobody is left to call right now."))
    state = queries.queue_state(campaign)
    mine = Result.objects.filter(campaign=campaign, volunteer=request.user).count()
    resume_at = queries.calls_resume_at(campaign) if not state["ready"] and state["quiet_hours"] else None
    return render(
        request,
        "fieldwork/phone_bank.html",
        {"campaign": campaign, "state": state, "my_calls": mine, "resume_at": resume_at},
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def call(request: HttpRequest, target_id: int) -> HttpResponse:
    target = access.get_leased_call(request.user, target_id)
    campaign = target.campaign
    questions = _questions(campaign)
    form = _call_form(request, target, questions, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = results_actions.ResultInput(
            outcome=form.cleaned_data["outcome"], idempotency_key=form.cleaned_data["idempotency_key"],
            answers=form.answers(), notes=form.cleaned_data["notes"],
            do_not_contact=form.cleaned_data["do_not_contact"], needs_action=form.cleaned_data["needs_action"],
            action_note=form.cleaned_data["action_note"], callback_at=form.cleaned_data["callback_at"],
        )  # fmt: skip
        try:
            results_actions.record_result(
                volunteer=request.user, target=target, data=data, channel=Result.Channel.CALL
            )
        except common_actions.FieldworkError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Result recorded. Thank you!"))
            if "next" in request.POST:
                try:
                    next_target = calls_actions.claim_next_call(volunteer=request.user, campaign=campaign)
                except common_actions.FieldworkError:
                    next_target = None  # the bank closed meanwhile: its page says so
                if next_target is not None:
                    return _call_page(request, next_target, questions=questions)
            return redirect("fieldwork:phone_bank", campaign.pk)
    return _call_page(request, target, questions=questions, form=form)


@verified_supporter_required
@require_POST
def release(request: HttpRequest, target_id: int) -> HttpResponse:
    target = access.get_leased_call(request.user, target_id)
    calls_actions.release_call(volunteer=request.user, target=target)
    return redirect("fieldwork:phone_bank", target.campaign_id)


def parse_when(text: str) -> datetime | None:
    value = parse_datetime(text or "")
    return value if value and timezone.is_aware(value) else None
