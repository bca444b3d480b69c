"""Topics and preferences by signed link, double opt-in, ESP feedback, transactional mail apart."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from quartier.accounts.models import ConsentRecord
from quartier.outreach import access, queries
from quartier.outreach.access import confirm_token, preferences_token
from quartier.outreach.actions import consent as consent_actions
from quartier.outreach.actions import personal_email as personal_email_actions
from quartier.outreach.models import (
    CAMPAIGN_NEWS,
    TOPIC_FUNDRAISING,
    TOPIC_LOCAL_EVENTS,
    Delivery,
    SmsConfirmation,
    SmsSubscription,
    Suppression,
)
from quartier.outreach.tests.helpers import consent
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def preferences_url(supporter) -> str:
    return reverse("outreach:preferences", args=[preferences_token(supporter)])


def test_the_signed_link_opens_the_preferences_without_signing_in(supporter):
    consent(supporter, CAMPAIGN_NEWS)

    page = Client().get(preferences_url(supporter))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="topic_campaign_news" checked' in html or re.search(
        r'name="topic_campaign_news"[^>]*checked', html
    )
    assert not re.search(r'name="sms_consent"[^>]*checked', html)  # the text opt-in starts unticked


def test_a_forged_preferences_link_is_refused():
    response = Client().get(reverse("outreach:preferences", args=["forged:token"]))

    assert response.status_code == 404


def test_choosing_topics_records_each_change_with_its_wording(supporter):
    consent(supporter, CAMPAIGN_NEWS)

    response = Client().post(
        preferences_url(supporter),
        {"topic_local_events": "on", "topic_fundraising": ""},
        REMOTE_ADDR="192.0.2.9",
    )

    assert response.status_code == 302
    assert queries.has_consented(supporter, TOPIC_LOCAL_EVENTS)
    assert not queries.has_consented(supporter, CAMPAIGN_NEWS)  # unticked: a no, recorded
    assert not queries.has_consented(supporter, TOPIC_FUNDRAISING)
    record = ConsentRecord.objects.get(supporter=supporter, audience=TOPIC_LOCAL_EVENTS)
    assert (record.granted, record.source, record.ip_address) == (True, "settings", "192.0.2.9")
    assert "Events near me" in record.wording
    latest_news = (
        ConsentRecord.objects.filter(supporter=supporter, audience=CAMPAIGN_NEWS)
        .order_by("-created_at", "-id")
        .first()
    )
    assert (latest_news.granted, latest_news.source) == (False, "settings")


def test_texts_need_a_valid_number_and_the_ticked_box(supporter):
    bad = Client().post(preferences_url(supporter), {"phone": "12", "sms_consent": "on"})
    assert bad.status_code == 200 and "Enter a mobile number" in bad.content.decode()
    assert SmsSubscription.objects.count() == 0

    Client().post(preferences_url(supporter), {"phone": "514 555 0123"})  # box left unticked
    assert SmsSubscription.objects.count() == 0

    Client().post(preferences_url(supporter), {"phone": "514 555 0123", "sms_consent": "on"})
    assert SmsSubscription.objects.count() == 0  # until the code texted to it is typed back
    waiting = SmsConfirmation.objects.get()
    assert (waiting.phone, waiting.supporter) == ("+15145550123", supporter)
    assert "Reply STOP" in waiting.wording


def test_unsubscribe_from_everything_suppresses_the_address_and_a_new_yes_lifts_it(supporter):
    consent(supporter, CAMPAIGN_NEWS)
    consent(supporter, TOPIC_LOCAL_EVENTS)

    Client().post(preferences_url(supporter), {"everything": "1"})

    assert queries.is_suppressed(supporter.email)
    assert not queries.has_consented(supporter, CAMPAIGN_NEWS)
    assert not queries.has_consented(supporter, TOPIC_LOCAL_EVENTS)

    Client().post(preferences_url(supporter), {"topic_campaign_news": "on"})

    assert not queries.is_suppressed(supporter.email)
    assert queries.has_consented(supporter, CAMPAIGN_NEWS)


def test_double_opt_in_records_the_yes_only_from_the_emailed_link(
    supporter, settings, django_capture_on_commit_callbacks
):
    settings.OUTREACH_DOUBLE_OPT_IN = True

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(preferences_url(supporter), {"topic_fundraising": "on"})

    assert not queries.has_consented(supporter, TOPIC_FUNDRAISING)
    assert [email.to for email in mail.outbox] == [[supporter.email]]
    link = re.search(r"http://\S+/email/confirm/\S+/", mail.outbox[0].body).group(0)
    path = link.split("127.0.0.1:8000", 1)[1] if "127.0.0.1:8000" in link else link
    client = Client()
    assert client.get(path).status_code == 200 and not queries.has_consented(supporter, TOPIC_FUNDRAISING)

    client.post(path)
    client.post(path)

    assert queries.has_consented(supporter, TOPIC_FUNDRAISING)
    assert ConsentRecord.objects.filter(supporter=supporter, audience=TOPIC_FUNDRAISING).count() == 1


def test_an_expired_or_forged_confirmation_link_changes_nothing(supporter, monkeypatch):
    token = confirm_token(supporter, TOPIC_FUNDRAISING)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 8 * 24 * 3600)

    expired = Client().post(reverse("outreach:confirm_topic", args=[token]))
    monkeypatch.setattr(time, "time", real_time)
    forged = Client().post(reverse("outreach:confirm_topic", args=[token[:-2] + "xx"]))

    assert expired.status_code == 400 and forged.status_code == 400
    assert not queries.has_consented(supporter, TOPIC_FUNDRAISING)


def test_every_bulk_email_links_to_the_signed_preferences(members, django_capture_on_commit_callbacks):
    from quartier.outreach.tests.helpers import send

    (member,) = members(1)
    with django_capture_on_commit_callbacks(execute=True):
        send(None, [member])

    # The link is signed with a timestamp: compare what it opens, not its text (a second may pass).
    prefix = preferences_url(member).rsplit("/", 2)[0] + "/"
    links = re.findall(re.escape(prefix) + r"([^/\s]+)/", mail.outbox[0].body)
    assert len(links) == 1
    assert access.get_preferences_supporter(links[0]) == member


# --- feedback from the ESP: anymail's Mailgun tracking webhook, signed as Mailgun signs it ------------


def mailgun_event(
    event: str, recipient: str, delivery_id: int | None, *, key: str, severity: str = "permanent"
):
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "event": event, "recipient": recipient, "id": f"evt-{event}-{recipient}", "timestamp": time.time(),
        "severity": severity, "message": {"headers": {"message-id": "x@example"}},
        "user-variables": {"outreach_delivery": str(delivery_id)} if delivery_id else {},
    }  # fmt: skip
    return json.dumps(
        {"signature": {"timestamp": timestamp, "token": token, "signature": signature}, "event-data": data}
    )


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret", "MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key"}
    return "signing-key"


def post_tracking(body: str, *, auth: str = "hook:secret"):
    import base64

    return Client().post(
        reverse("outreach:esp_tracking", args=["mailgun"]),
        data=body,
        content_type="application/json",
        headers={"Authorization": "Basic " + base64.b64encode(auth.encode()).decode()},
    )


def test_a_hard_bounce_suppresses_the_address_and_counts_on_its_delivery(
    members, mailgun, django_capture_on_commit_callbacks
):
    from quartier.outreach.tests.helpers import send

    (member,) = members(1)
    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, [member])
    delivery = Delivery.objects.get(message=message)

    assert (
        post_tracking(mailgun_event("delivered", member.email, delivery.pk, key=mailgun)).status_code == 200
    )
    assert post_tracking(mailgun_event("failed", member.email, delivery.pk, key=mailgun)).status_code == 200
    post_tracking(mailgun_event("failed", member.email, delivery.pk, key=mailgun))  # retried by the ESP

    stats = queries.message_stats(message)
    assert (stats["delivered"], stats["bounced"]) == (1, 1)
    assert Suppression.objects.get(address=member.email).reason == "bounced"


def test_a_temporary_failure_suppresses_nothing(mailgun):
    post_tracking(mailgun_event("failed", "slow@example.org", None, key=mailgun, severity="temporary"))

    assert not queries.is_suppressed("slow@example.org")


def test_a_complaint_suppresses_the_address(mailgun):
    post_tracking(mailgun_event("complained", "angry@example.org", None, key=mailgun))

    assert Suppression.objects.get(address="angry@example.org").reason == "complained"


def test_a_forged_or_unauthenticated_webhook_changes_nothing(mailgun):
    forged = post_tracking(mailgun_event("complained", "x@example.org", None, key="not-the-key"))
    no_auth = post_tracking(
        mailgun_event("complained", "y@example.org", None, key=mailgun), auth="hook:wrong"
    )

    assert forged.status_code == 400 and no_auth.status_code == 400
    assert Suppression.objects.count() == 0


def test_an_unconfigured_esp_answers_404_not_500(settings):
    settings.ANYMAIL = {}

    response = Client().post(
        reverse("outreach:esp_tracking", args=["mailgun"]), data="{}", content_type="application/json"
    )
    unknown = Client().post(reverse("outreach:esp_tracking", args=["nope"]))

    assert response.status_code == 404 and response.json() == {"error": "esp_not_configured"}
    assert unknown.status_code == 404


# --- transactional mail is apart from marketing -------------------------------------------------------


def test_a_password_reset_reaches_a_suppressed_address_and_carries_no_marketing(supporter):
    consent_actions.unsubscribe_from_everything(supporter=supporter, language="en", ip_address=None)
    mail.outbox.clear()

    Client().post(reverse("account_reset_password"), {"email": supporter.email})

    assert [email.to for email in mail.outbox] == [[supporter.email]]
    email = mail.outbox[0]
    assert "List-Unsubscribe" not in email.extra_headers
    assert "unsubscribe" not in email.body.lower()


def test_an_rsvp_confirmation_still_reaches_someone_who_unsubscribed_from_everything(
    supporter, make_supporter, staff, django_capture_on_commit_callbacks
):
    from quartier.organizing.actions import rsvps as organizing_rsvps
    from quartier.tests.personal_data.common import People

    event = People(organiser=make_supporter("Host"), staff=staff).make_event(
        make_supporter("Host 2"), title="Canvass"
    )
    consent_actions.unsubscribe_from_everything(supporter=supporter, language="en", ip_address=None)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        organizing_rsvps.rsvp(supporter=supporter, shift=event.shifts.get())

    assert [email.to for email in mail.outbox] == [[supporter.email]]
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_a_signed_in_supporter_reaches_their_preferences_from_settings(supporter):
    client = client_for(supporter)

    settings_page = client.get(reverse("accounts:settings_email"))
    preferences_page = client.get(reverse("outreach:my_preferences"))

    assert reverse("outreach:my_preferences") in settings_page.content.decode()
    assert preferences_page.status_code == 200
    assert Client().get(reverse("outreach:my_preferences")).status_code == 302


def test_the_dashboard_summary_says_what_one_receives_and_whom_one_emailed(supporter, other_supporter):
    from django.template.loader import render_to_string

    assert queries.dashboard_summary(other_supporter) == {}
    consent(supporter, CAMPAIGN_NEWS)
    personal_email_actions.send_personal_email(
        sender=supporter, addresses=["a@example.org", "b@example.org"], subject="Hi", body="Read this.",
        link_url="", source="fundraising_page:1",
    )  # fmt: skip

    summary = queries.dashboard_summary(supporter)
    html = render_to_string("outreach/_dashboard_panel.html", {"summary": summary})

    assert summary == {
        "receiving": ["News and calls to action from the campaign"], "people_emailed": 2, "suppressed": False,
    }  # fmt: skip
    assert "You emailed 2 people" in html and reverse("outreach:my_preferences") in html


def test_the_signed_preferences_page_speaks_the_recipients_language_not_the_browsers(make_supporter):
    french = make_supporter(email="louise@example.org", language="fr")
    english = make_supporter(email="june@example.org", language="en")

    page = Client(HTTP_ACCEPT_LANGUAGE="en-CA,en").get(preferences_url(french)).content.decode()
    assert '<html lang="fr">' in page and "courriel" in page
    sent = Client(HTTP_ACCEPT_LANGUAGE="en").post(preferences_url(french), {"everything": "1"}, follow=True)
    assert '<html lang="fr">' in sent.content.decode()
    assert ConsentRecord.objects.filter(supporter=french).latest("pk").language == "fr"

    assert (
        '<html lang="en">' in Client(HTTP_ACCEPT_LANGUAGE="fr").get(preferences_url(english)).content.decode()
    )
    chose = Client(HTTP_ACCEPT_LANGUAGE="fr")
    chose.cookies["django_language"] = "en"  # the visitor picked English with the language switcher
    assert '<html lang="en">' in chose.get(preferences_url(french)).content.decode()
