"""Double opt-in for texts: a number typed into the form is subscribed only once the code texted to it is
typed back; a number that texted STOP is never re-subscribed by a form, whoever posts it."""

from __future__ import annotations

import re
import urllib.parse
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.outreach import sms
from quartier.outreach.access import preferences_token
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import delivery as delivery_actions
from quartier.outreach.actions import sms as sms_actions
from quartier.outreach.models import CAMPAIGN_NEWS, SmsConfirmation, SmsSubscription
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

PHONE = "+15145550123"


@pytest.fixture(autouse=True)
def _sandbox(settings, monkeypatch):
    settings.SMS_GATEWAY = "sandbox"
    settings.SMS_SANDBOX_SECRET = "test-secret"
    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: False)
    sms.SANDBOX_OUTBOX.clear()
    yield
    sms.SANDBOX_OUTBOX.clear()


def preferences_url(supporter) -> str:
    return reverse("outreach:preferences", args=[preferences_token(supporter)])


def ask_for_texts(supporter, phone: str = "514 555 0123", client: Client | None = None):
    return (client or Client()).post(
        preferences_url(supporter),
        {"phone": phone, "sms_consent": "on"},
        REMOTE_ADDR="192.0.2.9",
        follow=True,
    )


def type_code(supporter, code: str, client: Client | None = None):
    return (client or Client()).post(preferences_url(supporter), {"sms_code": code}, follow=True)


def codes_texted_to(phone: str = PHONE) -> list[str]:
    found = [re.search(r"code is (\d{6})\b", text) for to, text in sms.SANDBOX_OUTBOX if to == phone]
    return [match.group(1) for match in found if match]


def text_in(word: str, message_id: str, phone: str = PHONE):
    body = urllib.parse.urlencode({"id": message_id, "from": phone, "text": word})
    return Client().post(
        reverse("outreach:sms_inbound", args=["sandbox"]), data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Sandbox-Signature": sms.SandboxGateway.signature(body.encode())},
    )  # fmt: skip


def subscription() -> SmsSubscription | None:
    return SmsSubscription.objects.filter(phone=PHONE).first()


def subscribed_by_code(supporter, django_capture_on_commit_callbacks) -> SmsSubscription:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_texts(supporter)
    type_code(supporter, codes_texted_to()[-1])
    return subscription()


def test_a_number_is_subscribed_only_once_the_code_texted_to_it_is_typed_back(
    supporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = ask_for_texts(supporter)

    assert subscription() is None  # typing a number proves nothing
    (code,) = codes_texted_to()
    assert "We texted a code to +15145550123" in asked.content.decode()
    assert 'name="sms_code"' in asked.content.decode()

    wrong = type_code(supporter, f"{(int(code) + 1) % 10**6:06d}")
    assert wrong.status_code == 200 and "not the code we texted" in wrong.content.decode()
    assert subscription() is None

    right = type_code(supporter, f"{code[:3]} {code[3:]}")

    assert "our texts will go to +15145550123" in right.content.decode()
    row = subscription()
    assert (row.supporter, row.source, row.opted_out_at, row.ip_address) == (
        supporter, SmsSubscription.Source.FORM, None, "192.0.2.9",
    )  # fmt: skip
    assert "Reply STOP" in row.wording
    again = type_code(supporter, code)  # a code works once
    assert "not the code we texted" in again.content.decode() and SmsSubscription.objects.count() == 1


def test_a_stop_is_never_overwritten_by_anyone_s_form(
    supporter, make_supporter, staff, django_capture_on_commit_callbacks
):
    other = make_supporter("Someone Else")
    subscribed_by_code(supporter, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        text_in("STOP", "in-1")
    stopped = subscription()
    sms.SANDBOX_OUTBOX.clear()

    with django_capture_on_commit_callbacks(execute=True):
        by_other = ask_for_texts(other)
        by_owner = ask_for_texts(supporter)
        by_other_signed_in = ask_for_texts(other, client=client_for(other))

    for page in (by_other, by_owner, by_other_signed_in):
        assert "text START to us from that phone" in page.content.decode()
    assert sms.SANDBOX_OUTBOX == []  # not even a code goes to a number that said STOP
    after = subscription()
    assert (after.supporter, after.opted_out_at, after.source) == (
        supporter,
        stopped.opted_out_at,
        stopped.source,
    )
    assert SmsConfirmation.objects.filter(supporter=other).count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        message = campaign_send_actions.send_sms_message(
            author=staff, body="Vote", segment={"topic": CAMPAIGN_NEWS}
        )
    assert message.recipient_count == 0 and sms.SANDBOX_OUTBOX == []


def test_a_code_typed_after_the_number_texted_stop_leaves_it_stopped(
    supporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_texts(supporter)
        text_in("STOP", "in-1")  # the phone's owner did not ask, and says so
    stopped_at = subscription().opted_out_at

    type_code(supporter, codes_texted_to()[-1])

    assert subscription().opted_out_at == stopped_at is not None
    assert subscription().supporter is None


def test_only_start_from_the_number_itself_subscribes_it_again(supporter, django_capture_on_commit_callbacks):
    subscribed_by_code(supporter, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        text_in("STOP", "in-1")
        text_in("START", "in-2")

    row = subscription()
    assert row.opted_out_at is None and row.source == SmsSubscription.Source.KEYWORD
    assert row.supporter == supporter


def test_an_active_number_moves_to_another_supporter_only_with_the_code_texted_to_it(
    supporter, make_supporter, django_capture_on_commit_callbacks
):
    other = make_supporter("New Owner")
    subscribed_by_code(supporter, django_capture_on_commit_callbacks)
    sms.SANDBOX_OUTBOX.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_texts(other)
    type_code(other, "000000" if codes_texted_to()[-1] != "000000" else "111111")
    assert subscription().supporter == supporter

    type_code(other, codes_texted_to()[-1])  # the phone is theirs now: they received the text
    assert subscription().supporter == other


@pytest.mark.parametrize("persona", ["owner_token", "other_signed_in", "other_token", "anonymous"])
def test_only_the_person_who_asked_can_type_their_code_back(
    persona, supporter, make_supporter, django_capture_on_commit_callbacks
):
    other = make_supporter("Someone Else")
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_texts(supporter)
    (code,) = codes_texted_to()
    attempts = {
        "owner_token": lambda: type_code(supporter, code),
        "other_signed_in": lambda: client_for(other).post(
            reverse("outreach:my_preferences"), {"sms_code": code}
        ),
        "other_token": lambda: type_code(other, code),
        "anonymous": lambda: Client().post(reverse("outreach:my_preferences"), {"sms_code": code}),
    }

    response = attempts[persona]()

    assert response.status_code in (200, 302)
    if persona == "owner_token":
        assert subscription().supporter == supporter
    else:
        assert subscription() is None
        assert SmsConfirmation.objects.get().confirmed_at is None


def test_a_code_expires_and_takes_five_wrong_tries_at_most(supporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_texts(supporter)
    (code,) = codes_texted_to()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(sms_actions.CODE_ATTEMPTS):
        type_code(supporter, wrong)

    type_code(supporter, code)
    assert subscription() is None

    SmsConfirmation.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_texts(supporter)
    SmsConfirmation.objects.update(
        created_at=timezone.now() - sms_actions.CODE_VALID_FOR - timedelta(seconds=1)
    )
    type_code(supporter, codes_texted_to()[-1])
    assert subscription() is None


def test_a_number_is_sent_a_few_codes_a_day_at_most(
    supporter, make_supporter, django_capture_on_commit_callbacks
):
    people = [supporter, *(make_supporter(f"Asker {number}") for number in range(3))]
    with django_capture_on_commit_callbacks(execute=True):
        pages = [ask_for_texts(person) for person in people]

    assert len(codes_texted_to()) == sms_actions.CODES_PER_NUMBER_PER_DAY
    assert "enough codes" in pages[-1].content.decode()


@pytest.mark.parametrize("code", ["", "abc", "1234567", "12 34", "9" * 20, "١٢٣٤٥٦"])
def test_a_malformed_code_is_a_form_error_not_a_500(supporter, code):
    response = type_code(supporter, code)

    assert response.status_code == 200
    assert 'name="sms_code"' in response.content.decode()
    assert subscription() is None
