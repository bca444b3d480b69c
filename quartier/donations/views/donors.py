"""A donor's own gifts: the list, monthly gifts (cancel, change), refund requests, details completed after the fact."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.donations import access, compliance, queries
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.actions import refunds as refunds_actions
from quartier.donations.forms import (
    ChangeMonthlyForm,
    DetailsForm,
    RefundRequestForm,
)
from quartier.donations.gateways import GatewayError
from quartier.donations.models import RecurringGift
from quartier.donations.views.common import _money


@login_required
def my_gifts(request: HttpRequest) -> HttpResponse:
    gifts = list(queries.my_gifts(request.user))
    for gift in gifts:
        if gift.flag == "missing_details" and not gift.resolved_at:
            gift.details_token = access.details_token(gift)
    pending_refunds = set(
        request.user.refund_requests.filter(status="pending").values_list("donation_id", flat=True)
    )
    return render(
        request, "donations/my_gifts.html",
        {"gifts": gifts, "monthly": queries.my_monthly_gifts(request.user), "pending_refunds": pending_refunds,
         "pages": queries.my_pages(request.user)},
    )  # fmt: skip


@login_required
@require_POST
def cancel_monthly(request: HttpRequest, recurring_id: int) -> HttpResponse:
    recurring = access.get_own_recurring(request.user, recurring_id)
    if recurring.status != RecurringGift.Status.ACTIVE:
        messages.info(request, _("This monthly gift is already stopped."))
        return redirect("donations:my_gifts")
    try:
        recurring_actions.cancel_recurring(recurring=recurring)
    except GatewayError:
        messages.error(
            request, _("The payment service could not be reached; your monthly gift is unchanged. Try again.")
        )
        return redirect("donations:my_gifts")
    messages.success(request, _("Your monthly gift is stopped. Thank you for your support."))
    return redirect("donations:my_gifts")


@login_required
@require_POST
def change_monthly(request: HttpRequest, recurring_id: int) -> HttpResponse:
    recurring = access.get_own_recurring(request.user, recurring_id)
    form = ChangeMonthlyForm(request.POST, currency=recurring.currency)
    if recurring.status != RecurringGift.Status.ACTIVE or not form.is_valid():
        messages.error(request, form.errors.get("amount", [_("This monthly gift cannot be changed.")])[0])
        return redirect("donations:my_gifts")
    try:
        recurring_actions.update_recurring_amount(
            recurring=recurring, amount_minor=form.cleaned_data["amount"]
        )
    except GatewayError:
        messages.error(
            request, _("The payment service could not be reached; your monthly gift is unchanged. Try again.")
        )
        return redirect("donations:my_gifts")
    messages.success(
        request,
        _("From next month you give %(amount)s a month.")
        % {"amount": _money(form.cleaned_data["amount"], recurring.currency)},
    )
    return redirect("donations:my_gifts")


@login_required
@require_http_methods(["GET", "POST"])
def request_refund(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_own_donation(request.user, donation_id)
    form = RefundRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            refunds_actions.request_refund(
                donation=donation, supporter=request.user, reason=form.cleaned_data["reason"]
            )
        except refunds_actions.RefundNotAllowed:
            messages.error(request, _("This gift cannot be refunded."))
        else:
            messages.success(request, _("We received your request; the campaign will answer by email."))
        return redirect("donations:my_gifts")
    return render(
        request,
        "donations/refund_request.html",
        {"donation": donation, "form": form, "amount": _money(donation.amount_minor, donation.currency)},
    )


@require_http_methods(["GET", "POST"])
def complete_details(request: HttpRequest, token: str) -> HttpResponse:
    """Employer and occupation, from the follow-up email's signed link: a donor without an account
    can use it (signing in is not asked)."""
    donation = access.get_donation_from_details_token(token)
    form = DetailsForm(
        request.POST or None, initial={"employer": donation.employer, "occupation": donation.occupation}
    )
    if request.method == "POST" and form.is_valid():
        refunds_actions.complete_details(donation=donation, **form.cleaned_data)
        messages.success(request, _("Thank you: your details are saved."))
        return redirect("donations:complete_details", token=token)
    return render(
        request,
        "donations/complete_details.html",
        {
            "donation": donation,
            "form": form,
            "rules": compliance.jurisdiction(),
            "saved": bool(donation.occupation),
        },
        status=400 if form.errors else 200,
    )
