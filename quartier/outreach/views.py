"""The unsubscribe page. The token in the address says who and from what; no sign-in needed."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from quartier.accounts.adapter import client_ip
from quartier.outreach import actions, queries
from quartier.outreach.access import get_address_to_unsubscribe, get_unsubscribe_target
from quartier.outreach.models import Suppression, audience_kind


def _unnamed_audience(audience: str) -> str:
    """What to call an audience none of whose messages is left to name it."""
    kind = audience_kind(audience)
    if kind == "group":
        return _("this group")
    if kind == "event":
        return _("this event")
    return _("this list")


ONE_CLICK_WORDING = "List-Unsubscribe=One-Click (RFC 8058: the unsubscribe button of the mail program)"


@csrf_exempt  # RFC 8058: mail programs POST `List-Unsubscribe=One-Click` with no cookie or CSRF token
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation and changes nothing (mail scanners follow links); POST unsubscribes."""
    target = get_unsubscribe_target(token)
    language = translation.get_language()
    if not request.user.is_authenticated and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # The page speaks the language the message was written in, unless the visitor chose one.
        language = target.supporter.language
    with translation.override(language):
        label = queries.audience_label(target.audience) or _unnamed_audience(target.audience)
        context = {"audience_label": label, "token": token}
        if request.method != "POST":
            return render(request, "outreach/unsubscribe.html", context)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            wording = ONE_CLICK_WORDING
        else:
            wording = _("Unsubscribe me from %(audience)s") % {"audience": label}
        actions.unsubscribe(
            supporter=target.supporter,
            audience=target.audience,
            wording=wording,
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:8],
            ip_address=client_ip(request),
        )
        return render(request, "outreach/unsubscribed.html", context)


@csrf_exempt  # RFC 8058, as above
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_address(request: HttpRequest, token: str) -> HttpResponse:
    """A personal message's way out: POST puts the address on the suppression list (GET asks first)."""
    address = get_address_to_unsubscribe(token)
    context = {"address": address, "token": token}
    if request.method in ("GET", "HEAD"):
        return render(request, "outreach/unsubscribe_address.html", context)
    actions.suppress_address(
        address=address,
        reason=Suppression.Reason.UNSUBSCRIBED,
        source="one-click" if request.POST.get("List-Unsubscribe") == "One-Click" else "unsubscribe",
    )
    return render(request, "outreach/unsubscribed_address.html", context)
