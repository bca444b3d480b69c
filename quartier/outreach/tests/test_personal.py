"""A supporter emails their own network: plain addresses, at most once per source, suppression, cap."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.outreach import queries
from quartier.outreach.access import address_unsubscribe_token
from quartier.outreach.actions import feedback as feedback_actions
from quartier.outreach.actions import personal_email as personal_email_actions
from quartier.outreach.models import Delivery, Message, Suppression
from quartier.outreach.tests.helpers import send
from quartier.testing import client_for, run_together

pytestmark = pytest.mark.django_db

SOURCE = "fundraising_page:7"


def personal(sender: Supporter, addresses, **fields: object) -> personal_email_actions.PersonalSendResult:
    from django.conf import settings

    values: dict[str, object] = {
        "subject": "Help me reach my goal",
        "body": "I am raising money for the **food bank** drive.",
        "link_url": f"{settings.SITE_URL}/give/page-7/?ref=abc23456",
        "source": SOURCE,
    }
    values.update(fields)
    return personal_email_actions.send_personal_email(sender=sender, addresses=addresses, **values)


def test_each_address_gets_one_email_parsed_at_a_real_smtp_server(
    supporter, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Campaign <campaign@example.net>"
    settings.CAMPAIGN_POSTAL_ADDRESS = "123 Main Street, Montréal QC H2X 1Y4"

    with django_capture_on_commit_callbacks(execute=True):
        result = personal(supporter, ["Ana@Example.org", " bo@example.org "], language="fr")

    assert result.accepted == ["ana@example.org", "bo@example.org"]
    assert (result.suppressed, result.invalid, result.over_limit, result.duplicates) == ([], [], [], [])
    assert sorted(rcpt for _sender, rcpts in smtp_sink.envelopes for rcpt in rcpts) == [
        "ana@example.org",
        "bo@example.org",
    ]
    received = smtp_sink.to("ana@example.org")[0]
    assert received["From"].addresses[0].addr_spec == "campaign@example.net"
    assert supporter.display_name in received["From"].addresses[0].display_name
    assert received["Reply-To"].addresses[0].addr_spec == supporter.email
    assert received["Content-Language"] == "fr"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(.+)>", "".join(str(received["List-Unsubscribe"]).split())).group(1)
    assert unsubscribe.startswith(settings.SITE_URL + "/unsubscribe-address/")
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    for part in (text, html):
        assert "ref=abc23456" in part
        assert unsubscribe in part
        assert "123 Main Street" in part
        assert "food bank" in part
    assert "<strong>food bank</strong>" in html
    assert "Ne plus jamais recevoir" in text  # the language the sender wrote in
    assert queries.message_progress(result.message) == {
        "total": 2,
        "sent": 2,
        "failed": 0,
        "queued": 0,
        "skipped": 0,
        "deferred": 0,
    }


def test_an_address_gets_at_most_one_email_per_source_ever(
    supporter, other_supporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = personal(supporter, ["ana@example.org", "ANA@example.org", "bo@example.org"])
        again = personal(supporter, ["ana@example.org", "cy@example.org"])
        by_another = personal(other_supporter, ["bo@example.org"])
        elsewhere = personal(supporter, ["ana@example.org"], source="fundraising_page:8")

    assert (first.accepted, first.duplicates) == (["ana@example.org", "bo@example.org"], ["ana@example.org"])
    assert (again.accepted, again.duplicates) == (["cy@example.org"], ["ana@example.org"])
    assert (by_another.accepted, by_another.duplicates) == ([], ["bo@example.org"])
    assert elsewhere.accepted == ["ana@example.org"]
    assert sorted(email.to[0] for email in mail.outbox) == [
        "ana@example.org",
        "ana@example.org",
        "bo@example.org",
        "cy@example.org",
    ]


def test_invalid_and_suppressed_addresses_are_left_out_and_reported(
    supporter, django_capture_on_commit_callbacks
):
    feedback_actions.suppress_address(
        address="Gone@Example.org", reason=Suppression.Reason.BOUNCED, source="test"
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = personal(supporter, ["not an address", "a@b", "gone@example.org", "ok@example.org", ""])

    assert result.invalid == ["not an address", "a@b"]
    assert result.suppressed == ["gone@example.org"]
    assert result.accepted == ["ok@example.org"]
    assert [email.to for email in mail.outbox] == [["ok@example.org"]]
    assert queries.is_suppressed(" GONE@example.org")
    assert not queries.is_suppressed("ok@example.org")


def test_the_daily_cap_counts_every_page_of_the_sender(
    supporter, settings, django_capture_on_commit_callbacks
):
    settings.OUTREACH_PERSONAL_DAILY_LIMIT = 3

    with django_capture_on_commit_callbacks(execute=True):
        first = personal(supporter, ["a1@example.org", "a2@example.org"])
        second = personal(supporter, ["b1@example.org", "b2@example.org"], source="fundraising_page:9")
        third = personal(supporter, ["c1@example.org"], source="fundraising_page:10")

    assert first.accepted == ["a1@example.org", "a2@example.org"]
    assert (second.accepted, second.over_limit) == (["b1@example.org"], ["b2@example.org"])
    assert (third.accepted, third.over_limit) == ([], ["c1@example.org"])
    assert len(mail.outbox) == 3
    assert personal_email_actions.personal_sends_left_today(supporter) == 0


def test_bad_requests_are_refused_before_anything_is_written(supporter, unverified, settings):
    with pytest.raises(PermissionError):
        personal(unverified, ["a@example.org"])
    with pytest.raises(ValueError, match="link"):
        personal(supporter, ["a@example.org"], link_url="https://evil.example.com/give/")
    with pytest.raises(ValueError, match="link"):
        personal(supporter, ["a@example.org"], link_url=settings.SITE_URL + ".evil.example.com/")
    with pytest.raises(ValueError, match="subject"):
        personal(supporter, ["a@example.org"], subject="   ")
    with pytest.raises(ValueError, match="body"):
        personal(supporter, ["a@example.org"], body="\n")

    assert Message.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_an_address_suppressed_after_queueing_is_skipped(supporter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = personal(supporter, ["stay@example.org", "leave@example.org"])
    feedback_actions.suppress_address(address="leave@example.org", reason="unsubscribed", source="test")

    callbacks[0]()

    assert [email.to for email in mail.outbox] == [["stay@example.org"]]
    assert queries.message_progress(result.message)["skipped"] == 1


def test_one_click_unsubscribe_suppresses_the_address_for_every_sender(supporter, other_supporter):
    personal(supporter, ["friend@example.org"])
    url = reverse("outreach:unsubscribe_address", args=[address_unsubscribe_token("friend@example.org")])
    client = client_for(None)

    page = client.get(url)
    assert page.status_code == 200 and not queries.is_suppressed("friend@example.org")
    response = client.post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Suppression.objects.get(address="friend@example.org").reason == "unsubscribed"
    later = personal(other_supporter, ["friend@example.org"], source="fundraising_page:99")
    assert later.suppressed == ["friend@example.org"] and later.accepted == []
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # twice is harmless
    assert Suppression.objects.count() == 1


def test_a_forged_address_token_is_refused_and_changes_nothing():
    token = address_unsubscribe_token("friend@example.org")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client_for(None).post(reverse("outreach:unsubscribe_address", args=[forged]))

    assert response.status_code == 404
    assert Suppression.objects.count() == 0


def test_a_suppressed_supporter_gets_no_message_to_any_audience(members, django_capture_on_commit_callbacks):
    stays, suppressed = members(2)
    feedback_actions.suppress_address(address=suppressed.email.upper(), reason="complained", source="esp")

    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, Supporter.objects.all())

    assert message.recipient_count == 1
    assert [email.to for email in mail.outbox] == [[stays.email]]


def test_a_supporter_suppressed_while_a_send_waits_is_skipped(members, django_capture_on_commit_callbacks):
    stays, leaves = members(2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(None, Supporter.objects.all())
    feedback_actions.suppress_address(address=leaves.email, reason="unsubscribed", source="preferences")

    callbacks[0]()

    assert [email.to for email in mail.outbox] == [[stays.email]]
    assert queries.message_progress(message) == {
        "total": 2,
        "sent": 1,
        "failed": 0,
        "queued": 0,
        "skipped": 1,
        "deferred": 0,
    }


def test_a_complaint_outranks_an_earlier_unsubscription():
    assert feedback_actions.suppress_address(address="x@example.org", reason="unsubscribed", source="a")
    assert not feedback_actions.suppress_address(address="x@example.org", reason="complained", source="esp")
    assert not feedback_actions.suppress_address(address="x@example.org", reason="unsubscribed", source="b")

    assert Suppression.objects.get().reason == "complained"
    assert not feedback_actions.lift_suppression(
        address="x@example.org"
    )  # a complaint is not lifted by a click
    assert queries.is_suppressed("x@example.org")


@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_on_one_source_email_each_address_once(make_supporter):
    senders = [make_supporter(f"Racer {number}") for number in range(4)]
    addresses = [f"friend{number}@example.org" for number in range(5)]

    outcomes = run_together([lambda s=s: personal(s, addresses) for s in senders])

    results = [
        outcome for outcome in outcomes if isinstance(outcome, personal_email_actions.PersonalSendResult)
    ]
    assert len(results) == 4, outcomes
    assert sorted(address for result in results for address in result.accepted) == sorted(addresses)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(addresses)
    assert Delivery.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_by_one_sender_never_pass_the_daily_cap(supporter, settings):
    settings.OUTREACH_PERSONAL_DAILY_LIMIT = 4
    batches = [[f"p{page}-{number}@example.org" for number in range(3)] for page in range(4)]

    outcomes = run_together(
        [
            lambda b=b, page=page: personal(supporter, b, source=f"page:{page}")
            for page, b in enumerate(batches)
        ]
    )

    results = [
        outcome for outcome in outcomes if isinstance(outcome, personal_email_actions.PersonalSendResult)
    ]
    assert len(results) == 4, outcomes
    assert sum(len(result.accepted) for result in results) == 4
    assert sum(len(result.over_limit) for result in results) == 8
    assert len(mail.outbox) == 4


def test_an_address_already_emailed_from_the_page_does_not_use_up_the_cap(supporter, settings):
    settings.OUTREACH_PERSONAL_DAILY_LIMIT = 2
    personal(supporter, ["ana@example.org"])

    again = personal(supporter, ["ana@example.org", "bo@example.org", "cy@example.org"])

    assert (again.duplicates, again.accepted, again.over_limit) == (
        ["ana@example.org"],
        ["bo@example.org"],
        ["cy@example.org"],
    )
