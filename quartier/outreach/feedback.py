"""What the mail provider says after sending: anymail's tracking webhooks, turned into our records.

The webhooks at `/outreach/esp/<esp>/tracking/` are served only once `ANYMAIL_WEBHOOK_SECRET` is set
(HTTP basic auth, the only protection Postmark and SendGrid webhooks have): without it they answer
404, since anyone could otherwise post a forged bounce and suppress any address (`check --deploy`
says so, `outreach.W001`). With it, anymail refuses requests without the secret (and, for Mailgun,
without its HMAC signature) with a 400; a body anymail cannot read is a 400 too, never a 500.
anymail's only interface is the `tracking` signal, connected in `apps.py` to
`record_tracking_event`, which does nothing but call `actions`. Hard bounces, complaints and
ESP-level unsubscribes put the address on the suppression list; the delivery the event is about
(found by the `outreach_delivery` metadata we send) gets its date. Opens and clicks are ignored: no
tracking pixels, no link tracking.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)

# The ESPs whose tracking webhooks are served at /outreach/esp/<name>/tracking/.
TRACKING_VIEWS = {
    "mailgun": "anymail.webhooks.mailgun.MailgunTrackingWebhookView",
    "postmark": "anymail.webhooks.postmark.PostmarkTrackingWebhookView",
    "sendgrid": "anymail.webhooks.sendgrid.SendGridTrackingWebhookView",
    "brevo": "anymail.webhooks.brevo.BrevoTrackingWebhookView",
}

# What anymail's checks and parsers raise on a body that is not the ESP's shape (not JSON, a list for
# an object, a missing key, a number for a string, a timestamp of 1e20, JSON nested 100,000 deep…).
MALFORMED = (ValueError, LookupError, TypeError, AttributeError, ArithmeticError, RecursionError)

# Delivery ids are bigints: anything longer is not one of ours (and would overflow the lookup).
DELIVERY_ID_MAX_DIGITS = 18


class MalformedWebhook(Exception):
    """A tracking webhook body that could not be read (answered 400)."""


def webhook_secret_set() -> bool:
    """Whether the tracking webhooks are protected by a basic-auth secret (else they are not served)."""
    secret = getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET")
    if isinstance(secret, list | tuple):
        return any(isinstance(item, str) and ":" in item for item in secret)
    return isinstance(secret, str) and ":" in secret


@functools.cache
def _strict_view(esp: str) -> Callable[..., HttpResponse]:
    """anymail's view for `esp`, whose reading errors become `MalformedWebhook`. A wrong secret or
    signature stays anymail's `AnymailWebhookValidationFailure` (a 400 through Django's handling of
    `SuspiciousOperation`); the signal is sent only once every event of the body has been read."""
    view_class = import_string(TRACKING_VIEWS[esp])

    class Strict(view_class):
        def run_validators(self, request: HttpRequest) -> None:
            try:
                super().run_validators(request)
            except MALFORMED as error:
                raise MalformedWebhook(str(error)) from error

        def parse_events(self, request: HttpRequest) -> list:
            try:
                return list(super().parse_events(request))
            except MALFORMED as error:
                raise MalformedWebhook(str(error)) from error

    Strict.__name__ = Strict.__qualname__ = f"Strict{view_class.__name__}"
    return Strict.as_view()


def _delivery_id(metadata: object) -> str | None:
    if not isinstance(metadata, dict):
        return None
    value = str(metadata.get("outreach_delivery") or "")
    return value if value.isdigit() and len(value) <= DELIVERY_ID_MAX_DIGITS else None


def record_tracking_event(sender: object, event, esp_name: str, **kwargs: object) -> None:
    """anymail's `tracking` signal receiver (a thin adapter: the rules are in `actions`)."""
    from quartier.outreach.actions import feedback as feedback_actions

    recipient = event.recipient if isinstance(event.recipient, str) else ""
    try:
        feedback_actions.record_feedback(
            event_type=str(event.event_type or ""),
            recipient=recipient,
            delivery_id=_delivery_id(event.metadata),
            esp=esp_name,
            event_id=str(event.event_id or ""),
        )
    except ValueError as error:  # not an address we could have sent to: nothing to record
        logger.warning("outreach: %s tracking event ignored: %s", esp_name, error)


@csrf_exempt
def tracking_webhook(request: HttpRequest, esp: str) -> HttpResponse:
    if esp not in TRACKING_VIEWS:
        return JsonResponse({"error": "unknown_esp"}, status=404)
    if not webhook_secret_set():
        return JsonResponse({"error": "esp_not_configured"}, status=404)
    try:
        return _strict_view(esp)(request)
    except ImproperlyConfigured:
        return JsonResponse({"error": "esp_not_configured"}, status=404)
    except MalformedWebhook:
        return JsonResponse({"error": "malformed"}, status=400)
