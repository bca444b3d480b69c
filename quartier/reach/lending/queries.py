"""Lend your status, the reads of its pages: a supporter's consent, accounts, upcoming and past lent
statuses with what they brought; staff's list of messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Prefetch, Q

from quartier.accounts.models import Activity, Supporter
from quartier.reach.models import (
    ConnectedAccount,
    LendingConsent,
    LendingMessage,
    LentPublication,
    LentStatus,
)

BROUGHT_WINDOW = timedelta(days=7)  # actions credited to the lender this long after a status went out


def consent_of(supporter: Supporter) -> LendingConsent:
    """Their consent, or an unsaved one that is off (a page view writes nothing)."""
    return LendingConsent.objects.filter(supporter=supporter).first() or LendingConsent(supporter=supporter)


def accounts_of(supporter: Supporter) -> dict[str, ConnectedAccount]:
    return {account.service: account for account in ConnectedAccount.objects.filter(supporter=supporter).only(
        "service", "handle", "host", "connected_at", "supporter_id")}  # fmt: skip


def upcoming(supporter: Supporter) -> list[LentStatus]:
    return list(
        LentStatus.objects.filter(
            lender=supporter, state__in=[LentStatus.State.SCHEDULED, LentStatus.State.FAILED]
        )
        .select_related("message")
        .order_by("publish_at")[:50]
    )


@dataclass(frozen=True)
class HistoryRow:
    status: LentStatus
    publications: list[LentPublication]
    brought: int  # sign-ups, RSVPs, gifts… credited to the lender in the week after it went out


def history(supporter: Supporter, limit: int = 100) -> list[HistoryRow]:
    """What they lent (or vetoed), where, when, and what it brought: three queries whatever the length."""
    statuses = list(
        LentStatus.objects.filter(lender=supporter)
        .exclude(state__in=[LentStatus.State.SCHEDULED])
        .select_related("message")
        .prefetch_related(Prefetch("publications", queryset=LentPublication.objects.order_by("destination")))
        .order_by("-publish_at")[:limit]
    )
    published = [status for status in statuses if status.published_at]
    brought: dict[int, int] = {}
    if published:
        credited = list(
            Activity.objects.filter(
                credited_to=supporter, occurred_at__gte=min(s.published_at for s in published)
            ).values_list("occurred_at", flat=True)[:10_000]
        )
        for status in published:
            end = status.published_at + BROUGHT_WINDOW
            brought[status.pk] = sum(1 for moment in credited if status.published_at <= moment < end)
    return [
        HistoryRow(status, list(status.publications.all()), brought.get(status.pk, 0)) for status in statuses
    ]


def messages_for_staff(limit: int = 50) -> list[LendingMessage]:
    return list(
        LendingMessage.objects.annotate(
            lenders=Count("statuses"),
            vetoes=Count("statuses", filter=Q(statuses__state=LentStatus.State.VETOED)),
            published=Count("statuses", filter=Q(statuses__state=LentStatus.State.PUBLISHED)),
        ).order_by("-created_at")[:limit]
    )


def lenders_count() -> int:
    return LendingConsent.objects.filter(supporter__is_active=True, is_active=True).count()
