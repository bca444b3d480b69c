"""Text-message subscriptions: double opt-in from the form, inbound STOP/HELP/START.

A number is subscribed only when it has proved itself: START texted from it, or the code texted to it
(through the `SmsGateway`) typed back into the form. A STOP is lifted only by START from the number.
"""

from __future__ import annotations

import enum
import hmac
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_lazy

from quartier.accounts import branding
from quartier.accounts.models import Supporter
from quartier.outreach.models import (
    InboundSms,
    SmsConfirmation,
    SmsSubscription,
)

logger = logging.getLogger(__name__)

SMS_WORDING_DEFAULT = gettext_lazy(
    "Yes, text me news and calls to action from the campaign (a few a month). Reply STOP to stop, HELP for help."
)


# A code texted to confirm a number: how long it is valid, how many wrong tries it takes, and how many
# codes a number (or a supporter) may be sent a day (every code is a text someone receives).
CODE_VALID_FOR = timedelta(minutes=15)
CODE_ATTEMPTS = 5
CODES_PER_NUMBER_PER_DAY = 3
CODES_PER_SUPPORTER_PER_DAY = 5


class OptInRequest(enum.StrEnum):
    CODE_SENT = "code_sent"
    ALREADY = "already"  # the number already gets this supporter's texts
    STOPPED = "stopped"  # the number texted STOP: only START from it subscribes it again
    TOO_MANY = "too_many"


def _code_hash(phone: str, code: str) -> str:
    return salted_hmac("quartier.outreach.sms-code", f"{phone}:{code}", algorithm="sha256").hexdigest()


def request_sms_opt_in(
    *, supporter: Supporter, phone: str, wording: str, language: str, ip_address: str | None = None
) -> OptInRequest:
    """The form's "text me" for `phone`: text it a code (after commit) that the supporter must type
    back; nothing is subscribed yet. A stopped number is sent nothing."""
    now = timezone.now()
    with transaction.atomic():
        Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)  # one request at a time
        subscription = SmsSubscription.objects.filter(phone=phone).first()
        if subscription is not None and subscription.opted_out_at is not None:
            return OptInRequest.STOPPED
        if subscription is not None and subscription.supporter_id == supporter.pk:
            return OptInRequest.ALREADY
        day = now - timedelta(days=1)
        if (
            SmsConfirmation.objects.filter(phone=phone, created_at__gte=day).count()
            >= CODES_PER_NUMBER_PER_DAY
            or SmsConfirmation.objects.filter(supporter=supporter, created_at__gte=day).count()
            >= CODES_PER_SUPPORTER_PER_DAY
        ):
            return OptInRequest.TOO_MANY
        code = f"{secrets.randbelow(10**6):06d}"
        SmsConfirmation.objects.create(
            supporter=supporter, phone=phone, code_hash=_code_hash(phone, code), wording=str(wording),
            language=language, ip_address=ip_address, created_at=now,
        )  # fmt: skip
        with translation.override(language):
            text = gettext(
                "%(site)s: your code is %(code)s. Type it on the page to receive our texts. "
                "If you did not ask for it, ignore this text."
            ) % {"site": branding.current().name, "code": code}
    transaction.on_commit(lambda: _reply(None, phone, text))
    return OptInRequest.CODE_SENT


def pending_confirmation(supporter: Supporter) -> SmsConfirmation | None:
    """The supporter's latest code still waiting to be typed back (valid, not used, tries left)."""
    return (
        SmsConfirmation.objects.filter(
            supporter=supporter,
            confirmed_at__isnull=True,
            created_at__gte=timezone.now() - CODE_VALID_FOR,
            attempts__lt=CODE_ATTEMPTS,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def confirm_sms_opt_in(
    *, supporter: Supporter, code: str, ip_address: str | None = None
) -> SmsSubscription | None:
    """The code typed back: subscribe the number it was texted to, or None (a wrong or expired code
    counts as a try; a number that texted STOP meanwhile stays stopped)."""
    with transaction.atomic():
        pending = pending_confirmation(supporter)
        if pending is None:
            return None
        pending = SmsConfirmation.objects.select_for_update().get(pk=pending.pk)
        if pending.confirmed_at is not None or pending.attempts >= CODE_ATTEMPTS:
            return None
        if not hmac.compare_digest(pending.code_hash, _code_hash(pending.phone, "".join(code.split()))):
            SmsConfirmation.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
            return None
        pending.confirmed_at = timezone.now()
        pending.save(update_fields=["confirmed_at"])
        return sms_opt_in(
            phone=pending.phone, wording=pending.wording, language=pending.language,
            source=SmsSubscription.Source.FORM, supporter=supporter, ip_address=pending.ip_address or ip_address,
        )  # fmt: skip


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
) -> SmsSubscription | None:
    """Record that a number asked for texts, with the exact wording it agreed to.

    Only for a number that proved itself: START texted from it (`handle_inbound_sms`), a code texted
    to it typed back (`confirm_sms_opt_in`), demo data. A STOP is lifted only by START from the
    number (source `keyword`): any other opt-in of a stopped number changes nothing and returns None.
    """
    stopped = SmsSubscription.objects.select_for_update().filter(phone=phone, opted_out_at__isnull=False)
    if source != SmsSubscription.Source.KEYWORD and stopped.exists():
        return None
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


def _reply(gateway_name: str | None, phone: str, text: str) -> None:
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
                    ) % {"site": branding.current().name}
            elif word == "start":
                sms_opt_in(
                    phone=phone, wording=inbound.body[:200], language=language,
                    source=SmsSubscription.Source.KEYWORD,
                    supporter=subscription.supporter if subscription else None,
                )  # fmt: skip
                reply = gettext("%(site)s: you will get our texts again. Reply STOP to stop.") % {
                    "site": branding.current().name
                }
            elif word == "help":
                reply = gettext(
                    "%(site)s: campaign news by text, a few a month. Reply STOP to stop. Help: %(url)s"
                ) % {"site": branding.current().name, "url": settings.SITE_URL}
    if reply:
        transaction.on_commit(lambda: _reply(provider, phone, reply))
    return word
