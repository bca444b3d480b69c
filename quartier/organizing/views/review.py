"""Staff review of events whose type needs approval."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartier.organizing import access
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.forms.events import ReviewForm
from quartier.organizing.queries import events as events_queries
from quartier.organizing.views.common import rule_message


def review_queue(request: HttpRequest) -> HttpResponse:
    if not access.is_staff(request.user):
        raise Http404
    return render(
        request,
        "organizing/review_queue.html",
        {"events": events_queries.pending_events(), "form": ReviewForm()},
    )


@require_POST
def review_event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_staff(request.user, event_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(event)
    try:
        events_actions.review_event(
            event=event, reviewer=request.user, approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except common_actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        messages.success(request, _("The host is told of your decision."))
    return redirect("organizing:review_queue")
