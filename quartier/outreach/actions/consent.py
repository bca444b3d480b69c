"""Consent to each topic: unsubscribe, double opt-in confirmation, the topics a person chose.

Every decision is written by `accounts.actions.record_consent`, the one writer of consent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from quartier.accounts import actions as accounts_actions
from quartier.accounts import branding
from quartier.accounts.models import ConsentRecord, Supporter
from quartier.outreach import queries
from quartier.outreach.actions.feedback import lift_suppression, suppress_address
from quartier.outreach.models import TOPICS, Delivery, Suppression


@transaction.atomic
def unsubscribe(
    *,
    supporter: Supporter,
    audience: str,
    wording: str,
    language: str,
    ip_address: str | None,
    message_id: int | None = None,
) -> bool:
    """Record a "no" from an unsubscribe link; return whether anything changed (twice is harmless).

    `message_id`: the message whose link it was, counted in its statistics.
    """
    # Serialises a mail client's one-click POST and the person's own click on the page.
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)
    if not queries.has_consented(supporter, audience):
        return False
    if message_id is not None:
        Delivery.objects.filter(
            message_id=message_id, supporter=supporter, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=timezone.now())
    accounts_actions.record_consent(
        supporter=supporter,
        audience=audience,
        granted=False,
        wording=wording,
        language=language,
        source=ConsentRecord.Source.UNSUBSCRIBE,
        ip_address=ip_address,
    )
    return True


def topic_wording(topic: str) -> str:
    """The sentence a supporter agrees to for a topic, in the active language (kept with the consent)."""
    return gettext("Yes, email me: %(topic)s.") % {"topic": TOPICS[topic]}


def set_topics(
    *, supporter: Supporter, wanted: dict[str, bool], language: str, ip_address: str | None
) -> list[str]:
    """Record each changed topic choice; with `OUTREACH_DOUBLE_OPT_IN`, a new yes is only asked for
    (a confirmation email) and recorded when its link is followed. Returns the topics awaiting
    confirmation."""
    awaiting: list[str] = []
    for topic, granted in wanted.items():
        if topic not in TOPICS or queries.has_consented(supporter, topic) == granted:
            continue
        if granted and settings.OUTREACH_DOUBLE_OPT_IN:
            awaiting.append(topic)
            continue
        accounts_actions.record_consent(
            supporter=supporter, audience=topic, granted=granted, wording=topic_wording(topic),
            language=language, source=ConsentRecord.Source.SETTINGS, ip_address=ip_address,
        )  # fmt: skip
        if granted:
            lift_suppression(address=supporter.email)
    if awaiting:
        transaction.on_commit(lambda: _send_confirmation(supporter, awaiting, language))
    return awaiting


def _send_confirmation(supporter: Supporter, topics: list[str], language: str) -> None:
    """The double opt-in email: transactional (sent whatever the suppression list says, no marketing)."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse

    from quartier.lib.urls import absolute_url
    from quartier.outreach.access import confirm_token

    with translation.override(language):
        links = [
            (
                TOPICS[topic],
                absolute_url(reverse("outreach:confirm_topic", args=[confirm_token(supporter, topic)])),
            )
            for topic in topics
        ]
        context = {
            "links": links,
            "site_name": branding.current().name,
            "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
        }
        email = EmailMultiAlternatives(
            subject=gettext("Confirm the emails you asked for"),
            body=render_to_string("outreach/email/confirm_topics.txt", context),
            to=[supporter.email],
        )
        email.attach_alternative(render_to_string("outreach/email/confirm_topics.html", context), "text/html")
    email.send()


@transaction.atomic
def confirm_topic(*, supporter: Supporter, topic: str, language: str, ip_address: str | None) -> bool:
    """The double opt-in link was followed: record the yes (once; a second click changes nothing)."""
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)
    if queries.has_consented(supporter, topic):
        return False
    accounts_actions.record_consent(
        supporter=supporter, audience=topic, granted=True,
        wording=gettext("%(wording)s (confirmed from the link emailed to the address)") % {"wording": topic_wording(topic)},
        language=language, source=ConsentRecord.Source.SETTINGS, ip_address=ip_address,
    )  # fmt: skip
    lift_suppression(address=supporter.email)
    return True


def unsubscribe_from_everything(*, supporter: Supporter, language: str, ip_address: str | None) -> None:
    """Every topic and audience to no, and the address on the suppression list."""
    for topic in TOPICS:
        if queries.has_consented(supporter, topic):
            accounts_actions.record_consent(
                supporter=supporter, audience=topic, granted=False, wording="Unsubscribe from everything",
                language=language, source=ConsentRecord.Source.SETTINGS, ip_address=ip_address,
            )  # fmt: skip
    suppress_address(address=supporter.email, reason=Suppression.Reason.UNSUBSCRIBED, source="preferences")
