"""Staff pages: gifts, figures, the compliance queue and its CSV exports, refunds, page moderation."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartier.donations import access, compliance, queries
from quartier.donations.actions import pages as pages_actions
from quartier.donations.actions import refunds as refunds_actions
from quartier.donations.forms import (
    StaffFilterForm,
)
from quartier.donations.gateways import GatewayError
from quartier.donations.models import Donation, FundraisingPage
from quartier.donations.views.common import _decimal, _money


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
        refunds_actions.refund(donation=donation, by=request.user)
    except refunds_actions.RefundNotAllowed:
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
    refunds_actions.decline_refund(refund_request=refund_request, by=request.user)
    messages.success(request, _("The request is declined."))
    return redirect("donations:staff_donations")


@require_POST
def staff_resolve(request: HttpRequest, donation_id: int) -> HttpResponse:
    donation = access.get_donation_for_staff(request.user, donation_id)
    refunds_actions.resolve_flag(donation=donation)
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
    pages_actions.set_page_status(page=page, status=status)
    messages.success(request, _("The page is updated."))
    return redirect("donations:staff_pages")
