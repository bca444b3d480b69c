from __future__ import annotations

import pytest
from django.core import mail

from quartier.accounts import actions as accounts_actions
from quartier.accounts import privacy
from quartier.accounts.models import Consent, ConsentRecord, Supporter
from quartier.outreach.models import Delivery, Message
from quartier.outreach.tests.helpers import GROUP, consent, send

pytestmark = pytest.mark.django_db


def test_the_export_has_consents_messages_received_and_messages_sent(
    supporter, other_supporter, django_capture_on_commit_callbacks
):
    consent(supporter)
    consent(other_supporter)
    with django_capture_on_commit_callbacks(execute=True):
        send(supporter, Supporter.objects.all(), subject="Saturday")

    mine = privacy.export_personal_data(supporter)
    theirs = privacy.export_personal_data(other_supporter)

    history = [c for c in mine["email_consents"]["history"] if c["audience"] == GROUP]
    assert [(c["audience"], c["granted"], c["source"], c["ip_address"]) for c in history] == [
        (GROUP, True, "join", "192.0.2.7")
    ]
    current = [c for c in mine["email_consents"]["current"] if c["audience"] == GROUP]
    assert current == [{"audience": GROUP, "granted": True, "record_id": history[0]["id"]}]
    assert [(m["subject"], m["recipient_count"]) for m in mine["messages_sent"]] == [("Saturday", 2)]
    assert "body_html" not in mine["messages_sent"][0]
    assert [(d["message__subject"], d["status"]) for d in theirs["messages_received"]] == [
        ("Saturday", "sent")
    ]
    assert theirs["messages_sent"] == []


def test_deleting_an_account_erases_consents_and_deliveries_and_keeps_sent_messages_without_the_name(
    supporter, other_supporter, django_capture_on_commit_callbacks
):
    consent(supporter)
    consent(other_supporter)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(supporter, Supporter.objects.all())
    assert len(mail.outbox) == 2

    accounts_actions.delete_account(supporter=supporter)

    assert not ConsentRecord.objects.filter(supporter=supporter).exists()
    assert not Consent.objects.filter(supporter=supporter).exists()
    assert not Delivery.objects.filter(supporter=supporter).exists()
    kept = Message.objects.get(pk=message.pk)
    assert kept.sender is None and kept.body == message.body
    # The other recipient's records are untouched.
    assert ConsentRecord.objects.filter(supporter=other_supporter, audience=GROUP).count() == 1
    assert Consent.objects.filter(supporter=other_supporter, audience=GROUP, granted=True).count() == 1
    assert Delivery.objects.filter(supporter=other_supporter, message=message).count() == 1


def test_messages_still_queued_when_the_sender_leaves_go_out_in_the_campaigns_name(
    supporter, other_supporter, django_capture_on_commit_callbacks
):
    consent(other_supporter)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(supporter, [other_supporter])
    accounts_actions.delete_account(supporter=supporter)

    callbacks[0]()

    (email,) = mail.outbox
    assert email.from_email == "Quartier <no-reply@localhost>"
    assert email.reply_to == []
    assert "Marie Tremblay" not in email.body
