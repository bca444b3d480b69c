"""Giving: the donate page, the one-step repeat gift, thanks and cancelled pages, the sandbox's hosted page, Stripe's webhook."""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from quartier.donations import access, compliance, inbox, queries, sandbox, stripe_events
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import limits as limits_actions
from quartier.donations.forms import (
    DonationForm,
    ExpressForm,
    clean_refcode,
)
from quartier.donations.gateways import GatewayError, gateway_for, return_urls
from quartier.donations.models import Donation, Frequency, FundraisingPage
from quartier.donations.views.common import _language, _limit_message, _money, _remember_started
from quartier.lib.page_cache import cached_anonymous_page, stamp
from quartier.reach.queries import referrer_from, share_url

logger = logging.getLogger(__name__)


def _initial(request: HttpRequest) -> dict[str, object]:
    """Prefill: the signed-in supporter's details and their last gift's; amount and recurrence from the link."""
    initial: dict[str, object] = {"currency": compliance.campaign_currency(), "frequency": Frequency.ONCE}
    user = request.user
    if user.is_authenticated:
        first, _space, last = (user.display_name or "").partition(" ")
        initial.update(first_name=first, last_name=last, email=user.email, postal_code=user.postal_code,
                       city=user.town, country=user.country)  # fmt: skip
        last_gift = queries.last_gift_details(user)
        if last_gift is not None:
            for name in ("first_name", "last_name", "address_line", "city", "region", "postal_code", "country",
                         "employer", "occupation"):  # fmt: skip
                initial[name] = getattr(last_gift, name)
    amount = (request.GET.get("amount") or "").strip()
    if amount.isdigit() and int(amount) in settings.DONATIONS_PRESETS:
        initial["amount"] = amount
    elif amount:
        initial["amount"], initial["other_amount"] = "other", amount[:20]
    if request.GET.get("recurring") in {"1", "true", "monthly"}:
        initial["frequency"] = Frequency.MONTHLY
    initial["refcode"] = clean_refcode(request.GET.get("refcode"))
    return initial


def _session_key(request: HttpRequest) -> str:
    """The browser session a checkout's hold on the limit counts for (made now if there is none)."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def _begin_checkout(request: HttpRequest, donation: Donation) -> HttpResponse:
    _remember_started(request, donation)
    success_url, cancel_url = return_urls(donation)
    try:
        checkout = gateway_for(donation.gateway).start_checkout(
            donation, success_url=success_url, cancel_url=cancel_url
        )
    except GatewayError:
        logger.exception("the payment processor refused to start checkout for donation %s", donation.pk)
        gifts_actions.mark_failed(donation_id=donation.pk)
        messages.error(
            request, _("The payment service could not be reached. Nothing was charged; please try again.")
        )
        return redirect(request.path)
    return redirect(checkout.url)


@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    page = access.get_visible_page(request.user, slug) if slug else None
    if page is not None and page.status != FundraisingPage.Status.ACTIVE:
        raise Http404
    currency = compliance.campaign_currency()
    supporter = request.user if request.user.is_authenticated else None
    saved = queries.saved_method(supporter, settings.DONATIONS_GATEWAY)
    form = DonationForm(
        request.POST if request.method == "POST" else None, initial=_initial(request), currency=currency,
        show_honour_roll=page is not None,
    )  # fmt: skip
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            credited = page.owner if page is not None else referrer_from(request)
            draft = checkout_actions.DonationDraft(
                first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
                amount_minor=data["amount_minor"], currency=data["currency"], frequency=data["frequency"],
                address_line=data["address_line"], city=data["city"], region=data["region"],
                postal_code=data["postal_code"], country=data["country"], employer=data.get("employer", ""),
                occupation=data.get("occupation", ""), attestation=form.attestation_wording(),
                language=_language(), supporter=supporter, page=page, credited_to=credited,
                refcode=data["refcode"], show_name=data.get("show_name", False),
            )  # fmt: skip
            try:
                donation = checkout_actions.start_donation(
                    draft=draft, gateway=settings.DONATIONS_GATEWAY, session_key=_session_key(request)
                )
            except limits_actions.LimitExceeded as error:
                form.add_error("other_amount", _limit_message(error))
            except checkout_actions.DetailsRequired:
                message = _(
                    "Above %(amount)s in this election, the law asks for your employer and occupation."
                ) % {"amount": _money(form.rules.details_threshold_minor or 0)}
                form.add_error("employer", message)
                form.add_error("occupation", _("Please tell us your occupation."))
            else:
                return _begin_checkout(request, donation)
        status = 400
    context = {
        "form": form, "page": page, "rules": form.rules, "currency": currency, "saved": saved,
        "express_form": ExpressForm() if saved else None, "presets": settings.DONATIONS_PRESETS,
    }  # fmt: skip
    if request.method == "POST":
        return render(request, "donations/donate.html", context, status=status)
    # A visitor's empty form is the same for every visitor: served from the page cache (what it shows
    # is the page's row and the campaign's rules, in the key).
    return cached_anonymous_page(
        request, lambda: render(request, "donations/donate.html", context),
        depends_on=lambda: [stamp("fundraising", page.pk if page is not None else None)],
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
def donate_express(request: HttpRequest) -> HttpResponse:
    """One step for a returning donor: the processor charges the card it kept, with last time's details.

    The form posts here; a GET (a reload, a bookmarked or shared address) goes to the donate page."""
    if request.method != "POST":
        return redirect("donations:donate")
    return _donate_express(request)


@login_required
def _donate_express(request: HttpRequest) -> HttpResponse:
    saved = queries.saved_method(request.user, settings.DONATIONS_GATEWAY)
    last = queries.last_gift_details(request.user)
    form = ExpressForm(request.POST)
    if saved is None or last is None:
        messages.error(request, _("Give once with the full form first; next time it takes one step."))
        return redirect("donations:donate")
    if not form.is_valid():
        messages.error(request, _("Please choose an amount and confirm the statements to give."))
        return redirect("donations:donate")
    draft = checkout_actions.DonationDraft(
        first_name=last.first_name, last_name=last.last_name, email=last.email,
        amount_minor=form.cleaned_data["amount"], currency=compliance.campaign_currency(),
        address_line=last.address_line, city=last.city, region=last.region, postal_code=last.postal_code,
        country=last.country, employer=last.employer, occupation=last.occupation, attestation=last.attestation,
        language=_language(), supporter=request.user, refcode=clean_refcode(request.POST.get("refcode")),
        credited_to=referrer_from(request),
    )  # fmt: skip
    try:
        donation = checkout_actions.start_donation(
            draft=draft, gateway=saved.gateway, express=True, session_key=_session_key(request)
        )
    except limits_actions.LimitExceeded as error:
        messages.error(request, _limit_message(error))
        return redirect("donations:donate")
    except checkout_actions.DetailsRequired:
        messages.error(
            request, _("Above this amount the law asks for your employer and occupation: use the form.")
        )
        return redirect("donations:donate")
    _remember_started(request, donation)
    try:
        paid = gateway_for(saved.gateway).charge_saved(donation, saved)
    except GatewayError:
        gifts_actions.mark_failed(donation_id=donation.pk)
        paid = False
    if not paid:
        messages.error(request, _("Your saved card was not charged. Please give with the full form."))
        return redirect("donations:donate")
    return redirect("donations:thanks", donation_id=donation.pk)


def _amount_field(amount_minor: int) -> str:
    """An amount as the donate form's `?amount=` reads it: `25`, or `42.50` with cents."""
    whole, cents = divmod(amount_minor, 100)
    return f"{whole}.{cents:02d}" if cents else str(whole)


def thanks(request: HttpRequest, donation_id: int) -> HttpResponse:
    """After a gift: its status, then what the donor can do next — share (their own link when signed in,
    so people they bring are credited to them; the plain page otherwise) and, after a one-time gift,
    make it monthly (the donate form with the amount and monthly preset)."""
    donation = access.get_checkout_donation(request.session, donation_id)
    if donation.status == Donation.Status.PENDING and inbox.apply_for_donation(donation.pk):
        donation.refresh_from_db()  # the donor's own events, applied now rather than at the next batch
    give_path = (
        reverse("donations:page_donate", args=[donation.page.slug])
        if donation.page_id
        else reverse("donations:donate")
    )
    shared_path = donation.page.get_absolute_url() if donation.page_id else reverse("donations:donate")
    share = share_url(shared_path, request.user if request.user.is_authenticated else None)
    monthly_url = (
        ""
        if donation.recurring_id
        else f"{give_path}?recurring=1&amount={_amount_field(donation.amount_minor)}"
    )
    template = (
        "donations/_thanks_status.html" if request.headers.get("HX-Request") else "donations/thanks.html"
    )
    return render(
        request, template,
        {"donation": donation, "amount": _money(donation.amount_minor, donation.currency), "share": share,
         "monthly_url": monthly_url},
    )  # fmt: skip


def cancelled(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_checkout_donation(request.session, donation_id)
    if request.method == "POST":
        gifts_actions.mark_failed(donation_id=donation.pk)
    donation.refresh_from_db()
    again = donation.page.get_absolute_url() if donation.page_id else reverse("donations:donate")
    return render(request, "donations/cancelled.html", {"donation": donation, "again": again})


@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, reference: str) -> HttpResponse:
    """The sandbox processor's hosted page (it stands for Stripe's: Quartier's own forms never see a card)."""
    donation = access.get_sandbox_checkout(reference)
    error = ""
    if donation.status == Donation.Status.SUCCEEDED:
        return redirect("donations:thanks", donation_id=donation.pk)
    if donation.status == Donation.Status.FAILED:
        return render(request, "donations/sandbox_closed.html", {"donation": donation}, status=410)
    if request.method == "POST":
        if request.POST.get("cancel"):
            gifts_actions.mark_failed(donation_id=donation.pk)
            return redirect("donations:cancelled", donation_id=donation.pk)
        outcome = sandbox.outcome_of(request.POST.get("card", "")[:40])
        if outcome == "success" or (outcome == "authenticate" and request.POST.get("authenticated") == "yes"):
            sandbox.complete(donation=donation, card=request.POST.get("card", ""))
            return redirect("donations:thanks", donation_id=donation.pk)
        if outcome == "authenticate" and request.POST.get("authenticated") == "no":
            error = _("Authentication failed. Nothing was charged: try again or use another card.")
        elif outcome == "authenticate":
            return render(
                request,
                "donations/sandbox_authenticate.html",
                {
                    "donation": donation,
                    "card": request.POST.get("card", "")[:40],
                    "amount": _money(donation.amount_minor, donation.currency),
                },
            )
        elif outcome == "decline":
            error = _("Your card was declined. Nothing was charged: try another card.")
        else:
            error = _("Use one of the sandbox's test card numbers.")
    return render(
        request, "donations/sandbox_checkout.html",
        {"donation": donation, "error": error, "amount": _money(donation.amount_minor, donation.currency),
         "cards": sandbox.TEST_CARDS},
        status=400 if error else 200,
    )  # fmt: skip


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's events: signature checked with any current secret (300 s tolerance), stored with one
    insert and answered at once; the inbox's batches apply each once (`inbox`)."""
    payload = request.body
    try:
        stripe_events.verify(
            payload, request.headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRETS
        )
    except stripe.SignatureVerificationError as error:
        logger.warning("stripe webhook refused: %s", error)
        return JsonResponse({"error": "invalid_signature", "reason": str(error)[:200]}, status=400)
    try:
        event = json.loads(payload)
        outcome = inbox.receive(event)
    except (ValueError, RecursionError, stripe_events.MalformedEvent) as error:
        logger.warning("stripe webhook with a malformed body: %s", error)
        return JsonResponse({"error": "malformed_event", "reason": str(error)[:200]}, status=400)
    except DatabaseError as error:
        logger.exception("stripe webhook not stored; Stripe will retry")
        return JsonResponse({"error": "temporarily_unavailable", "reason": type(error).__name__}, status=503)
    return JsonResponse({"status": outcome})
