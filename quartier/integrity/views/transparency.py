"""The public transparency pages: who works for the campaign, and the monthly transparency report.

Public and cached for anonymous visitors (`cached_anonymous_page`, fresh for a few minutes: the figures
move with every decision, and a label given to a new staff member must show soon). The report reads
moderation through `social.queries.moderation` and the clusters through `integrity.queries`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from quartier.accounts.models import Affiliation
from quartier.accounts.queries import labelled_supporters
from quartier.integrity.models import Cluster
from quartier.integrity.queries import cluster_counts_by_month
from quartier.lib.page_cache import cached_anonymous_page
from quartier.social.models import Appeal, ModerationAction, Report
from quartier.social.queries.moderation import moderation_counts_between

FRESH_FOR = dt.timedelta(minutes=10)
FIRST_YEAR = 2000

LABEL_MEANINGS = {
    Affiliation.STAFF: _("Employed by the campaign or one of its organisers. They speak for the campaign."),
    Affiliation.PAID: _("Paid by the campaign for some work (a contractor, an agency, a paid canvasser)."),
    Affiliation.AMBASSADOR: _("A supporter the campaign asked to speak for it publicly; ambassadors may "
                              "receive material or expenses from the campaign."),
}  # fmt: skip


def _fresh_until() -> dt.datetime:
    return timezone.now() + FRESH_FOR


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    """Everyone the campaign labels, by label, with what each label means."""

    def render_page() -> HttpResponse:
        people = labelled_supporters()
        sections = [
            (
                label,
                LABEL_MEANINGS[label],
                [person for person in people if person.transparency_label == label],
            )
            for label in (Affiliation.STAFF, Affiliation.PAID, Affiliation.AMBASSADOR)
        ]
        return render(
            request, "integrity/transparency.html", {"sections": sections, "months": _recent_months()}
        )

    return cached_anonymous_page(request, render_page, fresh_until=_fresh_until)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: float  # percent of the longest bar


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def _chart(title: str, counts: dict[str, int], labels: dict[str, str]) -> Chart:
    longest = max(counts.values(), default=0) or 1
    return Chart(
        str(title),
        [
            Bar(str(labels.get(key, key)), count, round(100 * count / longest, 1))
            for key, count in counts.items()
        ],
    )


def _recent_months(count: int = 12) -> list[dt.date]:
    today = timezone.localdate()
    months, year, month = [], today.year, today.month
    for _index in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    return cached_anonymous_page(
        request,
        lambda: render(request, "integrity/report_index.html", {"months": _recent_months()}),
        fresh_until=_fresh_until,
    )


@require_GET
def monthly_report(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Moderation decisions by kind, clusters found, appeals decided, reports received: counts only."""
    today = timezone.localdate()
    if not (1 <= month <= 12 and year >= FIRST_YEAR) or (year, month) > (today.year, today.month):
        raise Http404
    start = dt.datetime(year, month, 1, tzinfo=timezone.get_current_timezone())
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=timezone.get_current_timezone())

    def render_page() -> HttpResponse:
        moderation = moderation_counts_between(start, end)
        clusters = cluster_counts_by_month(year, month)
        charts = [
            _chart(
                _("Moderation decisions by kind"), moderation["actions"], dict(ModerationAction.Kind.choices)
            ),
            _chart(_("Clusters of coordinated accounts found"), clusters, dict(Cluster.Kind.choices)),
            _chart(_("Appeals decided"), moderation["appeals"], dict(Appeal.Status.choices)),
            _chart(_("Reports received, by reason"), moderation["reports"], dict(Report.Reason.choices)),
        ]
        previous = dt.date(year - (month == 1), 12 if month == 1 else month - 1, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        context = {
            "month": dt.date(year, month, 1),
            "charts": charts,
            "is_empty": all(chart.total == 0 for chart in charts),
            "is_current": (year, month) == (today.year, today.month),
            "previous": previous if previous.year >= FIRST_YEAR else None,
            "following": following if following <= today else None,
        }
        return render(request, "integrity/monthly_report.html", context)

    return cached_anonymous_page(request, render_page, fresh_until=_fresh_until)
