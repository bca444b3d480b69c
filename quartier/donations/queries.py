"""Reads: pages and their honour rolls, a supporter's gifts, the organisers' figures, staff lists.

Every total shown comes from a row kept up to date by `actions` (a page's `total_minor`, a donor's
`DonorAggregate`, the `DailyTotal` rows): no page view sums the donations table.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, Q, QuerySet, Sum
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.donations import compliance
from quartier.donations.models import (
    DailyTotal,
    Donation,
    FundraisingPage,
    RecurringGift,
    RefundRequest,
    SavedPaymentMethod,
    Team,
)
from quartier.reach.queries import referral_code_of

HONOUR_ROLL_SIZE = 25


def listed_pages() -> QuerySet[FundraisingPage]:
    """The pages any list may show: active (not hidden by the campaign), with an owner still here.

    Every list of pages starts from this (the leaderboard, the organisers' top pages, a team's pages
    and its total); a page's own address has the same rule (`access.get_visible_page`).
    """
    return FundraisingPage.objects.filter(status=FundraisingPage.Status.ACTIVE, owner__is_active=True)


# What a fundraising page's own address shows of it, its owner, team and event (`pages_to_show`).
PAGE_COLUMNS = (
    "slug", "title", "story_html", "photo", "photo_width", "photo_height", "photo_alt", "goal_minor",
    "currency", "status", "total_minor", "gift_count", "owner", "team", "event", "owner__handle",
    "owner__display_name", "owner__is_active", "owner__affiliation", "owner__is_staff", "team__name",
    "team__slug", "event__title",
)  # fmt: skip


def pages_to_show() -> QuerySet[FundraisingPage]:
    """Pages with only the columns their own address shows, and the owner's referral code (for the share
    link) read in the same query: `owner_referral_code`."""
    return (
        FundraisingPage.objects.select_related("owner", "team", "event")
        .only(*PAGE_COLUMNS)
        .annotate(owner_referral_code=referral_code_of("owner_id"))
    )


def honour_roll(page: FundraisingPage, *, limit: int = HONOUR_ROLL_SIZE) -> list[dict[str, Any]]:
    """The latest gifts through a page: the donor's name only when they chose to show it."""
    rows = (
        Donation.objects.filter(page=page, status=Donation.Status.SUCCEEDED)
        .order_by("-succeeded_at")
        .values(
            "first_name",
            "last_name",
            "show_name",
            "amount_minor",
            "refunded_minor",
            "currency",
            "succeeded_at",
        )[:limit]
    )
    return [
        {
            "name": f"{row['first_name']} {row['last_name'][:1]}.".strip() if row["show_name"] else "",
            "amount_minor": row["amount_minor"] - row["refunded_minor"],
            "currency": row["currency"],
            "at": row["succeeded_at"],
        }
        for row in rows
    ]


def leaderboard(*, limit: int = 20) -> QuerySet[FundraisingPage]:
    """The pages that raised the most, by amount (each page's absolute total, never a rank against others)."""
    return (
        listed_pages()
        .filter(total_minor__gt=0)
        .select_related("owner")
        .order_by("-total_minor", "pk")[:limit]
    )


def team_pages(team: Team) -> QuerySet[FundraisingPage]:
    return listed_pages().filter(team=team).select_related("owner").order_by("-total_minor")


def team_totals(team: Team) -> dict[str, int]:
    totals = (
        listed_pages()
        .filter(team=team)
        .aggregate(total=Sum("total_minor"), gifts=Sum("gift_count"), goal=Sum("goal_minor"))
    )
    return {key: value or 0 for key, value in totals.items()}


def my_gifts(supporter: Supporter, *, limit: int = 100) -> QuerySet[Donation]:
    return (
        Donation.objects.filter(supporter=supporter)
        .exclude(status=Donation.Status.PENDING)
        .select_related("page")
        .order_by("-created_at")[:limit]
    )


def my_monthly_gifts(supporter: Supporter) -> QuerySet[RecurringGift]:
    return (
        RecurringGift.objects.filter(supporter=supporter)
        .exclude(status=RecurringGift.Status.PENDING)
        .order_by("-created_at")
    )


def my_pages(supporter: Supporter) -> QuerySet[FundraisingPage]:
    return FundraisingPage.objects.filter(owner=supporter).order_by("-created_at")


def saved_method(supporter: Supporter | None, gateway: str) -> SavedPaymentMethod | None:
    if supporter is None or not supporter.is_authenticated:
        return None
    return SavedPaymentMethod.objects.filter(supporter=supporter, gateway=gateway).first()


def last_gift_details(supporter: Supporter | None) -> Donation | None:
    """The donor's details from their last paid gift, to prefill the form."""
    if supporter is None or not supporter.is_authenticated:
        return None
    return (
        Donation.objects.filter(supporter=supporter, status=Donation.Status.SUCCEEDED)
        .order_by("-created_at")
        .first()
    )


def dashboard_counters(supporter: Supporter) -> dict:
    """Whether each list of the panel has anything, as expressions the dashboard reads with the other
    panels' in one query: a supporter who never gave costs no query here."""
    return {
        "donations_pages": Exists(my_pages(supporter)),
        "donations_gifts": Exists(
            Donation.objects.filter(supporter_id=supporter.pk).exclude(status=Donation.Status.PENDING)
        ),
        "donations_monthly": Exists(my_monthly_gifts(supporter).filter(status=RecurringGift.Status.ACTIVE)),
    }


def dashboard_summary(supporter: Supporter, counters: dict | None = None) -> dict[str, Any]:
    """For the personal dashboard: my fundraising pages with progress, my last gifts, my monthly gifts
    (only the lists `counters` says are not empty)."""
    if counters is None:
        from quartier.accounts.queries import read_together

        counters = read_together(supporter, dashboard_counters(supporter))
    shown = ("slug", "title", "total_minor", "goal_minor", "currency")
    pages = list(my_pages(supporter).only(*shown)[:5]) if counters["donations_pages"] else []
    gifts = []
    if counters["donations_gifts"]:
        gifts = list(
            Donation.objects.filter(supporter=supporter)
            .exclude(status=Donation.Status.PENDING)
            .only("created_at", "amount_minor", "currency", "status")
            .order_by("-created_at")[:5]
        )
    monthly = []
    if counters["donations_monthly"]:
        monthly = list(
            my_monthly_gifts(supporter)
            .filter(status=RecurringGift.Status.ACTIVE)
            .only("amount_minor", "currency")[:5]
        )
    if not (pages or gifts or monthly):
        return {}
    return {"pages": pages, "gifts": gifts, "monthly": monthly}


def organiser_figures(
    *, days: int = 30, currency: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """The figures the dashboards show, from the daily summary rows (a few hundred rows at most)."""
    currency = currency or compliance.campaign_currency()
    today = today or timezone.localdate()
    since = today - timedelta(days=days - 1)
    rows = (
        DailyTotal.objects.filter(currency=currency, day__gte=since, day__lte=today)
        .values("day")
        .annotate(
            gifts=Sum("gift_count"), amount=Sum("amount_minor"), under_50=Sum("under_50_count"),
            under_200=Sum("under_200_count"), recurring=Sum("recurring_minor"), refunds=Sum("refund_minor"),
            refund_count=Sum("refund_count"),
        )
        .order_by("day")
    )  # fmt: skip
    by_day = {row["day"]: row for row in rows}
    series = []
    for offset in range(days):
        day = since + timedelta(days=offset)
        row = by_day.get(day, {})
        series.append({"day": day, "gifts": row.get("gifts") or 0, "amount_minor": row.get("amount") or 0})
    gifts = sum(row.get("gifts") or 0 for row in by_day.values())
    amount = sum(row.get("amount") or 0 for row in by_day.values())
    under_50 = sum(row.get("under_50") or 0 for row in by_day.values())
    under_200 = sum(row.get("under_200") or 0 for row in by_day.values())
    monthly = DailyTotal.objects.filter(currency=currency).aggregate(
        amount=Sum("monthly_change_minor"), count=Sum("monthly_change_count")
    )
    return {
        "currency": currency,
        "days": series,
        "gift_count": gifts,
        "amount_minor": amount,
        "average_minor": amount // gifts if gifts else 0,
        "under_50_count": under_50,
        "under_50_share": under_50 / gifts if gifts else 0.0,
        "under_200_count": under_200,
        "under_200_share": under_200 / gifts if gifts else 0.0,
        "recurring_minor": sum(row.get("recurring") or 0 for row in by_day.values()),
        "refund_minor": sum(row.get("refunds") or 0 for row in by_day.values()),
        "refund_count": sum(row.get("refund_count") or 0 for row in by_day.values()),
        "monthly_revenue_minor": monthly["amount"] or 0,
        "monthly_donor_count": monthly["count"] or 0,
        "top_pages": list(leaderboard(limit=10)),
    }


def staff_donations(
    *, status: str = "", search: str = "", page_slug: str = "", refcode: str = "", flagged: bool = False
) -> QuerySet[Donation]:
    donations = Donation.objects.select_related("page").order_by("-created_at", "-pk")
    if status:
        donations = donations.filter(status=status)
    if search:
        donations = donations.filter(
            Q(email__iexact=search)
            | Q(last_name__iexact=search)
            | Q(postal_code__iexact=search.replace(" ", ""))
        )
    if page_slug:
        donations = donations.filter(page__slug=page_slug)
    if refcode:
        donations = donations.filter(refcode=refcode)
    if flagged:
        donations = donations.exclude(flag="").filter(resolved_at__isnull=True)
    return donations


def compliance_queue() -> QuerySet[Donation]:
    """Gifts flagged over the limit or missing details, soonest deadline first."""
    return (
        Donation.objects.exclude(flag="")
        .filter(resolved_at__isnull=True, status=Donation.Status.SUCCEEDED)
        .order_by("resolve_by", "flagged_at")
    )


def pending_refund_requests() -> QuerySet[RefundRequest]:
    return RefundRequest.objects.filter(status=RefundRequest.Status.PENDING).select_related(
        "donation", "requested_by"
    )


def itemised_rows(donations: QuerySet[Donation]) -> QuerySet[Donation]:
    """Schedule A: every paid gift of a donor whose aggregate in the period passes the threshold."""
    rules = compliance.jurisdiction()
    threshold = rules.details_threshold_minor or 0
    from quartier.donations.models import DonorAggregate

    over = DonorAggregate.objects.filter(total_minor__gt=threshold).values("identity_key")
    return donations.filter(status=Donation.Status.SUCCEEDED, identity_key__in=over).order_by(
        "succeeded_at", "pk"
    )
