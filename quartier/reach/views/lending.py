"""Lend your status: the supporter's settings (consent, connected accounts), upcoming statuses with a
Veto button, history; the tracked link a lent status carries; staff's page to write a message."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from quartier.accounts import branding
from quartier.accounts.access import require_staff, verified_supporter_required
from quartier.lib.urls import absolute_url
from quartier.reach.lending import actions, queries
from quartier.reach.lending.forms import BlueskyConnectForm, ConsentForm, MastodonConnectForm, MessageForm
from quartier.reach.lending.services import ServiceError
from quartier.reach.models.lending import Service

MASTODON_SESSION_KEY = "reach.mastodon_connect"


def _error_text(code: str) -> str:
    return {
        "not_lending": _("Tick the box to lend your status first."),
        "unknown_instance": _("That Mastodon connection expired: start again."),
        "cap_out_of_range": _("Choose between 1 and 7 a week."),
        "not_staff": _("Only campaign staff write these messages."),
        "link_not_a_path": _("Enter a path on this site starting with /, like /events/12/."),
    }.get(code, _("That did not work: try again."))


def _settings_page(request: HttpRequest, **forms: object) -> HttpResponse:
    consent = queries.consent_of(request.user)
    context = {
        "consent": consent,
        "accounts": queries.accounts_of(request.user),
        "consent_form": forms.get("consent_form")
        or ConsentForm(initial={"active": consent.is_active, "weekly_cap": consent.weekly_cap}),
        "mastodon_form": forms.get("mastodon_form") or MastodonConnectForm(),
        "bluesky_form": forms.get("bluesky_form") or BlueskyConnectForm(),
    }
    return render(request, "reach/lend_settings.html", context)


@never_cache
@verified_supporter_required
def lend_settings(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _settings_page(request)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, consent_form=form)
    actions.set_consent(
        supporter=request.user, active=form.cleaned_data["active"], weekly_cap=form.cleaned_data["weekly_cap"]
    )
    if form.cleaned_data["active"]:
        messages.success(
            request, _("Thank you: you lend your status. Each message is announced to you first.")
        )
    else:
        messages.success(request, _("You no longer lend your status. Connected accounts are disconnected."))
    return redirect("reach:lend_settings")


@require_POST
@verified_supporter_required
def mastodon_connect(request: HttpRequest) -> HttpResponse:
    form = MastodonConnectForm(request.POST)
    if not queries.consent_of(request.user).is_active:
        messages.error(request, _error_text("not_lending"))
        return redirect("reach:lend_settings")
    if not form.is_valid():
        return _settings_page(request, mastodon_form=form)
    instance = form.cleaned_data["instance"]
    try:
        url, state = actions.start_mastodon_connection(
            instance=instance, redirect_uri=absolute_url(reverse("reach:mastodon_callback"))
        )
    except ServiceError:
        form.add_error("instance", _("That server did not answer as a Mastodon server does. Check its name."))
        return _settings_page(request, mastodon_form=form)
    request.session[MASTODON_SESSION_KEY] = {"state": state, "instance": instance}
    return HttpResponseRedirect(url)


@require_GET
@verified_supporter_required
def mastodon_callback(request: HttpRequest) -> HttpResponse:
    pending = request.session.pop(MASTODON_SESSION_KEY, None) or {}
    code, state = str(request.GET.get("code", ""))[:500], str(request.GET.get("state", ""))
    if (
        not pending
        or not code
        or not secrets.compare_digest(state.encode(), str(pending.get("state", "")).encode())
    ):
        messages.error(request, _("That Mastodon connection expired or was refused: start again."))
        return redirect("reach:lend_settings")
    try:
        account = actions.finish_mastodon_connection(
            supporter=request.user, instance=pending["instance"], code=code
        )
    except actions.LendingError as error:
        messages.error(request, _error_text(error.code))
    except ServiceError:
        messages.error(request, _("Mastodon refused the connection: start again."))
    else:
        messages.success(request, _("Connected to %(handle)s.") % {"handle": account.handle})
    return redirect("reach:lend_settings")


@require_POST
@verified_supporter_required
def bluesky_connect(request: HttpRequest) -> HttpResponse:
    form = BlueskyConnectForm(request.POST)
    if not queries.consent_of(request.user).is_active:
        messages.error(request, _error_text("not_lending"))
        return redirect("reach:lend_settings")
    if not form.is_valid():
        return _settings_page(request, bluesky_form=form)
    try:
        account = actions.connect_bluesky(
            supporter=request.user,
            handle=form.cleaned_data["handle"],
            app_password=form.cleaned_data["app_password"],
        )
    except actions.LendingError as error:
        messages.error(request, _error_text(error.code))
        return redirect("reach:lend_settings")
    except ServiceError as error:
        form.add_error(
            None,
            _("Bluesky refused this handle and app password.")
            if not error.retryable
            else _("Bluesky did not answer: try again in a moment."),
        )
        return _settings_page(request, bluesky_form=form)
    messages.success(request, _("Connected to %(handle)s.") % {"handle": account.handle})
    return redirect("reach:lend_settings")


@require_POST
@login_required
def disconnect(request: HttpRequest, service: str) -> HttpResponse:
    if service in Service.values and actions.disconnect(supporter=request.user, service=service):
        messages.success(request, _("Disconnected: the access Quartier had is deleted."))
    return redirect("reach:lend_settings")


@never_cache
@login_required
def upcoming(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reach/lend_upcoming.html",
        {"statuses": queries.upcoming(request.user), "consent": queries.consent_of(request.user)},
    )


@require_POST
@login_required
def veto(request: HttpRequest, status_id: int) -> HttpResponse:
    if actions.veto(lender=request.user, status_id=status_id):
        messages.success(request, _("Vetoed: this message will not be shared in your name."))
    else:
        messages.error(
            request, _("This message can no longer be vetoed: it has already gone out or was stopped.")
        )
    return redirect("reach:lend_upcoming")


@never_cache
@login_required
def history(request: HttpRequest) -> HttpResponse:
    return render(request, "reach/lend_history.html", {"rows": queries.history(request.user)})


@require_GET
def lent_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link a lent status carries: counts the visit, then leads on with the lender's code."""
    found = actions.count_visit(token)
    if found is None:
        return redirect("home")
    path, code = found
    return HttpResponseRedirect(
        f"{path}{'&' if '?' in path else '?'}{urlencode({'ref': code})}" if code else path
    )


@never_cache
def staff_messages(request: HttpRequest) -> HttpResponse:
    require_staff(request.user)
    form = MessageForm(request.POST or None, initial={"campaign": _default_campaign()})
    if request.method == "POST" and form.is_valid():
        try:
            _message, scheduled = actions.write_message(
                author=request.user, draft=actions.MessageDraft(**form.cleaned_data)
            )
        except actions.LendingError as error:
            form.add_error(None, _error_text(error.code))
        else:
            messages.success(
                request, _("Message written: scheduled for %(count)s lenders.") % {"count": scheduled}
            )
            return redirect("reach:lend_staff")
    return render(
        request,
        "reach/lend_staff.html",
        {"form": form, "rows": queries.messages_for_staff(), "lenders": queries.lenders_count()},
    )


def _default_campaign() -> str:
    return branding.current().name
