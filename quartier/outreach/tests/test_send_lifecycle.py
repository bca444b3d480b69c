"""A campaign email's send from start to end: the audience snapshot, scheduling, progress,
cancelling, people unsubscribing meanwhile, and the sweep recovering lost workers and batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from quartier.accounts import actions as accounts_actions
from quartier.outreach import queries
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import delivery as delivery_actions
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.models import CAMPAIGN_NEWS, Delivery, Message
from quartier.outreach.tests.campaign_helpers import draft, news_consent, send_now, snapshot
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def test_the_audience_is_snapshotted_when_the_send_starts(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    first = make_supporter("First")
    news_consent(first)
    message = draft(staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        drafts_actions.schedule(message=message, at=None)
    late = make_supporter("Late")
    news_consent(late)

    for callback in callbacks:
        callback()
    news_consent(make_supporter("Later still"))
    campaign_send_actions.sweep()

    assert [email.to for email in mail.outbox] == [[late.email], [first.email]] or sorted(
        email.to[0] for email in mail.outbox
    ) == sorted([first.email, late.email])
    assert Message.objects.get(pk=message.pk).recipient_count == 2


def test_a_scheduled_message_waits_for_its_time_and_the_sweep_starts_it_once(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    news_consent(make_supporter("Reader"))
    message = draft(staff)
    with django_capture_on_commit_callbacks(execute=True):
        drafts_actions.schedule(message=message, at=timezone.now() + timedelta(hours=1))
    campaign_send_actions.sweep()
    assert mail.outbox == [] and Message.objects.get(pk=message.pk).status == Message.Status.SCHEDULED

    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    campaign_send_actions.sweep()
    campaign_send_actions.sweep()
    assert campaign_send_actions.start_sending(message.pk) == 0

    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT


def test_schedule_form_refuses_a_time_in_the_past(staff, make_supporter):
    news_consent(make_supporter("Reader"))
    message = draft(staff)

    client_for(staff).post(
        reverse("outreach:message_send", args=[message.pk]), {"when": "later", "send_at": "2001-01-01T10:00"}
    )

    assert Message.objects.get(pk=message.pk).status == Message.Status.DRAFT


def test_cancelling_while_sending_skips_what_is_left(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    people = [make_supporter(f"Reader {number}") for number in range(5)]
    for person in people:
        news_consent(person)
    message = draft(staff)
    snapshot(message, django_capture_on_commit_callbacks)
    first = Delivery.objects.filter(message=message).order_by("pk").first()
    delivery_actions.send_deliveries(message_id=message.pk, first_id=first.pk, last_id=first.pk)

    response = client_for(staff).post(reverse("outreach:message_cancel", args=[message.pk]))
    campaign_send_actions.enqueue_deliveries(message.pk)
    campaign_send_actions.sweep()

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert queries.message_progress(message) == {
        "total": 5,
        "sent": 1,
        "failed": 0,
        "queued": 0,
        "skipped": 4,
        "deferred": 0,
    }
    assert Message.objects.get(pk=message.pk).status == Message.Status.CANCELLED


def test_someone_who_unsubscribes_during_a_send_gets_nothing_after(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    stays, leaves = make_supporter("Stays"), make_supporter("Leaves")
    for person in (stays, leaves):
        news_consent(person)
    message = draft(staff)
    snapshot(message, django_capture_on_commit_callbacks)
    accounts_actions.record_consent(
        supporter=leaves, audience=CAMPAIGN_NEWS, granted=False, wording="No", language="en",
        source="unsubscribe", ip_address=None,
    )  # fmt: skip

    campaign_send_actions.sweep()

    assert [email.to for email in mail.outbox] == [[stays.email]]


def test_a_worker_killed_mid_batch_is_recovered_by_the_sweep_and_each_reader_gets_one_email(
    staff, make_supporter, settings, django_capture_on_commit_callbacks
):
    people = [make_supporter(f"Reader {number}") for number in range(5)]
    for person in people:
        news_consent(person)
    message = draft(staff)
    snapshot(message, django_capture_on_commit_callbacks)
    ids = list(Delivery.objects.filter(message=message).order_by("pk").values_list("pk", flat=True))
    # What a worker killed at its third email leaves: two sent, one being handed over, two claimed.
    long_ago = timezone.now() - timedelta(seconds=settings.OUTREACH_LEASE_SECONDS + 5)
    claim = {"claimed_at": long_ago, "claim_token": "dead-worker"}
    Delivery.objects.filter(pk__in=ids[:2]).update(status="sent", sent_at=long_ago, **claim)
    Delivery.objects.filter(pk=ids[2]).update(status="sending", attempted_at=long_ago, **claim)
    Delivery.objects.filter(pk__in=ids[3:]).update(status="sending", **claim)

    counts = campaign_send_actions.sweep()
    again = campaign_send_actions.sweep()

    assert (counts["requeued"], counts["unknown"]) == (2, 1)
    assert (again["requeued"], again["unknown"]) == (0, 0)
    # The two never attempted are sent once; the one being handed over may have arrived: not resent.
    assert sorted(email.to[0] for email in mail.outbox) == sorted(p.email for p in people[3:])
    assert queries.message_progress(message) | {"total": 0} == {
        "total": 0, "sent": 4, "failed": 1, "queued": 0, "skipped": 0, "deferred": 0,
    }  # fmt: skip
    unknown = Delivery.objects.get(pk=ids[2])
    assert unknown.status == "failed" and unknown.error == delivery_actions.UNKNOWN_OUTCOME
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT


def test_a_delivery_claimed_recently_is_left_to_its_worker(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    news_consent(make_supporter("Reader"))
    message = draft(staff)
    snapshot(message, django_capture_on_commit_callbacks)
    Delivery.objects.filter(message=message).update(status="sending", claimed_at=timezone.now())

    counts = campaign_send_actions.sweep()

    assert counts["requeued"] == 0 and mail.outbox == []


def test_batches_lost_by_the_broker_are_sent_by_the_sweep(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    for number in range(3):
        news_consent(make_supporter(f"Reader {number}"))
    message = draft(staff)
    with django_capture_on_commit_callbacks(execute=False):  # the broker never gets the task
        drafts_actions.schedule(message=message, at=None)
    Message.objects.filter(pk=message.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))

    campaign_send_actions.sweep()

    assert len(mail.outbox) == 3


def test_progress_is_served_as_html_and_json(staff, make_supporter, django_capture_on_commit_callbacks):
    news_consent(make_supporter("Reader"))
    message = draft(staff)
    send_now(message, django_capture_on_commit_callbacks)
    client = client_for(staff)

    fragment = client.get(reverse("outreach:message_progress", args=[message.pk]))
    data = client.get(reverse("outreach:message_progress", args=[message.pk]), {"format": "json"}).json()

    assert "100 %" in fragment.content.decode()
    assert data == {
        "status": "sent",
        "total": 1,
        "sent": 1,
        "failed": 0,
        "queued": 0,
        "skipped": 0,
        "deferred": 0,
    }


class CancellingBackend(LocmemBackend):
    """The test outbox; the staff member presses Cancel right after the first email goes."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if len(mail.outbox) == 1:
            drafts_actions.cancel(message=Message.objects.get(status=Message.Status.SENDING))
        return sent


def test_cancelling_stops_a_batch_that_is_already_running(
    staff, make_supporter, settings, monkeypatch, django_capture_on_commit_callbacks
):
    for number in range(6):
        news_consent(make_supporter(f"Reader {number}"))
    message = draft(staff)
    snapshot(message, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = f"{__name__}.CancellingBackend"
    monkeypatch.setattr(delivery_actions, "CANCEL_CHECK_EVERY", 2)
    ids = sorted(Delivery.objects.filter(message=message).values_list("pk", flat=True))

    counts = delivery_actions.send_deliveries(message_id=message.pk, first_id=ids[0], last_id=ids[-1])

    assert (counts["sent"], counts["skipped"]) == (2, 4)
    assert len(mail.outbox) == 2
    assert Message.objects.get(pk=message.pk).status == Message.Status.CANCELLED
