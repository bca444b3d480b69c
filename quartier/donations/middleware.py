"""Stripe's webhook answered before the site's middleware: it needs no session, user, language, CSRF
token, message or page cache, and each of them costs every delivery a little (issue 22).

`WebhookFastPathMiddleware` stands right after `SecurityMiddleware` (HTTPS redirect and its headers
still apply). For the webhook's path it checks the host as `CommonMiddleware` would (`ALLOWED_HOSTS`)
and calls the view itself, which keeps every guard of its own: POST only, the signature checked with
the stripe library, the body's size limit (`DATA_UPLOAD_MAX_MEMORY_SIZE`), a malformed event a 400,
a database away a 503. A host or a body refused by Django (`SuspiciousOperation`) is answered here, a
JSON 400 like the view's: the site's 400 page needs what the skipped middleware sets (the CSP nonce).
Every other path goes on through the stack untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse

from quartier.donations.urls import STRIPE_WEBHOOK_PATH
from quartier.donations.views.checkout import stripe_webhook

logger = logging.getLogger("django.security")


class WebhookFastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != STRIPE_WEBHOOK_PATH:
            return self.get_response(request)
        try:
            request.get_host()  # DisallowedHost for a host the site does not serve, as CommonMiddleware
            return stripe_webhook(request)
        except SuspiciousOperation as error:  # that host, a body over the size limit
            logger.warning("stripe webhook refused: %s", error)
            return JsonResponse({"error": "bad_request", "reason": type(error).__name__}, status=400)
