"""Reports, the moderation queue, decisions shown to their authors, and appeals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.lib.ids import parse_id
from quartier.organizing.queries import groups as organizing_groups
from quartier.social import access, registry
from quartier.social.actions import common as common_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.forms import AppealDecisionForm, AppealForm, ModerationForm, ReportForm
from quartier.social.models import Appeal, Comment
from quartier.social.queries import moderation as moderation_queries
from quartier.social.queries import visibility as visibility_queries
from quartier.social.views.common import error_text

KINDS = ("post", "comment", "message", "profile")


def _target(request: HttpRequest, kind: str, target_id: str) -> tuple[dict, str]:
    """What is reported, loaded only if the reporter may see it, and where to go back to."""
    viewer = request.user
    row_id = parse_id(target_id)  # None for anything that cannot name a row (a handle, 2**64)
    if kind == "post" and row_id is not None:
        post = access.get_readable_post(viewer, row_id)
        return {"post": post}, post.get_absolute_url()
    if kind == "comment" and row_id is not None:
        comment = (
            Comment.objects.select_related("post", "author").filter(pk=row_id, hidden_at__isnull=True).first()
        )
        if comment is None:
            raise Http404
        access.get_readable_post(viewer, comment.post_id)
        return {"comment": comment}, comment.post.get_absolute_url()
    if kind == "message" and row_id is not None:
        message = access.get_message_in(viewer, row_id)
        return {"message": message}, message.conversation.get_absolute_url()
    if kind == "profile":
        person = access.get_person(viewer, target_id)
        return {"profile": person}, person.get_absolute_url()
    raise Http404


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, kind: str, target_id: str) -> HttpResponse:
    target, back_url = _target(request, kind, target_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation_actions.report(
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                **target,
            )
        except common_actions.SocialError as error:
            form.add_error(None, error_text(error.code))
        else:
            messages.success(request, _("Thank you: a moderator will look at it."))
            return redirect(back_url)
    return render(
        request, "social/report_form.html", {"form": form, "kind": kind, "target": next(iter(target.values())), "back_url": back_url},
        status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Staff see every open report; group leaders their groups' (others get a 404)."""
    reports = moderation_queries.report_queue(request.user)
    if (
        not visibility_queries.is_moderator(request.user)
        and not reports
        and not organizing_groups.leader_group_ids(request.user).exists()
    ):
        raise Http404
    appeals = (
        list(Appeal.objects.filter(status=Appeal.Status.OPEN).select_related("action", "supporter")[:50])
        if visibility_queries.is_moderator(request.user)
        else []
    )
    sections = registry.queue_sections(request.user) if visibility_queries.is_moderator(request.user) else []
    return render(
        request,
        "social/moderation_queue.html",
        {"reports": reports, "appeals": appeals, "sections": sections},
    )


@require_http_methods(["GET", "POST"])
@verified_supporter_required
def decide(request: HttpRequest, report_id: int) -> HttpResponse:
    found = access.get_report_for_moderator(request.user, report_id)
    form = ModerationForm(request.POST or None, staff=request.user.is_staff)
    if request.method == "POST" and form.is_valid():
        try:
            moderation_actions.moderate(
                moderator=request.user, report=found, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"],
                days=form.cleaned_data.get("days") or moderation_actions.SUSPENSION_DAYS,
            )  # fmt: skip
        except common_actions.SocialError as error:
            form.add_error(None, error_text(error.code))
        else:
            messages.success(request, _("Decision recorded and sent to the author."))
            return redirect("social:moderation")
    history = moderation_queries.decisions_about(found.subject) if found.subject_id else []
    return render(
        request,
        "social/moderation_decide.html",
        {"report": found, "form": form, "history": history},
        status=400 if form.errors else 200,
    )


@login_required
def my_decisions(request: HttpRequest) -> HttpResponse:
    return render(
        request, "social/my_decisions.html",
        {"decisions": moderation_queries.decisions_about(request.user), "form": AppealForm(), "sanction": visibility_queries.sanction_of(request.user)},
    )  # fmt: skip


@require_POST
@login_required
def appeal(request: HttpRequest, action_id: int) -> HttpResponse:
    action = access.get_own_decision(request.user, action_id)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the decision should change."))
        return redirect("social:my_decisions")
    try:
        moderation_actions.appeal(supporter=request.user, action=action, text=form.cleaned_data["text"])
    except common_actions.SocialError as error:
        messages.error(request, error_text(error.code))
    else:
        messages.success(request, _("Your appeal is sent: a staff member will answer it."))
    return redirect("social:my_decisions")


@require_http_methods(["GET", "POST"])
@verified_supporter_required
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    found = access.get_appeal_for_staff(request.user, appeal_id)
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation_actions.decide_appeal(
                staff=request.user,
                appeal=found,
                grant=form.cleaned_data["grant"],
                decision=form.cleaned_data["decision"],
            )
        except common_actions.SocialError as error:
            form.add_error(None, error_text(error.code))
        else:
            messages.success(request, _("Answer recorded and sent to the author."))
            return redirect("social:moderation")
    return render(
        request,
        "social/appeal_decide.html",
        {"appeal": found, "form": form},
        status=400 if form.errors else 200,
    )
