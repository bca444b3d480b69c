"""Staff pages of outgoing webhooks: the endpoints (the secret shown once, at creation), each one's
deliveries with their log, a test ping, replay, pause and resume."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import require_staff, verified_supporter_required
from quartier.api.models import WebhookEndpoint
from quartier.api.webhooks import actions
from quartier.api.webhooks.access import get_delivery_for_staff, get_endpoint_for_staff
from quartier.api.webhooks.events import EVENT_TYPE_LABELS
from quartier.api.webhooks.forms import EndpointForm

DELIVERIES_SHOWN = 50


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = EndpointForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_endpoint(
                url=form.cleaned_data["url"], event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"], created_by=request.user,
            )  # fmt: skip
        except actions.EndpointRefused:
            form.add_error(
                "url",
                _("This address cannot receive webhooks: use an https URL on a public host name."),
            )
        else:
            form = EndpointForm()
    listed = WebhookEndpoint.objects.annotate(delivery_count=Count("deliveries")).order_by("-created_at")
    context = {"form": form, "endpoints": listed, "created": created, "labels": EVENT_TYPE_LABELS}
    return render(request, "api/webhook_endpoints.html", context, status=400 if form.errors else 200)


@verified_supporter_required
def endpoint(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    found = get_endpoint_for_staff(request.user, endpoint_id)
    deliveries = found.deliveries.order_by("-pk").prefetch_related("attempt_log")[:DELIVERIES_SHOWN]
    return render(request, "api/webhook_endpoint.html", {"endpoint": found, "deliveries": deliveries})


@verified_supporter_required
@require_POST
def ping(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    found = get_endpoint_for_staff(request.user, endpoint_id)
    actions.send_ping(found)
    messages.success(request, _("A test event was sent: its result is in the list below."))
    return redirect("api:webhook_endpoint", found.pk)


@verified_supporter_required
@require_POST
def set_active(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    found = get_endpoint_for_staff(request.user, endpoint_id)
    actions.set_active(found, active=request.POST.get("active") == "1")
    return redirect("api:webhook_endpoint", found.pk)


@verified_supporter_required
@require_POST
def replay(request: HttpRequest, delivery_id: int) -> HttpResponse:
    delivery = get_delivery_for_staff(request.user, delivery_id)
    if actions.replay(delivery):
        messages.success(request, _("The event was sent again, with the same idempotency key."))
    else:
        messages.warning(request, _("This event is being sent right now: try again in a moment."))
    return redirect("api:webhook_endpoint", delivery.endpoint_id)
