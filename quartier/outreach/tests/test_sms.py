"""Text messages: opt-in with its wording, STOP at once and confirmed once, HELP, quiet hours, signed webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.lib.urls import absolute_url
from quartier.outreach import sms
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import delivery as delivery_actions
from quartier.outreach.actions import sms as sms_actions
from quartier.outreach.models import CAMPAIGN_NEWS, Delivery, InboundSms, SmsSubscription

pytestmark = pytest.mark.django_db

PHONE = "+15145550123"


@pytest.fixture(autouse=True)
def _empty_sandbox(settings):
    settings.SMS_GATEWAY = "sandbox"
    settings.SMS_SANDBOX_SECRET = "test-secret"
    settings.SMS_QUIET_HOURS = (21, 9)
    sms.SANDBOX_OUTBOX.clear()
    yield
    sms.SANDBOX_OUTBOX.clear()


def twilio_sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's documented webhook signature, written here apart from the product's: the URL, then
    each field's name and value sorted by name, HMAC-SHA1 with the auth token, base64."""
    signed = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


# The example of Twilio's "Webhooks security" page: this URL, these fields and auth token 12345.
TWILIO_DOCS_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_DOCS_FIELDS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
TWILIO_DOCS_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilio_signatures_follow_the_example_of_twilio_s_documentation():
    assert twilio_sign("12345", TWILIO_DOCS_URL, TWILIO_DOCS_FIELDS) == TWILIO_DOCS_SIGNATURE
    fields = {name: [value] for name, value in TWILIO_DOCS_FIELDS.items()}
    assert sms.twilio_signature("12345", TWILIO_DOCS_URL, fields) == TWILIO_DOCS_SIGNATURE
    assert sms.twilio_signature("12346", TWILIO_DOCS_URL, fields) != TWILIO_DOCS_SIGNATURE
    assert (
        sms.twilio_signature("12345", TWILIO_DOCS_URL, {**fields, "Digits": ["1235"]})
        != TWILIO_DOCS_SIGNATURE
    )


def sandbox_post(text: str, *, message_id: str, phone: str = PHONE, secret_ok: bool = True):
    body = urllib.parse.urlencode({"id": message_id, "from": phone, "text": text})
    signature = sms.SandboxGateway.signature(body.encode()) if secret_ok else "0" * 64
    return Client().post(
        reverse("outreach:sms_inbound", args=["sandbox"]),
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Sandbox-Signature": signature},
    )


def subscribed(supporter=None, phone: str = PHONE, **fields) -> SmsSubscription:
    return sms_actions.sms_opt_in(
        phone=phone, wording="Yes, text me. Reply STOP to stop.", language=fields.pop("language", "en"),
        source=SmsSubscription.Source.FORM, supporter=supporter, **fields,
    )  # fmt: skip


@pytest.mark.parametrize(
    "word", ["STOP", "stop", " Arrêt ", "ARRET", "UNSUBSCRIBE", "cancel", "END", "QUIT", "stop all"]
)
def test_every_stop_word_stops_the_number_at_once(word, django_capture_on_commit_callbacks):
    subscribed()

    with django_capture_on_commit_callbacks(execute=True):
        response = sandbox_post(word, message_id="in-1")

    assert response.status_code == 200 and response.json() == {"keyword": "stop"}
    assert SmsSubscription.objects.get(phone=PHONE).opted_out_at is not None
    assert [to for to, _text in sms.SANDBOX_OUTBOX] == [PHONE]


def test_stop_is_confirmed_once_and_a_retried_webhook_acts_once(django_capture_on_commit_callbacks):
    subscribed()

    with django_capture_on_commit_callbacks(execute=True):
        sandbox_post("STOP", message_id="in-1")
        sandbox_post("STOP", message_id="in-1")  # the gateway retries
        sandbox_post("ARRÊT", message_id="in-2")  # the person insists

    assert len(sms.SANDBOX_OUTBOX) == 1
    assert "no more texts" in sms.SANDBOX_OUTBOX[0][1]
    assert InboundSms.objects.count() == 2


def test_help_is_answered_and_changes_nothing(django_capture_on_commit_callbacks):
    subscribed()

    with django_capture_on_commit_callbacks(execute=True):
        sandbox_post("help", message_id="in-1")

    assert SmsSubscription.objects.get(phone=PHONE).opted_out_at is None
    assert "Reply STOP to stop" in sms.SANDBOX_OUTBOX[0][1]


def test_start_after_stop_opts_in_again_with_the_text_kept(django_capture_on_commit_callbacks):
    subscribed()
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_post("STOP", message_id="in-1")
        sandbox_post("START", message_id="in-2")

    subscription = SmsSubscription.objects.get(phone=PHONE)
    assert subscription.opted_out_at is None and subscription.wording == "START"
    assert subscription.source == SmsSubscription.Source.KEYWORD


def test_a_forged_webhook_is_refused_and_changes_nothing():
    subscribed()

    response = sandbox_post("STOP", message_id="in-1", secret_ok=False)

    assert response.status_code == 403 and response.json() == {"error": "bad_signature"}
    assert SmsSubscription.objects.get(phone=PHONE).opted_out_at is None
    assert InboundSms.objects.count() == 0


def test_twilio_webhooks_are_checked_with_twilio_s_documented_signature(
    settings, django_capture_on_commit_callbacks
):
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    subscribed()
    params = {"MessageSid": "SM123", "From": PHONE, "Body": "STOP", "To": "+15145550000"}
    url = reverse("outreach:sms_inbound", args=["twilio"])
    good = twilio_sign("twilio-token", absolute_url(url), params)

    forged = Client().post(url, params, headers={"X-Twilio-Signature": "bm9wZQ=="})
    assert forged.status_code == 403
    assert SmsSubscription.objects.get(phone=PHONE).opted_out_at is None

    settings.SMS_GATEWAY = "twilio"
    sent = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sms.TwilioGateway, "send", lambda self, *, to, body: sent.append((to, body)) or "SM1")
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(url, params, headers={"X-Twilio-Signature": good})

    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    assert SmsSubscription.objects.get(phone=PHONE).opted_out_at is not None
    assert [to for to, _body in sent] == [PHONE]


@pytest.mark.parametrize(
    ("signed_url", "accepted"),
    [
        ("https://campaign.example.org{path}", True),
        ("https://campaign.example.org:443{path}", True),  # Twilio may sign the default port
        ("https://campaign.example.org:8443{path}", False),
        ("http://campaign.example.org{path}", False),
        ("https://campaign.example.org{path}?extra=1", False),
    ],
)
def test_a_twilio_signature_covers_the_public_address(settings, signed_url, accepted):
    settings.SITE_URL = "https://campaign.example.org"
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    subscribed()
    params = {"MessageSid": "SM124", "From": PHONE, "Body": "STOP"}
    url = reverse("outreach:sms_inbound", args=["twilio"])
    signature = twilio_sign("twilio-token", signed_url.format(path=url), params)

    response = Client().post(url, params, headers={"X-Twilio-Signature": signature})

    assert response.status_code == (200 if accepted else 403)
    assert (SmsSubscription.objects.get(phone=PHONE).opted_out_at is not None) is accepted


def test_a_twilio_webhook_altered_after_signing_or_badly_signed_changes_nothing(settings):
    settings.TWILIO_AUTH_TOKEN = "twilio-token"
    subscribed()
    url = reverse("outreach:sms_inbound", args=["twilio"])
    signed = {"MessageSid": "SM125", "From": PHONE, "Body": "HELP"}
    signature = twilio_sign("twilio-token", absolute_url(url), signed)
    attempts = [
        ({**signed, "Body": "STOP"}, signature),  # a field changed
        ({**signed, "Extra": "STOP"}, signature),  # a field added
        (signed, twilio_sign("other-token", absolute_url(url), signed)),  # another account's token
        (signed, ""),
        (signed, "é" * 28),  # not base64, not ASCII: refused, not a server error
    ]

    for params, given in attempts:
        response = Client().post(url, params, headers={"X-Twilio-Signature": given})
        assert response.status_code == 403 and response.json() == {"error": "bad_signature"}

    settings.TWILIO_AUTH_TOKEN = ""  # without a token nothing is accepted, even "signed" with ""
    unsigned = twilio_sign("", absolute_url(url), {**signed, "Body": "STOP"})
    response = Client().post(url, {**signed, "Body": "STOP"}, headers={"X-Twilio-Signature": unsigned})
    assert response.status_code == 403
    assert SmsSubscription.objects.get(phone=PHONE).opted_out_at is None
    assert InboundSms.objects.count() == 0


class FakeTwilio(BaseHTTPRequestHandler):
    """Twilio's Messages API as it answers a create: form fields in, JSON with a `sid` out."""

    received: list[dict] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        FakeTwilio.received.append({"path": self.path, "auth": self.headers["Authorization"], **fields})
        payload = json.dumps({"sid": f"SM{len(FakeTwilio.received):032d}", "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_the_twilio_adapter_speaks_the_messages_api(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC123", "secret"
    settings.TWILIO_FROM_NUMBER = "+15145550000"
    FakeTwilio.received.clear()
    try:
        sid = sms.TwilioGateway().send(to=PHONE, body="Hello")
    finally:
        server.shutdown()

    assert sid.startswith("SM")
    request = FakeTwilio.received[0]
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert (request["To"], request["From"], request["Body"]) == (PHONE, "+15145550000", "Hello")
    assert request["auth"].startswith("Basic ")


def test_quiet_hours_follow_the_recipient_s_time_zone():
    evening_utc = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 22:00 in Toronto, 04:00 in Paris

    assert delivery_actions.in_quiet_hours("America/Toronto", evening_utc)
    assert delivery_actions.in_quiet_hours("Europe/Paris", evening_utc)
    assert not delivery_actions.in_quiet_hours("America/Vancouver", evening_utc)  # 19:00


def test_a_text_campaign_reaches_active_numbers_only_and_waits_out_quiet_hours(
    staff, make_supporter, monkeypatch, django_capture_on_commit_callbacks
):
    awake, asleep, stopped = (
        make_supporter("Awake Person"),
        make_supporter("Asleep"),
        make_supporter("Stopped"),
    )
    subscribed(awake, phone="+15145550001", time_zone="America/Vancouver")
    subscribed(asleep, phone="+15145550002", time_zone="Europe/Paris")
    subscribed(stopped, phone="+15145550003")
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_post("STOP", message_id="in-9", phone="+15145550003")
    sms.SANDBOX_OUTBOX.clear()
    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: zone == "Europe/Paris")

    with django_capture_on_commit_callbacks(execute=True):
        message = campaign_send_actions.send_sms_message(
            author=staff, body="Hi {{ first_name }}, vote Sunday!", segment={"topic": CAMPAIGN_NEWS}
        )

    assert sms.SANDBOX_OUTBOX == [("+15145550001", "Quartier: Hi Awake, vote Sunday!\nReply STOP to stop.")]
    assert message.recipient_count == 2
    deferred = Delivery.objects.get(message=message, supporter=asleep)
    assert deferred.status == "queued"
    assert deferred.not_before == delivery_actions.quiet_hours_end("Europe/Paris")

    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: False)
    campaign_send_actions.sweep()  # still night in Paris: not claimed
    assert [to for to, _text in sms.SANDBOX_OUTBOX] == ["+15145550001"]

    Delivery.objects.filter(pk=deferred.pk).update(
        not_before=timezone.now() - timedelta(seconds=1)
    )  # morning
    campaign_send_actions.sweep()
    assert [to for to, _text in sms.SANDBOX_OUTBOX] == ["+15145550001", "+15145550002"]


def test_stop_during_a_text_campaign_is_honoured_before_the_next_batch(
    staff, make_supporter, monkeypatch, django_capture_on_commit_callbacks
):
    person = make_supporter("Texter")
    subscribed(person)
    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: False)
    with django_capture_on_commit_callbacks(execute=False):
        message = campaign_send_actions.send_sms_message(
            author=staff, body="Hello", segment={"topic": CAMPAIGN_NEWS}
        )
    with django_capture_on_commit_callbacks(execute=True):
        sandbox_post("STOP", message_id="in-1")
    sms.SANDBOX_OUTBOX.clear()

    campaign_send_actions.sweep()

    assert sms.SANDBOX_OUTBOX == []
    assert Delivery.objects.get(message=message).status == "skipped"


def test_phone_numbers_are_normalised_or_refused():
    assert sms.normalize_phone("(514) 555-0123") == "+15145550123"
    assert sms.normalize_phone("06 12 34 56 78", "FR") == "+33612345678"
    assert sms.normalize_phone("12") is None
    assert sms.normalize_phone("not a number") is None


def test_unknown_merge_fields_are_refused_before_texting(staff):
    with pytest.raises(campaign_send_actions.OutreachError):
        campaign_send_actions.send_sms_message(
            author=staff, body="Hi {{ frist_name }}", segment={"topic": CAMPAIGN_NEWS}
        )
