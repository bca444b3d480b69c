"""The ESP tracking webhooks: off without a secret, refused without it, 400 (never 500) on a bad body,
and the events of Postmark and SendGrid (in the shapes they post) recorded."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import checks
from django.test import Client
from django.urls import reverse

from quartier.outreach import queries
from quartier.outreach.checks import check_tracking_webhook_secret
from quartier.outreach.models import Delivery, Suppression
from quartier.outreach.tests.helpers import send

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning"),
    pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning"),
]

SECRET = "hook:s3cret"


def postmark_bounce(email: str, delivery_id: int | None = None, *, kind: str = "HardBounce") -> dict:
    """A Postmark bounce webhook as Postmark documents it."""
    return {
        "RecordType": "Bounce", "MessageStream": "broadcast", "ID": 4323372036854775807, "Type": kind,
        "TypeCode": 1, "Name": "Hard bounce", "Tag": "", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"outreach_delivery": str(delivery_id)} if delivery_id else {}, "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email, "From": "news@example.org", "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True, "Inactive": True, "CanActivate": True, "Subject": "Door-knocking on Saturday",
    }  # fmt: skip


def postmark_complaint(email: str) -> dict:
    return {
        "RecordType": "SpamComplaint", "MessageStream": "broadcast", "ID": 42, "Type": "SpamComplaint",
        "TypeCode": 512, "Name": "Spam complaint", "Tag": "", "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {}, "ServerID": 1234, "Description": "", "Details": "Test spam complaint details",
        "Email": email, "From": "news@example.org", "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True, "Inactive": True, "CanActivate": False, "Subject": "Door-knocking on Saturday",
    }  # fmt: skip


def postmark_delivery(email: str, delivery_id: int) -> dict:
    return {
        "RecordType": "Delivery", "ServerID": 23, "MessageStream": "broadcast",
        "MessageID": "00000000-0000-0000-0000-000000000000", "Recipient": email, "Tag": "",
        "DeliveredAt": "2026-11-05T16:33:54.9070259Z", "Details": "Test delivery webhook details",
        "Metadata": {"outreach_delivery": str(delivery_id)},
    }  # fmt: skip


def sendgrid_events(email: str, delivery_id: int | None = None) -> list[dict]:
    """SendGrid's Event Webhook: a JSON array; our custom args come back as top-level keys."""
    custom = {"outreach_delivery": str(delivery_id)} if delivery_id else {}
    common = {"email": email, "timestamp": 1764950000, "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>"}
    return [
        {**common, **custom, "event": "processed", "sg_event_id": "rbtnWrG1DVDGGGFHFyun0A==",
         "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000"},
        {**common, **custom, "event": "delivered", "response": "250 OK", "sg_event_id": "rWVYmVk90MjZJ9iohOBa3w==",
         "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000"},
        {**common, **custom, "event": "bounce", "reason": "500 unknown recipient", "status": "5.0.0",
         "type": "bounce", "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
         "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000"},
    ]  # fmt: skip


def sendgrid_spamreport(email: str) -> list[dict]:
    return [
        {"email": email, "timestamp": 1764950000, "event": "spamreport", "sg_event_id": "37nvH5QBz858KGVYCM4uOA==",
         "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000"}
    ]  # fmt: skip


def post(esp: str, body: object, *, auth: str | None = SECRET):
    headers = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    client = Client(raise_request_exception=False)  # a 500 is an answer here, not a test crash
    return client.post(
        reverse("outreach:esp_tracking", args=[esp]),
        data=data,
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key"}


def a_bounce(esp: str, email: str) -> object:
    return postmark_bounce(email) if esp == "postmark" else sendgrid_events(email)


# --- without a secret: not served ---------------------------------------------------------------------


@pytest.mark.parametrize("esp", ["postmark", "sendgrid", "mailgun", "brevo"])
def test_without_a_secret_the_tracking_webhooks_answer_404_and_suppress_nobody(settings, esp):
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x", "SENDGRID_API_KEY": "x", "BREVO_API_KEY": "x"}
    body = {
        "postmark": postmark_complaint("victim@example.org"),
        "sendgrid": sendgrid_spamreport("victim@example.org"),
    }

    response = post(esp, body.get(esp, postmark_complaint("victim@example.org")), auth=None)

    assert response.status_code == 404 and response.json() == {"error": "esp_not_configured"}
    assert Suppression.objects.count() == 0


def test_check_deploy_says_why_the_webhooks_are_off(settings):
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x"}

    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])

    assert [message.id for message in found if message.id.startswith("outreach.")] == ["outreach.W001"]
    assert "404" in check_tracking_webhook_secret()[0].msg

    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "x", "WEBHOOK_SECRET": SECRET}
    assert check_tracking_webhook_secret() == []
    settings.EMAIL_BACKEND, settings.ANYMAIL = "django.core.mail.backends.smtp.EmailBackend", {}
    assert check_tracking_webhook_secret() == []  # no ESP, no webhooks to speak of


# --- with a secret: requests without it are refused ----------------------------------------------------


@pytest.mark.parametrize("esp", ["postmark", "sendgrid"])
@pytest.mark.parametrize("auth", [None, "hook:wrong", "hook", ""])
def test_a_request_without_the_secret_is_refused_and_changes_nothing(secret, esp, auth):
    response = post(esp, a_bounce(esp, "victim@example.org"), auth=auth)

    assert response.status_code == 400
    assert Suppression.objects.count() == 0


# --- Postmark and SendGrid, as they post ---------------------------------------------------------------


def test_postmark_delivery_bounce_and_complaint_are_recorded_once(
    secret, members, django_capture_on_commit_callbacks
):
    (member,) = members(1)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, [member])
    delivery = Delivery.objects.get(message=message)

    answers = [
        post("postmark", postmark_delivery(member.email, delivery.pk)),
        post("postmark", postmark_bounce(member.email, delivery.pk)),
        post("postmark", postmark_bounce(member.email, delivery.pk)),  # retried by Postmark
        post("postmark", postmark_complaint("angry@example.org")),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
    stats = queries.message_stats(message)
    assert (stats["delivered"], stats["bounced"]) == (1, 1)
    assert dict(Suppression.objects.values_list("address", "reason")) == {
        member.email: "bounced",
        "angry@example.org": "complained",
    }


def test_sendgrid_event_batches_are_recorded(secret, members, django_capture_on_commit_callbacks):
    (member,) = members(1)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, [member])
    delivery = Delivery.objects.get(message=message)

    first = post("sendgrid", sendgrid_events(member.email, delivery.pk))
    second = post("sendgrid", sendgrid_spamreport("angry@example.org"))

    assert (first.status_code, second.status_code) == (200, 200)
    stats = queries.message_stats(message)
    assert (stats["delivered"], stats["bounced"]) == (1, 1)
    assert dict(Suppression.objects.values_list("address", "reason")) == {
        member.email: "bounced",
        "angry@example.org": "complained",
    }


# --- bodies that are not what the ESP posts: 400, never 500 --------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000

MALFORMED = {
    "postmark": [
        b"not json",
        b"\xff\xfe\x00",
        "",
        DEEP,
        "[]",
        "[1, 2]",
        '"a string"',
        "12",
        {"RecordType": "Bounce", "Type": ["HardBounce"], "Email": "x@example.org"},
        {"RecordType": "Delivery", "Recipient": "x@example.org", "DeliveredAt": 12},
        {"RecordType": "Bounce", "Email": "x@example.org", "Metadata": []},
        {"RecordType": ["Bounce"]},
    ],
    "sendgrid": [
        b"not json",
        b"\xff\xfe\x00",
        "",
        DEEP,
        '{"event": "bounce"}',
        "[1]",
        "12",
        '"bounce"',
        [{"event": "bounce", "email": "x@example.org", "timestamp": 1e20}],
        [{"event": "bounce", "email": "x@example.org", "timestamp": "yesterday"}],
        [{"event": ["bounce"], "email": "x@example.org"}],
        [{"event": "dropped", "email": "x@example.org", "type": 5}],
        [{"email": "x@example.org"}],
    ],
    "mailgun": [
        b"not json",
        "[]",
        '{"signature": []}',
        '{"signature": {"timestamp": "\u00e9", "token": "t"}}',
    ],
}


@pytest.mark.parametrize(
    ("esp", "body"), [(esp, body) for esp, bodies in MALFORMED.items() for body in bodies]
)
def test_a_body_the_esp_would_never_post_is_a_400_not_a_500(secret, esp, body):
    response = post(esp, body)

    assert response.status_code == 400
    assert Suppression.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        postmark_bounce("x" * 400 + "@example.org"),  # longer than any address we keep
        postmark_bounce("", 99999999999999999999999999),  # not one of our delivery ids
        {**postmark_bounce("x@example.org"), "Email": 5},
        {**postmark_bounce(""), "Metadata": {"outreach_delivery": ["1"]}},
    ],
)
def test_readable_events_with_odd_values_are_accepted_and_ignored(secret, body):
    response = post("postmark", body)

    assert response.status_code == 200
    assert Suppression.objects.count() == 0
