"""Reads: who may be emailed for an audience, suppressed addresses, progress of a message."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from quartier.accounts import queries as accounts_queries
from quartier.accounts.models import EmailConsent, Supporter
from quartier.outreach.models import (
    CAMPAIGN_NEWS,
    AudienceConsent,
    Delivery,
    Message,
    Suppression,
    validate_audience,
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
    `queued` (queued or being sent) and `skipped` (consent withdrawn or address suppressed meanwhile)."""
    status = Delivery.Status
    counts = Delivery.objects.filter(message=message).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=status.SENT)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
        queued=Count("pk", filter=Q(status__in=[status.QUEUED, status.SENDING])),
        skipped=Count("pk", filter=Q(status=status.SKIPPED)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def _latest_consent(audience: str) -> QuerySet:
    """The `granted` of the latest consent record of the outer supporter for `audience`."""
    if audience == CAMPAIGN_NEWS:
        records = EmailConsent.objects.filter(supporter=OuterRef("pk"), topic=CAMPAIGN_NEWS)
    else:
        records = AudienceConsent.objects.filter(supporter=OuterRef("pk"), audience=audience)
    return records.order_by("-created_at", "-id").values("granted")[:1]


def consenting(recipients: QuerySet[Supporter], audience: str) -> QuerySet[Supporter]:
    """The recipients who may be emailed for `audience` now.

    Their latest consent for it is a yes (an unsubscription is a later no), they are active,
    not deleted, with a verified email address, and that address is not on the suppression list.
    """
    validate_audience(audience)
    return (
        recipients.filter(is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False)
        .alias(latest_consent=Subquery(_latest_consent(audience)))
        .filter(latest_consent=True)
        .exclude(Exists(Suppression.objects.filter(address=OuterRef("email"))))
    )


def has_consented(supporter: Supporter, audience: str) -> bool:
    """Whether the supporter's latest choice for `audience` is a yes (consent only: see `consenting`)."""
    validate_audience(audience)
    if audience == CAMPAIGN_NEWS:
        latest = accounts_queries.current_email_consent(supporter, CAMPAIGN_NEWS)
        return bool(latest and latest.granted)
    granted = (
        AudienceConsent.objects.filter(supporter=supporter, audience=audience)
        .order_by("-created_at", "-id")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(granted)


def audience_label(audience: str) -> str:
    """What people know an audience as: the label of its latest message, or a generic name."""
    if audience == CAMPAIGN_NEWS:
        return str(EmailConsent.Topic.CAMPAIGN_NEWS.label)
    label = (
        Message.objects.filter(audience=audience)
        .order_by("-created_at", "-id")
        .values_list("audience_label", flat=True)
        .first()
    )
    return label or ""
