"""What the mail provider says after sending: anymail's tracking webhooks, turned into our records.

anymail checks each webhook (HTTP basic auth with `ANYMAIL_WEBHOOK_SECRET`, and the ESP's own
signature, e.g. Mailgun's HMAC) and normalises its events; its only interface is the `tracking`
signal, connected in `apps.py` to `record_tracking_event`, which does nothing but call `actions`.
Hard bounces, complaints and ESP-level unsubscribes put the address on the suppression list; the
delivery the event is about (found by the `outreach_delivery` metadata we send) gets its date. Opens
and clicks are ignored: no tracking pixels, no link tracking.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

# The ESPs whose tracking webhooks are served at /outreach/esp/<name>/tracking/.
TRACKING_VIEWS = {
    "mailgun": "anymail.webhooks.mailgun.MailgunTrackingWebhookView",
    "postmark": "anymail.webhooks.postmark.PostmarkTrackingWebhookView",
    "sendgrid": "anymail.webhooks.sendgrid.SendGridTrackingWebhookView",
    "brevo": "anymail.webhooks.brevo.BrevoTrackingWebhookView",
}


def record_tracking_event(sender: object, event, esp_name: str, **kwargs: object) -> None:
    """anymail's `tracking` signal receiver (a thin adapter: the rules are in `actions`)."""
    from quartier.outreach.actions import feedback as feedback_actions

    feedback_actions.record_feedback(
        event_type=event.event_type,
        recipient=event.recipient or "",
        delivery_id=(event.metadata or {}).get("outreach_delivery"),
        esp=esp_name,
        event_id=event.event_id or "",
    )


@csrf_exempt
def tracking_webhook(request: HttpRequest, esp: str) -> HttpResponse:
    from django.utils.module_loading import import_string

    if esp not in TRACKING_VIEWS:
        return JsonResponse({"error": "unknown_esp"}, status=404)
    try:
        view = import_string(TRACKING_VIEWS[esp]).as_view()
        return view(request)
    except ImproperlyConfigured:
        return JsonResponse({"error": "esp_not_configured"}, status=404)
