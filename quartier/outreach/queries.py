"""Reads: who may be emailed for an audience, and what an audience is called."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from quartier.accounts import queries as accounts_queries
from quartier.accounts.models import EmailConsent, Supporter
from quartier.outreach.models import CAMPAIGN_NEWS, AudienceConsent, Message, validate_audience


def _latest_consent(audience: str) -> QuerySet:
    """The `granted` of the latest consent record of the outer supporter for `audience`."""
    if audience == CAMPAIGN_NEWS:
        records = EmailConsent.objects.filter(supporter=OuterRef("pk"), topic=CAMPAIGN_NEWS)
    else:
        records = AudienceConsent.objects.filter(supporter=OuterRef("pk"), audience=audience)
    return records.order_by("-created_at", "-id").values("granted")[:1]


def consenting(recipients: QuerySet[Supporter], audience: str) -> QuerySet[Supporter]:
    """The recipients who may be emailed for `audience` now.

    Their latest consent for it is a yes (an unsubscription is a later no), and they are active,
    not deleted, with a verified email address.
    """
    validate_audience(audience)
    return (
        recipients.filter(is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False)
        .alias(latest_consent=Subquery(_latest_consent(audience)))
        .filter(latest_consent=True)
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
