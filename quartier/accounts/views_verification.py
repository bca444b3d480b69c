"""Pages of the verification badges: what they mean, getting them (phone), showing them, vouching."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from quartier.accounts import sms, verification
from quartier.accounts.access import get_vouchee_for_leader, verified_supporter_required
from quartier.accounts.badges import BADGES
from quartier.accounts.verification_forms import (
    BadgeVisibilityForm,
    PhoneCodeForm,
    PhoneNumberForm,
    VouchForm,
)
from quartier.accounts.verification_models import PhoneChallenge, Verification, Vouch
from quartier.lib.page_cache import cached_anonymous_page

PHONE_MESSAGES = {
    verification.PhoneOutcome.SENT: gettext_lazy("We texted you a code. Type it below."),
    verification.PhoneOutcome.INVALID_NUMBER: gettext_lazy("This is not a valid mobile phone number."),
    verification.PhoneOutcome.NUMBER_TAKEN: gettext_lazy("This number already verifies another account."),
    verification.PhoneOutcome.TOO_MANY_FOR_ACCOUNT: gettext_lazy(
        "You asked for several codes already. Try again in an hour."
    ),
    verification.PhoneOutcome.TOO_MANY_FOR_NUMBER: gettext_lazy(
        "This number received several codes today. Try again tomorrow."
    ),
    verification.PhoneOutcome.CONFIRMED: gettext_lazy("Your phone number is verified."),
    verification.PhoneOutcome.WRONG_CODE: gettext_lazy(
        "This is not the code we sent. Check it and try again."
    ),
    verification.PhoneOutcome.NO_CODE: gettext_lazy("This code has expired. Ask for a new one."),
    verification.PhoneOutcome.TOO_MANY_ATTEMPTS: gettext_lazy("Too many wrong codes. Ask for a new one."),
}  # fmt: skip  (lazy: read in the language of each request, not of the import)


@require_GET
def badges_explained(request: HttpRequest) -> HttpResponse:
    """Public: what each badge proves and what it does not."""
    return cached_anonymous_page(
        request, lambda: render(request, "accounts/badges.html", {"badges": BADGES}), depends_on=lambda: []
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def settings_verification(request: HttpRequest) -> HttpResponse:
    supporter = request.user
    phone_form, code_form = PhoneNumberForm(), PhoneCodeForm()
    earned = verification.earned_badges(supporter)
    visibility_form = BadgeVisibilityForm(
        initial={"shown": [info.slug for info in BADGES if not supporter.hidden_badges & info.badge]}
    )
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step == "send":
            phone_form = PhoneNumberForm(request.POST)
            if phone_form.is_valid():
                result = verification.send_phone_code(
                    supporter=supporter, raw_number=phone_form.cleaned_data["phone"]
                )
                if result.outcome is verification.PhoneOutcome.SENT:
                    messages.success(request, PHONE_MESSAGES[result.outcome])
                    return redirect("accounts:settings_verification")
                phone_form.add_error("phone", PHONE_MESSAGES[result.outcome])
            status = 400
        elif step == "confirm":
            code_form = PhoneCodeForm(request.POST)
            if code_form.is_valid():
                result = verification.confirm_phone_code(
                    supporter=supporter, code=code_form.cleaned_data["code"]
                )
                if result.outcome is verification.PhoneOutcome.CONFIRMED:
                    messages.success(request, PHONE_MESSAGES[result.outcome])
                    return redirect("accounts:settings_verification")
                code_form.add_error("code", PHONE_MESSAGES[result.outcome])
            status = 400
        elif step == "remove_phone":
            verification.remove_phone(supporter=supporter)
            messages.success(request, _("Your phone number is removed."))
            return redirect("accounts:settings_verification")
        elif step == "visibility":
            visibility_form = BadgeVisibilityForm(request.POST)
            if visibility_form.is_valid():
                verification.set_hidden_badges(supporter=supporter, hidden=visibility_form.hidden_badges())
                messages.success(request, _("Your choice of badges is saved."))
                return redirect("accounts:settings_verification")
            status = 400
        else:
            messages.error(request, _("This form is out of date. Please try again."))
            return redirect("accounts:settings_verification")
    phone = Verification.objects.filter(supporter=supporter, kind=Verification.Kind.PHONE).first()
    pending = (
        PhoneChallenge.objects.filter(supporter=supporter, confirmed_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    context = {
        "badges": [
            (info, bool(earned & info.badge), not supporter.hidden_badges & info.badge) for info in BADGES
        ],
        "phone_number": sms.masked(phone.evidence) if phone else "",
        "code_pending": pending is not None and pending.expires_at > timezone.now(),
        "pending_number": sms.masked(pending.phone_number) if pending else "",
        "phone_form": phone_form,
        "code_form": code_form,
        "visibility_form": visibility_form,
    }
    return render(request, "accounts/settings_verification.html", context, status=status)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def vouch(request: HttpRequest, handle: str) -> HttpResponse:
    """A leader vouches for a supporter, or takes their word back."""
    vouchee = get_vouchee_for_leader(request.user, handle)
    standing = Vouch.objects.filter(voucher=request.user, vouchee=vouchee, revoked_at__isnull=True).first()
    form = VouchForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("step") == "revoke":
            if verification.revoke_vouch(voucher=request.user, vouchee=vouchee):
                messages.success(
                    request, _("You no longer vouch for %(name)s.") % {"name": vouchee.display_name}
                )
            return redirect("accounts:profile", handle=vouchee.handle)
        form = VouchForm(request.POST)
        if form.is_valid():
            try:
                verification.vouch(voucher=request.user, vouchee=vouchee, note=form.cleaned_data["note"])
            except verification.VouchRefused as refused:
                form.add_error(None, refused.reason)
            else:
                messages.success(request, _("You vouch for %(name)s.") % {"name": vouchee.display_name})
                return redirect("accounts:profile", handle=vouchee.handle)
        status = 400
    return render(
        request,
        "accounts/vouch.html",
        {"vouchee": vouchee, "standing": standing, "form": form},
        status=status,
    )


@require_GET
def vouch_button(request: HttpRequest, handle: str) -> HttpResponse:
    """The profile's vouch button, loaded apart (htmx) so that the cached profile stays one read."""
    if not (
        request.user.is_authenticated and request.user.is_verified and verification.is_leader(request.user)
    ):
        return HttpResponse("")
    try:
        vouchee = get_vouchee_for_leader(request.user, handle)
    except Http404:  # nobody to vouch for here (unconfirmed, oneself): no button, and no error for htmx
        return HttpResponse("")
    standing = Vouch.objects.filter(voucher=request.user, vouchee=vouchee, revoked_at__isnull=True).exists()
    return render(request, "accounts/_vouch_button.html", {"vouchee": vouchee, "standing": standing})
