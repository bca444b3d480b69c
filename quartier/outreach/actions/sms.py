"""Text-message subscriptions: opt-in, and inbound STOP/HELP/START."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from quartier.accounts.models import Supporter
from quartier.outreach.models import (
    InboundSms,
    SmsSubscription,
)

logger = logging.getLogger(__name__)

SMS_WORDING_DEFAULT = gettext_lazy(
    "Yes, text me news and calls to action from the campaign (a few a month). Reply STOP to stop, HELP for help."
)


@transaction.atomic
def sms_opt_in(
    *,
    phone: str,
    wording: str,
    language: str,
    source: str,
    supporter: Supporter | None = None,
    ip_address: str | None = None,
    time_zone: str = "",
) -> SmsSubscription:
    """Record that a number asked for texts, with the exact wording it agreed to (a new opt-in after a
    STOP replaces the old one and clears it)."""
    subscription, _created = SmsSubscription.objects.select_for_update().update_or_create(
        phone=phone,
        defaults={
            "supporter": supporter,
            "wording": str(wording),
            "language": language,
            "source": source,
            "ip_address": ip_address,
            "time_zone": time_zone or (supporter and _zone_of(supporter)) or settings.TIME_ZONE,
            "opted_in_at": timezone.now(),
            "opted_out_at": None,
            "opt_out_confirmed_at": None,
        },
    )
    return subscription


def _zone_of(supporter: Supporter) -> str:
    return ""  # supporters have no time zone of their own yet: the campaign's is used


def _reply(gateway_name: str, phone: str, text: str) -> None:
    from quartier.outreach import sms

    try:
        sms.gateway(gateway_name).send(to=phone, body=text)
    except Exception:
        logger.exception("outreach: could not answer %s by text", phone)


def handle_inbound_sms(*, provider: str, inbound) -> str:
    """Act on a text received: STOP (and its synonyms) at once, confirmed once; START; HELP answered.

    Idempotent per provider message id: a webhook delivered twice acts once. Returns the keyword.
    """
    from quartier.outreach import sms

    word = sms.keyword(inbound.body)
    phone = sms.normalize_phone(inbound.phone) or inbound.phone[:20]
    with transaction.atomic():
        _row, created = InboundSms.objects.get_or_create(
            provider=provider,
            provider_id=inbound.provider_id or f"{phone}:{inbound.body}"[:64],
            defaults={"phone": phone, "body": inbound.body[:1600], "keyword": word},
        )
        if not created:
            return word
        subscription = SmsSubscription.objects.select_for_update().filter(phone=phone).first()
        reply = ""
        language = subscription.language if subscription else settings.LANGUAGE_CODE
        with translation.override(language):
            if word == "stop":
                if subscription is None:
                    subscription = SmsSubscription.objects.create(
                        phone=phone, wording="", language=language, source=SmsSubscription.Source.KEYWORD,
                        opted_out_at=timezone.now(),
                    )  # fmt: skip
                elif subscription.opted_out_at is None:
                    subscription.opted_out_at = timezone.now()
                    subscription.save(update_fields=["opted_out_at"])
                if subscription.opt_out_confirmed_at is None:
                    subscription.opt_out_confirmed_at = timezone.now()
                    subscription.save(update_fields=["opt_out_confirmed_at"])
                    reply = gettext(
                        "%(site)s: you will get no more texts from us. Reply START to receive them again."
                    ) % {"site": settings.SITE_NAME}
            elif word == "start":
                sms_opt_in(
                    phone=phone, wording=inbound.body[:200], language=language,
                    source=SmsSubscription.Source.KEYWORD,
                    supporter=subscription.supporter if subscription else None,
                )  # fmt: skip
                reply = gettext("%(site)s: you will get our texts again. Reply STOP to stop.") % {
                    "site": settings.SITE_NAME
                }
            elif word == "help":
                reply = gettext(
                    "%(site)s: campaign news by text, a few a month. Reply STOP to stop. Help: %(url)s"
                ) % {"site": settings.SITE_NAME, "url": settings.SITE_URL}
    if reply:
        transaction.on_commit(lambda: _reply(provider, phone, reply))
    return word
