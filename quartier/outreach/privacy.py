"""The personal data outreach keeps, registered with `accounts.privacy` (see `apps.py`)."""

from __future__ import annotations

from typing import Any

from quartier.accounts.models import Supporter
from quartier.accounts.privacy import PersonalDataSource, register, rows


def register_outreach_sources() -> None:
    from quartier.outreach.models import (
        Delivery,
        Message,
        SmsConfirmation,
        SmsSubscription,
        Suppression,
    )

    def export_deliveries(supporter: Supporter) -> list[dict[str, Any]]:
        return list(
            Delivery.objects.filter(supporter=supporter)
            .order_by("pk")
            .values("message__subject", "message__audience_label", "message__created_at", "status", "sent_at")
        )

    register(
        PersonalDataSource(
            name="messages_received",
            models=(Delivery,),
            export=export_deliveries,
            erase=lambda supporter: Delivery.objects.filter(supporter=supporter).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="messages_sent",
            models=(Message,),
            export=lambda supporter: rows(
                Message.objects.filter(sender=supporter).order_by("pk"), exclude=("body_html",)
            ),
            # The sender's name goes; the message stays for the people who received it.
            erase=lambda supporter: Message.objects.filter(sender=supporter).update(sender=None),
            kept_after_deletion=(
                "Messages you wrote to a group, an event or people you know, without your name: the "
                "people who received them keep them, they are the campaign's record of what it sent, "
                "and they make sure no one you emailed from a page is emailed from it again."
            ),
        )
    )
    register(
        PersonalDataSource(
            name="email_suppression",
            models=(Suppression,),
            export=lambda supporter: rows(Suppression.objects.filter(address=supporter.email.lower())),
            erase=lambda supporter: None,
            kept_after_deletion=(
                "If your address is on the do-not-email list (you unsubscribed from everything, or "
                "it bounced or reported spam), it stays there, so that no one can email it through "
                "the site again."
            ),
        )
    )

    def erase_sms(supporter: Supporter) -> None:
        from django.utils import timezone

        # The number stays, stopped and nameless: it is never texted again without a new opt-in.
        SmsSubscription.objects.filter(supporter=supporter, opted_out_at__isnull=True).update(
            opted_out_at=timezone.now()
        )
        SmsSubscription.objects.filter(supporter=supporter).update(
            supporter=None, wording="", ip_address=None
        )

    register(
        PersonalDataSource(
            name="sms_subscriptions",
            models=(SmsSubscription,),
            export=lambda supporter: rows(SmsSubscription.objects.filter(supporter=supporter).order_by("pk")),
            erase=erase_sms,
            kept_after_deletion=(
                "Your phone number, marked as stopped and no longer linked to you, so that it is "
                "never sent a text again unless it opts in anew."
            ),
        )
    )
    # Numbers typed into the form and the codes texted to them (kept as keyed hashes, not exported).
    register(
        PersonalDataSource(
            name="sms_confirmations",
            models=(SmsConfirmation,),
            export=lambda supporter: rows(
                SmsConfirmation.objects.filter(supporter=supporter).order_by("pk"), exclude=("code_hash",)
            ),
            erase=lambda supporter: SmsConfirmation.objects.filter(supporter=supporter).delete(),
        )
    )
