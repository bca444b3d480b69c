"""Factories for the personal data sources of `outreach` (see `registry.py`)."""

from __future__ import annotations

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import ConsentRecord, Supporter
from quartier.outreach.actions import campaign_send as outreach_campaign_send
from quartier.outreach.actions import feedback as outreach_feedback
from quartier.outreach.actions import sms as outreach_sms
from quartier.outreach.models import (
    Delivery,
    Message,
    SmsConfirmation,
    SmsSubscription,
    Suppression,
)
from quartier.tests.personal_data.common import Factory, People, count_rows


def _messages_received(supporter: Supporter, people: People) -> None:
    accounts_actions.record_consent(
        supporter=supporter, audience="group:9100", granted=True, wording="Yes", language="en",
        source=ConsentRecord.Source.JOIN, ip_address=None,
    )  # fmt: skip
    for number in (1, 2):
        outreach_campaign_send.send_message(
            sender=people.organiser, audience="group:9100", audience_label="Neighbours", recipients=[supporter],
            subject=people.marker("messages_received", number), body="Hello.",
        )  # fmt: skip


def _messages_sent(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        outreach_campaign_send.send_message(
            sender=supporter, audience="group:9200", audience_label="Street", recipients=[people.organiser],
            subject=people.marker("messages_sent", number), body="Hello.",
        )  # fmt: skip


def _email_suppression(supporter: Supporter, people: People) -> None:
    outreach_feedback.suppress_address(
        address=supporter.email,
        reason=Suppression.Reason.UNSUBSCRIBED,
        source=people.marker("email_suppression", 1),
    )


def _sms_subscriptions(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        outreach_sms.sms_opt_in(
            phone=f"+1514555{supporter.pk % 1000:03d}{number}", wording=people.marker("sms_subscriptions", number),
            language="en", source=SmsSubscription.Source.FORM, supporter=supporter,
        )  # fmt: skip


def _sms_confirmations(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        outreach_sms.request_sms_opt_in(
            supporter=supporter, phone=f"+1438555{supporter.pk % 1000:03d}{number}",
            wording=people.marker("sms_confirmations", number), language="en",
        )  # fmt: skip


FACTORIES: dict[str, Factory] = {
    "messages_received": Factory(
        _messages_received,
        owned=lambda s: {Delivery: Delivery.objects.filter(supporter=s)},
        exported=lambda data: {Delivery: count_rows(data)},
    ),
    "messages_sent": Factory(
        _messages_sent,
        owned=lambda s: {Message: Message.objects.filter(sender=s)},
        exported=lambda data: {Message: count_rows(data)},
    ),
    "email_suppression": Factory(
        _email_suppression,
        owned=lambda s: {Suppression: Suppression.objects.filter(address=s.email)},
        exported=lambda data: {Suppression: count_rows(data)},
    ),
    "sms_subscriptions": Factory(
        _sms_subscriptions,
        owned=lambda s: {SmsSubscription: SmsSubscription.objects.filter(supporter=s)},
        exported=lambda data: {SmsSubscription: count_rows(data)},
    ),
    "sms_confirmations": Factory(
        _sms_confirmations,
        owned=lambda s: {SmsConfirmation: SmsConfirmation.objects.filter(supporter=s)},
        exported=lambda data: {SmsConfirmation: count_rows(data)},
    ),
}
