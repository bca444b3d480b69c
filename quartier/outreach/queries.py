"""Reads: who may be emailed for an audience, suppressed addresses, progress of a message."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from quartier.accounts import queries as accounts_queries
from quartier.accounts.models import Consent, Supporter, validate_audience
from quartier.outreach.models import (
    CAMPAIGN_NEWS,
    TOPICS,
    Delivery,
    Message,
    Suppression,
)


def normalize_address(address: str) -> str:
    """The form addresses are compared in: no surrounding spaces, lower case (as `Supporter.email`)."""
    return str(address).strip().lower()


def is_suppressed(email: str) -> bool:
    """Whether `email` is on the global suppression list (unsubscribed, bounced or complained)."""
    return Suppression.objects.filter(address=normalize_address(email)).exists()


def suppressed_among(addresses: list[str]) -> set[str]:
    """Which of these (normalised) addresses are suppressed."""
    found: set[str] = set()
    for start in range(0, len(addresses), 500):  # stays under SQLite's variable limit
        found.update(
            Suppression.objects.filter(address__in=addresses[start : start + 500]).values_list(
                "address", flat=True
            )
        )
    return found


def message_progress(message: Message) -> dict[str, int]:
    """How far a message's sending is: `total` deliveries, and how many are `sent`, `failed`,
    `queued` (queued or being sent), `deferred` (texts waiting for the end of their recipient's quiet
    hours) and `skipped` (consent withdrawn or address suppressed meanwhile)."""
    status = Delivery.Status
    later = Q(status=status.QUEUED, not_before__gt=timezone.now())
    counts = Delivery.objects.filter(message=message).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=status.SENT)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
        queued=Count("pk", filter=Q(status__in=[status.QUEUED, status.SENDING]) & ~later),
        deferred=Count("pk", filter=later),
        skipped=Count("pk", filter=Q(status=status.SKIPPED)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def consenting(recipients: QuerySet[Supporter], audience: str) -> QuerySet[Supporter]:
    """The recipients who may be emailed for `audience` now.

    Their decision in force for it (`accounts.Consent`) is a yes (an unsubscription is a later no),
    they are active, not deleted, with a verified email address, and that address is not on the
    suppression list.
    """
    validate_audience(audience)
    return (
        recipients.filter(is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False)
        .filter(Exists(Consent.objects.filter(supporter=OuterRef("pk"), audience=audience, granted=True)))
        .exclude(Exists(Suppression.objects.filter(address=OuterRef("email"))))
    )


# Who may not be emailed whatever they said: the complement of `consenting`'s own conditions (a
# partial index on the supporters' table, migration 0010, holds exactly these people).
UNREACHABLE = Q(is_active=False) | Q(deleted_at__isnull=False) | Q(email_verified_at__isnull=True)


def consenting_count(audience: str) -> int:
    """`consenting(Supporter.objects.all(), audience).count()`, read from indexes without joining the
    two sets of millions: every yes to the audience (one index-only count), less the yeses of people
    who may not be emailed (the few inactive, deleted or unverified: a partial index) and of reachable
    people whose address is suppressed (the suppression list is small)."""
    validate_audience(audience)
    yes = Consent.objects.filter(audience=audience, granted=True)
    unreachable = Supporter.objects.filter(UNREACHABLE)
    said_yes = yes.count()
    if unreachable.count() * 2 > said_yes:  # not few: the plain join costs less than subtracting
        return consenting(Supporter.objects.all(), audience).count()
    suppressed = reachable_supporters().filter(Exists(Suppression.objects.filter(address=OuterRef("email"))))
    return (
        said_yes
        - yes.filter(supporter__in=unreachable.values("pk")).count()
        - yes.filter(supporter__in=suppressed.values("pk")).count()
    )


def reachable_supporters() -> QuerySet[Supporter]:
    """Supporters who may be emailed if they said yes: active, not deleted, verified."""
    return Supporter.objects.filter(is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False)


def has_consented(supporter: Supporter, audience: str) -> bool:
    """Whether the supporter's decision in force for `audience` is a yes (consent only: see `consenting`)."""
    return accounts_queries.has_consented(supporter, validate_audience(audience))


def audience_label(audience: str) -> str:
    """What people know an audience as: the label of its latest message, or a generic name."""
    if audience == CAMPAIGN_NEWS:
        return str(TOPICS[CAMPAIGN_NEWS])
    label = (
        Message.objects.filter(audience=audience)
        .order_by("-created_at", "-id")
        .values_list("audience_label", flat=True)
        .first()
    )
    return label or ""


def staff_messages(
    limit: int = 100, channel: str = Message.Channel.EMAIL
) -> list[tuple[Message, dict[str, int]]]:
    """The campaign's messages (newest first) with their progress, for `/organize/email/` (or its
    texts, for `/organize/sms/`)."""
    rows = list(
        Message.objects.filter(audience__in=list(TOPICS), channel=channel)
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
            total_count=Count("deliveries"),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return [(message, {"sent": message.sent_count, "total": message.total_count}) for message in rows]


def supporter_by_email(email: str) -> Supporter | None:
    return Supporter.objects.filter(email=normalize_address(email), deleted_at__isnull=True).first()


# Journal kinds counted as actions taken through a message's links (see `message_stats`).
CREDITED_KINDS = {
    "accounts.signup": "signups",
    "organizing.rsvp": "rsvps",
    "donations.gift": "gifts",
    "donations.page_created": "fundraising_pages",
    "organizing.group_joined": "groups_joined",
}


def message_stats(message: Message) -> dict[str, int]:
    """Per-message figures: `sent`, `failed`, `skipped`, `delivered`, `bounced`, `complained`,
    `unsubscribed` (through this message's link), and the actions credited to the message: journal
    activities of `CREDITED_KINDS` whose `detail["refcode"]` is the message's own code (its links
    carry `?ref=<code>`), with `gifts_amount` the sum of their amounts. No open tracking."""
    status = Delivery.Status
    figures = Delivery.objects.filter(message=message).aggregate(
        sent=Count("pk", filter=Q(status=status.SENT)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
        skipped=Count("pk", filter=Q(status=status.SKIPPED)),
        delivered=Count("pk", filter=Q(delivered_at__isnull=False)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        complained=Count("pk", filter=Q(complained_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    )
    stats = {key: int(value or 0) for key, value in figures.items()}
    for name in CREDITED_KINDS.values():
        stats[name] = 0
    stats["gifts_amount"] = 0
    if message.refcode:
        from django.db.models import Sum

        from quartier.accounts.models import Activity

        rows = (
            Activity.objects.filter(kind__in=list(CREDITED_KINDS), detail__refcode=message.refcode)
            .values("kind")
            .annotate(total=Sum("count"), amount=Sum("amount"))
        )
        for row in rows:
            stats[CREDITED_KINDS[row["kind"]]] = int(row["total"] or 0)
            if row["kind"] == "donations.gift":
                stats["gifts_amount"] = int(row["amount"] or 0)
    return stats


def dashboard_counters(supporter: Supporter) -> dict:
    """What the dashboard panel shows, as expressions the dashboard reads with every other panel's in
    one query (`accounts.queries.read_together`)."""
    from quartier.outreach.models import PERSONAL

    counters = {
        f"outreach_consent_{topic}": Exists(
            Consent.objects.filter(supporter_id=supporter.pk, audience=topic, granted=True)
        )
        for topic in TOPICS
    }
    emailed = (
        Delivery.objects.filter(message__sender_id=supporter.pk, message__audience=PERSONAL)
        .values("message__sender_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    counters["outreach_emailed"] = Coalesce(Subquery(emailed), 0)
    counters["outreach_suppressed"] = Exists(
        Suppression.objects.filter(address=normalize_address(supporter.email))
    )
    return counters


def dashboard_summary(supporter: Supporter, counters: dict | None = None) -> dict:
    """For the personal dashboard: the email one receives and the people one emailed from one's pages.

    No query of its own when given `counters` (read with `dashboard_counters`), one otherwise; {} for
    someone who neither receives nor sent anything.
    """
    if counters is None:
        counters = accounts_queries.read_together(supporter, dashboard_counters(supporter))
    receiving = [str(label) for topic, label in TOPICS.items() if counters[f"outreach_consent_{topic}"]]
    emailed = counters["outreach_emailed"] or 0
    if not receiving and not emailed:
        return {}
    return {
        "receiving": receiving,
        "people_emailed": emailed,
        "suppressed": bool(counters["outreach_suppressed"]),
    }
