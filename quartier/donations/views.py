"""Pages: give (with the sandbox's hosted page), fundraising pages, teams, my gifts, staff tools, and
the Stripe webhook. Views validate, call `actions` and render; the rules live in `actions` and
`compliance`."""

from __future__ import annotations

import csv
import json
import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.donations import access, actions, compliance, queries, sandbox, stripe_events
from quartier.donations.forms import (
    ChangeMonthlyForm,
    DetailsForm,
    DonationForm,
    ExpressForm,
    NetworkEmailForm,
    PageForm,
    RefundRequestForm,
    StaffFilterForm,
    clean_refcode,
)
from quartier.donations.gateways import GatewayError, gateway_for, return_urls
from quartier.donations.models import Donation, Frequency, FundraisingPage, RecurringGift
from quartier.lib.images import ImageRejected
from quartier.lib.money import format_money
from quartier.lib.page_cache import cached_anonymous_page, row_version
from quartier.reach.queries import referrer_from, share_url

logger = logging.getLogger(__name__)
SESSION_STARTED = "donations.started"


def _language() -> str:
    return (get_language() or "en")[:2]


def _money(minor: int, currency: str | None = None) -> str:
    return format_money(minor, currency or compliance.campaign_currency(), _language())


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


def _remember_started(request: HttpRequest, donation: Donation) -> None:
    started = [pk for pk in request.session.get(SESSION_STARTED, []) if isinstance(pk, int)][-19:]
    request.session[SESSION_STARTED] = [*started, donation.pk]


def _limit_message(error: actions.LimitExceeded) -> str:
    if error.remaining_minor <= 0:
        return _("You have reached the legal limit for gifts from one person: thank you for your generosity.")
    return _("The law limits gifts from one person: you may still give up to %(amount)s.") % {
        "amount": _money(error.remaining_minor)
    }


def _begin_checkout(request: HttpRequest, donation: Donation) -> HttpResponse:
    _remember_started(request, donation)
    success_url, cancel_url = return_urls(donation)
    try:
        checkout = gateway_for(donation.gateway).start_checkout(
            donation, success_url=success_url, cancel_url=cancel_url
        )
    except GatewayError:
        logger.exception("the payment processor refused to start checkout for donation %s", donation.pk)
        actions.mark_failed(donation_id=donation.pk)
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
            draft = actions.DonationDraft(
                first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
                amount_minor=data["amount_minor"], currency=data["currency"], frequency=data["frequency"],
                address_line=data["address_line"], city=data["city"], region=data["region"],
                postal_code=data["postal_code"], country=data["country"], employer=data.get("employer", ""),
                occupation=data.get("occupation", ""), attestation=form.attestation_wording(),
                language=_language(), supporter=supporter, page=page, credited_to=credited,
                refcode=data["refcode"], show_name=data.get("show_name", False),
            )  # fmt: skip
            try:
                donation = actions.start_donation(draft=draft, gateway=settings.DONATIONS_GATEWAY)
            except actions.LimitExceeded as error:
                form.add_error("other_amount", _limit_message(error))
            except actions.DetailsRequired:
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
        version=lambda: (*row_version(page), currency, settings.DONATIONS_JURISDICTION, *settings.DONATIONS_PRESETS),
    )  # fmt: skip


@require_POST
@login_required
def donate_express(request: HttpRequest) -> HttpResponse:
    """One step for a returning donor: the processor charges the card it kept, with last time's details."""
    saved = queries.saved_method(request.user, settings.DONATIONS_GATEWAY)
    last = queries.last_gift_details(request.user)
    form = ExpressForm(request.POST)
    if saved is None or last is None:
        messages.error(request, _("Give once with the full form first; next time it takes one step."))
        return redirect("donations:donate")
    if not form.is_valid():
        messages.error(request, _("Please choose an amount and confirm the statements to give."))
        return redirect("donations:donate")
    draft = actions.DonationDraft(
        first_name=last.first_name, last_name=last.last_name, email=last.email,
        amount_minor=form.cleaned_data["amount"], currency=compliance.campaign_currency(),
        address_line=last.address_line, city=last.city, region=last.region, postal_code=last.postal_code,
        country=last.country, employer=last.employer, occupation=last.occupation, attestation=last.attestation,
        language=_language(), supporter=request.user, refcode=clean_refcode(request.POST.get("refcode")),
        credited_to=referrer_from(request),
    )  # fmt: skip
    try:
        donation = actions.start_donation(draft=draft, gateway=saved.gateway, express=True)
    except actions.LimitExceeded as error:
        messages.error(request, _limit_message(error))
        return redirect("donations:donate")
    except actions.DetailsRequired:
        messages.error(
            request, _("Above this amount the law asks for your employer and occupation: use the form.")
        )
        return redirect("donations:donate")
    _remember_started(request, donation)
    try:
        paid = gateway_for(saved.gateway).charge_saved(donation, saved)
    except GatewayError:
        actions.mark_failed(donation_id=donation.pk)
        paid = False
    if not paid:
        messages.error(request, _("Your saved card was not charged. Please give with the full form."))
        return redirect("donations:donate")
    return redirect("donations:thanks", donation_id=donation.pk)


def thanks(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_checkout_donation(request.session, donation_id)
    share = share_url(donation.page.get_absolute_url(), None) if donation.page_id else ""
    template = (
        "donations/_thanks_status.html" if request.headers.get("HX-Request") else "donations/thanks.html"
    )
    return render(
        request,
        template,
        {"donation": donation, "amount": _money(donation.amount_minor, donation.currency), "share": share},
    )


def cancelled(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_checkout_donation(request.session, donation_id)
    if request.method == "POST":
        actions.mark_failed(donation_id=donation.pk)
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
            actions.mark_failed(donation_id=donation.pk)
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
    """Stripe's events: signature checked with any current secret (300 s tolerance), each applied once."""
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
        outcome = stripe_events.apply_event(event)
    except (ValueError, stripe_events.MalformedEvent) as error:
        logger.warning("stripe webhook with a malformed body: %s", error)
        return JsonResponse({"error": "malformed_event", "reason": str(error)[:200]}, status=400)
    except (DatabaseError, stripe.StripeError) as error:
        logger.exception("stripe webhook not applied; Stripe will retry")
        return JsonResponse({"error": "temporarily_unavailable", "reason": type(error).__name__}, status=503)
    return JsonResponse({"status": outcome})


# --- fundraising pages ----------------------------------------------------------------------------


def _with_refcode(path: str, raw: object) -> str:
    """Carry a visitor's `?refcode=` from a page to its donation form, so the gift is credited to it."""
    refcode = clean_refcode(raw)
    return f"{path}?refcode={refcode}" if refcode else path


def fundraising_home(request: HttpRequest) -> HttpResponse:
    mine = queries.my_pages(request.user)[:10] if request.user.is_authenticated else []
    return render(
        request, "donations/fundraising_home.html", {"leaders": queries.leaderboard(), "mine": mine}
    )


def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = access.get_visible_page(request.user, slug)
    context = {
        "page": page,
        "raised": _money(page.total_minor, page.currency),
        "goal": _money(page.goal_minor, page.currency),
        "honour_roll": [
            dict(row, amount=_money(row["amount_minor"], row["currency"]))
            for row in queries.honour_roll(page)
        ],
        "owner_view": access.owns(request.user, page),
        "give_url": _with_refcode(
            reverse("donations:page_donate", args=[page.slug]), request.GET.get("refcode")
        ),
        "email_url": reverse("donations:page_email", args=[page.slug])
        if access.owns(request.user, page)
        else "",
        "share": share_url(page.get_absolute_url(), page.owner) + "&refcode=share",
    }
    # Anonymous visitors share one rendering per state of the page: its row (total, gifts, status),
    # its owner's name and the honour roll as it is now (a gift or a name withdrawn is a new key).
    return cached_anonymous_page(
        request, lambda: render(request, "donations/page_detail.html", context),
        version=lambda: (*row_version(page, page.owner, page.team), *(tuple(row.values()) for row in context["honour_roll"])),
    )  # fmt: skip


def _page_draft(form: PageForm, request: HttpRequest):
    data = form.cleaned_data
    team = data.get("team")
    if not team and (data.get("new_team") or "").strip():
        team = actions.create_team(captain=request.user, name=data["new_team"])
    return actions.PageDraft(
        title=data["title"], story=data["story"], goal_minor=data["goal"], event=data.get("event"), team=team
    )


def _save_photo(request: HttpRequest, form: PageForm, page: FundraisingPage) -> bool:
    upload = request.FILES.get("photo")
    if not upload:
        return True
    try:
        actions.set_page_photo(page=page, upload=upload)
    except ImageRejected:
        messages.error(request, _("This photo could not be used: send a JPEG, PNG or WebP image under 5 MB."))
        return False
    return True


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def page_create(request: HttpRequest) -> HttpResponse:
    currency = compliance.campaign_currency()
    initial = {}
    if request.GET.get("event", "").isdigit():
        initial["event"] = int(request.GET["event"])
    form = PageForm(request.POST or None, request.FILES or None, currency=currency, initial=initial)
    if request.method == "POST" and form.is_valid():
        page = actions.create_page(owner=request.user, draft=_page_draft(form, request))
        _save_photo(request, form, page)
        messages.success(request, _("Your page is live. Share it, or email your friends from it."))
        return redirect(page.get_absolute_url())
    return render(
        request, "donations/page_form.html", {"form": form, "page": None}, status=400 if form.errors else 200
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, slug: str) -> HttpResponse:
    page = access.get_page_for_owner(request.user, slug)
    initial = {
        "title": page.title,
        "story": page.story,
        "goal": _decimal(page.goal_minor).removesuffix(".00"),
        "team": page.team_id,
        "event": page.event_id,
    }
    form = PageForm(request.POST or None, request.FILES or None, currency=page.currency, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.update_page(page=page, draft=_page_draft(form, request))
        _save_photo(request, form, page)
        messages.success(request, _("Your page is saved."))
        return redirect(page.get_absolute_url())
    return render(
        request, "donations/page_form.html", {"form": form, "page": page}, status=400 if form.errors else 200
    )


def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = access.get_visible_team(request.user, slug)
    totals = queries.team_totals(team)
    currency = compliance.campaign_currency()
    return render(
        request, "donations/team_detail.html",
        {"team": team, "pages": queries.team_pages(team), "raised": _money(totals["total"], currency),
         "goal": _money(totals["goal"], currency), "gifts": totals["gifts"],
         "percent": min(100, totals["total"] * 100 // totals["goal"]) if totals["goal"] else 0},
    )  # fmt: skip


# --- my gifts -------------------------------------------------------------------------------------


@login_required
def my_gifts(request: HttpRequest) -> HttpResponse:
    gifts = list(queries.my_gifts(request.user))
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
        actions.cancel_recurring(recurring=recurring)
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
        actions.update_recurring_amount(recurring=recurring, amount_minor=form.cleaned_data["amount"])
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
            actions.request_refund(
                donation=donation, supporter=request.user, reason=form.cleaned_data["reason"]
            )
        except actions.RefundNotAllowed:
            messages.error(request, _("This gift cannot be refunded."))
        else:
            messages.success(request, _("We received your request; the campaign will answer by email."))
        return redirect("donations:my_gifts")
    return render(
        request,
        "donations/refund_request.html",
        {"donation": donation, "form": form, "amount": _money(donation.amount_minor, donation.currency)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def complete_details(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_own_donation(request.user, donation_id)
    form = DetailsForm(
        request.POST or None, initial={"employer": donation.employer, "occupation": donation.occupation}
    )
    if request.method == "POST" and form.is_valid():
        actions.complete_details(donation=donation, **form.cleaned_data)
        messages.success(request, _("Thank you: your details are saved."))
        return redirect("donations:my_gifts")
    return render(
        request,
        "donations/complete_details.html",
        {"donation": donation, "form": form, "rules": compliance.jurisdiction()},
        status=400 if form.errors else 200,
    )


# --- staff ----------------------------------------------------------------------------------------


def _csv(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def safe(value: object) -> object:
        text = "" if value is None else str(value)
        return (
            f"'{text}"
            if text[:1] in {"=", "+", "-", "@", "\t", "\r"}
            and not text.lstrip("-").replace(".", "").isdigit()
            else text
        )

    def stream():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe(value) for value in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _decimal(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"


def staff_donations(request: HttpRequest) -> HttpResponse:
    access.require_staff(request.user)
    form = StaffFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    donations = queries.staff_donations(
        status=filters.get("status", ""), search=filters.get("search", ""), page_slug=filters.get("page", ""),
        refcode=filters.get("refcode", ""), flagged=filters.get("flagged", False),
    )  # fmt: skip
    if request.GET.get("format") == "csv":
        header = ["id", "created_at", "succeeded_at", "status", "amount", "refunded", "currency", "frequency",
                  "first_name", "last_name", "email", "address", "city", "region", "postal_code", "country",
                  "employer", "occupation", "page", "refcode", "gateway", "payment_reference", "flag"]  # fmt: skip
        rows = (
            [d.pk, d.created_at.isoformat(), d.succeeded_at.isoformat() if d.succeeded_at else "", d.status,
             _decimal(d.amount_minor), _decimal(d.refunded_minor), d.currency, d.frequency, d.first_name,
             d.last_name, d.email, d.address_line, d.city, d.region, d.postal_code, d.country, d.employer,
             d.occupation, d.page.slug if d.page_id else "", d.refcode, d.gateway, d.payment_reference or "", d.flag]
            for d in donations.iterator(chunk_size=2000)
        )  # fmt: skip
        return _csv("donations.csv", header, rows)
    shown = list(donations[:200])
    return render(
        request, "donations/staff_donations.html",
        {"form": form, "donations": shown, "figures": queries.organiser_figures(days=30),
         "refund_requests": queries.pending_refund_requests()[:50]},
    )  # fmt: skip


def staff_figures(request: HttpRequest) -> HttpResponse:
    access.require_staff(request.user)
    figures = queries.organiser_figures(days=30)
    peak = max([day["amount_minor"] for day in figures["days"]] + [1])
    bars = [
        dict(
            day,
            height=day["amount_minor"] * 100 // peak,
            y=100 - day["amount_minor"] * 100 // peak,
            label=_money(day["amount_minor"], figures["currency"]),
        )
        for day in figures["days"]
    ]
    return render(request, "donations/staff_figures.html", {"figures": figures, "bars": bars,
        "money": {key: _money(figures[key], figures["currency"]) for key in ("amount_minor", "average_minor", "recurring_minor", "refund_minor", "monthly_revenue_minor")}})  # fmt: skip


def staff_compliance(request: HttpRequest) -> HttpResponse:
    access.require_staff(request.user)
    rules = compliance.jurisdiction()
    if request.GET.get("format") == "schedule_a":
        from quartier.donations.models import DonorAggregate

        donations = queries.itemised_rows(Donation.objects.all())
        totals = {}

        def rows():
            for d in donations.iterator(chunk_size=2000):
                key = (d.identity_key, d.period)
                if key not in totals:
                    totals[key] = (
                        DonorAggregate.objects.filter(identity_key=d.identity_key, period=d.period)
                        .values_list("total_minor", flat=True)
                        .first()
                        or 0
                    )
                yield [d.last_name, d.first_name, d.address_line, d.city, d.region, d.postal_code, d.employer,
                       d.occupation, d.succeeded_at.date().isoformat(), _decimal(d.net_minor), _decimal(totals[key]),
                       d.period, "15"]  # fmt: skip

        header = ["CONTRIBUTOR LAST NAME", "CONTRIBUTOR FIRST NAME", "CONTRIBUTOR STREET 1", "CONTRIBUTOR CITY",
                  "CONTRIBUTOR STATE", "CONTRIBUTOR ZIP", "CONTRIBUTOR EMPLOYER", "CONTRIBUTOR OCCUPATION",
                  "CONTRIBUTION DATE", "CONTRIBUTION AMOUNT", "CONTRIBUTION AGGREGATE", "ELECTION", "LINE NUMBER"]  # fmt: skip
        return _csv("schedule-a.csv", header, rows())
    if request.GET.get("format") == "report":
        donations = Donation.objects.filter(status=Donation.Status.SUCCEEDED).order_by("succeeded_at", "pk")
        rows = (
            [
                d.last_name,
                d.first_name,
                d.postal_code,
                d.city,
                d.succeeded_at.date().isoformat(),
                _decimal(d.net_minor),
                d.currency,
                d.period,
            ]
            for d in donations.iterator(chunk_size=2000)
        )
        return _csv(
            "contributions-report.csv",
            [
                "last_name",
                "first_name",
                "postal_code",
                "municipality",
                "date",
                "amount",
                "currency",
                "period",
            ],
            rows,
        )
    return render(
        request,
        "donations/staff_compliance.html",
        {
            "queue": queries.compliance_queue()[:200],
            "rules": rules,
            "now": timezone.now(),
            "soon": timezone.now() + timedelta(days=7),
        },
    )


@require_POST
def staff_refund(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_donation_for_staff(request.user, donation_id)
    try:
        actions.refund(donation=donation, by=request.user)
    except actions.RefundNotAllowed:
        messages.error(request, _("This gift cannot be refunded."))
    except GatewayError:
        messages.error(
            request, _("The payment service could not be reached; nothing was refunded. Try again.")
        )
    else:
        messages.success(request, _("Refunded."))
    return redirect(
        request.POST.get("next")
        if request.POST.get("next", "").startswith("/staff/")
        else reverse("donations:staff_donations")
    )


@require_POST
def staff_decline_refund(request: HttpRequest, request_id: int) -> HttpResponse:
    access.require_staff(request.user)
    refund_request = queries.pending_refund_requests().filter(pk=request_id).first()
    if refund_request is None:
        raise Http404
    actions.decline_refund(refund_request=refund_request, by=request.user)
    messages.success(request, _("The request is declined."))
    return redirect("donations:staff_donations")


@require_POST
def staff_resolve(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_donation_for_staff(request.user, donation_id)
    actions.resolve_flag(donation=donation)
    messages.success(request, _("Marked as resolved."))
    return redirect("donations:staff_compliance")


def staff_pages(request: HttpRequest) -> HttpResponse:
    access.require_staff(request.user)
    pages = FundraisingPage.objects.select_related("owner").order_by("-created_at")[:200]
    return render(request, "donations/staff_pages.html", {"pages": pages})


@require_POST
def staff_moderate_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = access.get_page_for_staff(request.user, slug)
    status = request.POST.get("status")
    if status not in FundraisingPage.Status.values:
        return JsonResponse(
            {"error": "invalid_status", "reason": "status must be active or hidden"}, status=400
        )
    actions.set_page_status(page=page, status=status)
    messages.success(request, _("The page is updated."))
    return redirect("donations:staff_pages")


# --- email your own network -----------------------------------------------------------------------


def _page_source(page: FundraisingPage) -> str:
    return f"fundraising-page:{page.pk}"


def page_link_for_email(page: FundraisingPage) -> str:
    """The page's share link carrying the owner's referral code and the `email` refcode (no pixel)."""
    return share_url(page.get_absolute_url(), page.owner) + "&refcode=email"


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def page_email(request: HttpRequest, slug: str) -> HttpResponse:
    from quartier.outreach.actions import personal_email as outreach_personal_email

    page = access.get_page_for_owner(request.user, slug)
    if page.status != FundraisingPage.Status.ACTIVE:
        raise Http404
    initial = {
        "subject": _("Will you help me reach my goal? %(title)s") % {"title": page.title},
        "body": _("Hello,\n\nI am raising money for %(site)s: %(goal)s by the end of the campaign. "
                  "A gift of any size makes a difference. Thank you!\n\n%(name)s") % {
            "site": settings.SITE_NAME, "goal": _money(page.goal_minor, page.currency), "name": request.user.display_name},
    }  # fmt: skip
    form = NetworkEmailForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        result = outreach_personal_email.send_personal_email(
            sender=request.user, addresses=form.cleaned_data["found"], subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"], link_url=page_link_for_email(page), source=_page_source(page),
            language=_language(),
        )  # fmt: skip
        counts = {
            name: len(getattr(result, name))
            for name in ("accepted", "suppressed", "invalid", "over_limit", "duplicates")
        }
        request.session[f"donations.email.{result.message.pk}"] = counts
        return redirect("donations:page_email_progress", slug=page.slug, message_id=result.message.pk)
    left = outreach_personal_email.personal_sends_left_today(request.user)
    return render(
        request,
        "donations/page_email.html",
        {"page": page, "form": form, "left": left, "link": page_link_for_email(page)},
        status=400 if form.errors else 200,
    )


@verified_supporter_required
def page_email_progress(request: HttpRequest, slug: str, message_id: int) -> HttpResponse:
    from quartier.outreach import queries as outreach_queries

    page = access.get_page_for_owner(request.user, slug)
    message = access.get_own_page_message(request.user, message_id, source=_page_source(page))
    progress = outreach_queries.message_progress(message)
    context = {"page": page, "message": message, "progress": progress, "counts": request.session.get(f"donations.email.{message.pk}", {}),
               "done": progress["queued"] == 0}  # fmt: skip
    template = (
        "donations/_email_progress.html"
        if request.headers.get("HX-Request")
        else "donations/page_email_progress.html"
    )
    return render(request, template, context)
