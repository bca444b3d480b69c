"""Outgoing webhooks: signed deliveries to a real local receiver, retries, replay, the journal cursor."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from quartier.accounts.models import Activity
from quartier.api import tasks
from quartier.api.models import JournalCursor, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from quartier.api.tests.webhook_receiver import start_receiver, verify_as_documented
from quartier.api.webhooks import actions, signing
from quartier.testing import run_together


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()


def _endpoint(receiver, staff, events=("person.created",)) -> WebhookEndpoint:
    return actions.create_endpoint(
        url=receiver.url, event_types=list(events), description="CRM", created_by=staff
    )


def test_a_sign_up_reaches_the_receiver_signed_as_documented(receiver, staff, make_supporter):
    endpoint = _endpoint(receiver, staff)
    person = make_supporter("Anne Roy", email="anne@example.org")

    tasks.run_webhooks()

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert verify_as_documented(endpoint.secret, request.body, request.headers[signing.SIGNATURE_HEADER])
    assert not verify_as_documented("whsec_wrong", request.body, request.headers[signing.SIGNATURE_HEADER])
    body = json.loads(request.body)
    assert body["type"] == "person.created"
    assert body["data"]["person"]["identifiers"] == [f"quartier:{person.pk}"]
    assert body["data"]["person"]["email_addresses"][0]["address"] == "anne@example.org"
    assert request.headers["Idempotency-Key"] == body["id"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert str(delivery.idempotency_key) == body["id"]
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 200 and attempt.duration_ms >= 0


def test_the_signature_check_refuses_a_changed_body_or_an_old_timestamp():
    body = b'{"a":1}'
    header = signing.signature_header("whsec_x", body)
    assert signing.verify("whsec_x", body, header)
    assert not signing.verify("whsec_x", b'{"a":2}', header)
    old = signing.signature_header("whsec_x", body, timestamp=int(timezone.now().timestamp()) - 3600)
    assert not signing.verify("whsec_x", body, old)
    assert not signing.verify("whsec_x", body, "garbage")


def test_a_500_is_retried_later_with_the_same_body_and_key_then_succeeds(receiver, staff, make_supporter):
    _endpoint(receiver, staff)
    make_supporter("Anne Roy")
    receiver.statuses = [500]

    tasks.run_webhooks()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 500)
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=31)

    tasks.run_webhooks()  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    assert actions.deliver(delivery.pk, now=delivery.next_attempt_at + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert [a.status_code for a in WebhookAttempt.objects.order_by("number")] == [500, 200]


def test_the_wait_between_attempts_grows_exponentially(settings):
    settings.WEBHOOKS_FIRST_RETRY_SECONDS = 30
    assert [actions.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 120, 480]


def test_a_delivery_fails_after_its_last_attempt(receiver, staff, make_supporter, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    _endpoint(receiver, staff)
    make_supporter("Anne Roy")
    receiver.statuses = [500, 503]
    tasks.run_webhooks()
    delivery = WebhookDelivery.objects.get()
    actions.deliver(delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 2, 503)


def test_an_unreachable_receiver_is_logged_and_retried(settings, staff, make_supporter):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 2
    receiver, server = start_receiver()
    server.shutdown()
    server.server_close()
    _endpoint(receiver, staff)
    make_supporter("Anne Roy")
    tasks.run_webhooks()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying" and delivery.last_status_code is None
    assert "Error" in delivery.last_error


def test_a_replay_sends_the_same_event_again_with_its_key(
    receiver, staff, make_supporter, django_capture_on_commit_callbacks
):
    _endpoint(receiver, staff)
    make_supporter("Anne Roy")
    tasks.run_webhooks()
    delivery = WebhookDelivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.replay(delivery)

    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert WebhookAttempt.objects.filter(delivery=delivery, replay=True).count() == 1


def test_each_journal_row_makes_one_delivery_per_endpoint_however_often_it_is_read(
    receiver, staff, make_supporter
):
    _endpoint(receiver, staff)
    _endpoint(receiver, staff, events=("person.created", "rsvp.created"))
    make_supporter("Anne Roy")
    later = timezone.now() + timedelta(minutes=5)
    for _ in range(3):
        actions.pull_journal()
    actions.pull_journal(now=later)
    assert WebhookDelivery.objects.count() == 2


def test_the_cursor_waits_for_rows_that_may_still_be_settling(receiver, staff, make_supporter):
    _endpoint(receiver, staff)
    person = make_supporter("Anne Roy")
    row = Activity.objects.get(kind="accounts.signup", supporter=person)
    actions.pull_journal(now=row.recorded_at)
    assert JournalCursor.objects.get(name="webhooks").last_activity_id < row.pk
    actions.pull_journal(now=row.recorded_at + timedelta(minutes=2))
    assert JournalCursor.objects.get(name="webhooks").last_activity_id == row.pk
    assert WebhookDelivery.objects.count() == 1


def test_an_endpoint_gets_no_event_from_before_it_existed(receiver, staff, make_supporter):
    make_supporter("Before")
    actions.pull_journal()  # nobody listens yet
    _endpoint(receiver, staff)
    make_supporter("After", email="after@example.org")
    tasks.run_webhooks()
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0].body)["data"]["person"]["name"] == "After"


def test_a_paused_endpoint_receives_nothing(receiver, staff, make_supporter):
    endpoint = _endpoint(receiver, staff)
    actions.set_active(endpoint, active=False)
    make_supporter("Anne Roy")
    tasks.run_webhooks()
    assert receiver.requests == [] and WebhookDelivery.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_a_delivery_once(receiver, staff, make_supporter):
    _endpoint(receiver, staff)
    make_supporter("Anne Roy")
    actions.pull_journal()
    delivery = WebhookDelivery.objects.get()
    outcomes = run_together([lambda: actions.deliver(delivery.pk)] * 2)
    assert sorted(outcomes) == [False, True]
    assert len(receiver.requests) == 1


def test_pausing_an_endpoint_holds_its_retries_until_it_resumes(receiver, staff, make_supporter):
    endpoint = _endpoint(receiver, staff)
    make_supporter("Anne Roy")
    receiver.statuses = [500]
    tasks.run_webhooks()
    delivery = WebhookDelivery.objects.get()
    actions.set_active(endpoint, active=False)
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert actions.due_deliveries(now=later) == []
    actions.set_active(endpoint, active=True)
    assert actions.due_deliveries(now=later) == [delivery.pk]
