"""Staff compose, target and send campaign email at /organize/email/."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from quartier.accounts import actions as accounts_actions
from quartier.accounts.activity import record_activity
from quartier.accounts.models import Activity, Supporter
from quartier.outreach import queries, segments, tasks
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import delivery as delivery_actions
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.actions import feedback as feedback_actions
from quartier.outreach.models import CAMPAIGN_NEWS, TOPIC_LOCAL_EVENTS, Delivery, Message
from quartier.outreach.tests.helpers import consent
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def reader_named(make_supporter, name: str, *, language: str = "en", **fields: object) -> Supporter:
    """A verified supporter; `fields` (town, coordinates) are set after sign-up."""
    supporter = make_supporter(name, language=language)
    if fields:
        Supporter.objects.filter(pk=supporter.pk).update(**fields)
        supporter.refresh_from_db()
    return supporter


def news_consent(supporter: Supporter, granted: bool = True) -> None:
    consent(supporter, CAMPAIGN_NEWS, granted=granted)


def form_data(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject": "Hello {{ first_name }}",
        "preview_text": "Saturday in {{ town }}",
        "body": "Dear {{ first_name }}, join us **Saturday**. [RSVP](http://127.0.0.1:8000/events/)",
        "subject_fr": "Bonjour {{ first_name }}",
        "preview_text_fr": "Samedi à {{ town }}",
        "body_fr": "Chère, cher {{ first_name }}, rejoignez-nous **samedi**.",
        "topic": CAMPAIGN_NEWS,
        "donor": "",
        "attended": "",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def draft(staff: Supporter, **fields: object) -> Message:
    segment = fields.pop("segment", {"topic": CAMPAIGN_NEWS})
    values = {
        "subject": "Hello {{ first_name }}",
        "body": "Dear {{ first_name }} of {{ town }}, come on **Saturday**.",
        "versions": {
            "fr": {"subject": "Bonjour {{ first_name }}", "body": "Chère, cher {{ first_name }}, venez."}
        },
    }
    values.update(fields)
    return drafts_actions.save_draft(author=staff, draft=drafts_actions.Draft(segment=segment, **values))


@contextmanager
def broker_outage():
    """Tasks queued meanwhile are lost, as when the broker is down."""
    with mock.patch.object(tasks.send_deliveries, "delay", lambda *args: None):
        yield


def snapshot(message: Message, capture) -> None:
    """Start the send (deliveries written) with none of its batches run."""
    with capture(execute=False):
        drafts_actions.schedule(message=message, at=None)
    with broker_outage():
        campaign_send_actions.start_sending(message.pk)


def send_now(message: Message, capture) -> None:
    with capture(execute=True):
        drafts_actions.schedule(message=message, at=None)


STAFF_PAGES = [
    ("get", "outreach:message_list", False),
    ("get", "outreach:message_new", False),
    ("get", "outreach:segment_count", False),
    ("get", "outreach:message_detail", True),
    ("get", "outreach:message_edit", True),
    ("get", "outreach:message_preview", True),
    ("get", "outreach:message_progress", True),
    ("post", "outreach:message_test", True),
    ("post", "outreach:message_send", True),
    ("post", "outreach:message_cancel", True),
]


@pytest.mark.parametrize(("method", "name", "needs_message"), STAFF_PAGES)
def test_only_staff_reach_the_email_pages_and_a_refusal_changes_nothing(
    persona, staff, method, name, needs_message
):
    label, person = persona
    message = draft(staff)
    url = reverse(name, args=[message.pk] if needs_message else [])
    client = client_for(person)

    response = getattr(client, method)(url, {"when": "now"} if method == "post" else None)

    if label == "staff":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 404
        assert Message.objects.get(pk=message.pk).status == Message.Status.DRAFT
        assert Delivery.objects.count() == 0
        assert mail.outbox == []


def test_a_bilingual_message_reaches_each_reader_in_their_language_with_merge_fields(
    staff, make_supporter, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.CAMPAIGN_POSTAL_ADDRESS = "500 rue Sainte-Catherine, Montréal"
    settings.DEFAULT_FROM_EMAIL = "Campaign <news@example.net>"
    anglo = reader_named(make_supporter, "Alice Martin", town="Toronto")
    franco = reader_named(make_supporter, "Benoît Roy", language="fr", town="Québec")
    for person in (anglo, franco):
        news_consent(person)
    message = draft(staff)

    send_now(message, django_capture_on_commit_callbacks)

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.recipient_count == 2
    english = smtp_sink.to(anglo.email)[0]
    french = smtp_sink.to(franco.email)[0]
    assert english["Subject"] == "Hello Alice"
    assert french["Subject"] == "Bonjour Benoît"
    assert english["From"].addresses[0].addr_spec == "news@example.net"
    assert english["From"].addresses[0].display_name == "Campaign"
    assert french["Content-Language"] == "fr"
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert english["Message-ID"].startswith(f"<outreach.{message.pk}.")
    text = english.get_body(("plain",)).get_content()
    html = english.get_body(("html",)).get_content()
    assert "Dear Alice of Toronto" in text and "Dear Alice of Toronto" in html
    assert "500 rue Sainte-Catherine" in text and "500 rue Sainte-Catherine" in html
    unsubscribe = re.fullmatch(r"<(.+)>", "".join(str(english["List-Unsubscribe"]).split())).group(1)
    assert unsubscribe in text and unsubscribe.replace("&", "&amp;") in html
    assert "Chère, cher Benoît" in french.get_body(("plain",)).get_content()
    assert "<img" not in html  # no tracking pixel


def test_merge_values_are_escaped_in_html(staff, make_supporter, django_capture_on_commit_callbacks):
    reader = make_supporter("<script>x</script> Eve")
    news_consent(reader)

    send_now(draft(staff, versions={}), django_capture_on_commit_callbacks)

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_links_to_the_site_carry_the_message_refcode_and_credited_actions_are_counted(
    staff, make_supporter, settings, django_capture_on_commit_callbacks
):
    reader = make_supporter("Reader")
    news_consent(reader)
    message = draft(
        staff, body=f"[RSVP here]({settings.SITE_URL}/events/12/) or [elsewhere](https://example.com/)"
    )
    send_now(message, django_capture_on_commit_callbacks)

    html = mail.outbox[0].alternatives[0][0]
    assert f"{settings.SITE_URL}/events/12/?ref={message.refcode}" in html
    assert "https://example.com/?ref" not in html
    record_activity("organizing.rsvp", supporter=reader, key="rsvp:1", detail={"refcode": message.refcode})
    record_activity("donations.gift", supporter=reader, key="donation:1", amount=2500, currency="cad",
                    detail={"refcode": message.refcode})  # fmt: skip
    record_activity("donations.gift", supporter=reader, key="donation:2", amount=900, currency="cad",
                    detail={"refcode": "other"})  # fmt: skip

    stats = queries.message_stats(message)

    assert (stats["sent"], stats["rsvps"], stats["gifts"], stats["gifts_amount"]) == (1, 1, 1, 2500)


def test_invalid_drafts_are_refused_with_the_data_kept(staff):
    client = client_for(staff)

    response = client.post(
        reverse("outreach:message_new"),
        form_data(subject="", body="Hi {{ frist_name }}", subject_fr="Salut", body_fr=""),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Write a subject." in page
    assert "{{ frist_name }}" in page  # the message names the unknown field and keeps the text
    assert "The fr version needs both a subject and a message" in page
    assert Message.objects.count() == 0


def test_a_valid_draft_is_saved_with_its_versions_and_segment(staff):
    response = client_for(staff).post(reverse("outreach:message_new"), form_data(languages=["fr"]))

    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "outreach:message_detail", args=[message.pk]
    )
    assert message.status == Message.Status.DRAFT
    assert message.versions["fr"]["subject"] == "Bonjour {{ first_name }}"
    assert "<strong>samedi</strong>" in message.versions["fr"]["body_html"]
    assert message.segment["languages"] == ["fr"]
    assert message.refcode.startswith("m")


def test_an_empty_segment_cannot_be_sent(staff, django_capture_on_commit_callbacks):
    message = draft(staff)

    with pytest.raises(campaign_send_actions.OutreachError, match="Nobody in this segment"):
        drafts_actions.schedule(message=message, at=None)
    response = client_for(staff).post(reverse("outreach:message_send", args=[message.pk]), {"when": "now"})

    assert response.status_code == 302
    assert Message.objects.get(pk=message.pk).status == Message.Status.DRAFT


def test_the_live_count_follows_the_filters(staff, make_supporter):
    for name, language in (("A", "en"), ("B", "fr"), ("C", "fr")):
        news_consent(make_supporter(name, language=language))
    declined = make_supporter("D", language="fr")
    news_consent(declined, granted=False)
    client = client_for(staff)

    everyone = client.get(reverse("outreach:segment_count"), {"topic": CAMPAIGN_NEWS})
    french = client.get(reverse("outreach:segment_count"), {"topic": CAMPAIGN_NEWS, "languages": ["fr"]})
    events = client.get(reverse("outreach:segment_count"), {"topic": TOPIC_LOCAL_EVENTS})

    assert "<strong>3</strong>" in everyone.content.decode()
    assert "<strong>2</strong>" in french.content.decode()
    assert "<strong>0</strong>" in events.content.decode()


def test_segment_filters_select_exactly(make_supporter):
    montreal = reader_named(make_supporter, "Near", latitude=45.52, longitude=-73.58)
    toronto = reader_named(make_supporter, "Far", latitude=43.65, longitude=-79.38)
    donor = reader_named(make_supporter, "Donor", latitude=None, longitude=None)
    old = reader_named(make_supporter, "Old", latitude=None, longitude=None)
    Supporter.objects.filter(pk=old.pk).update(date_joined=timezone.now() - timedelta(days=400))
    for person in (montreal, toronto, donor, old):
        news_consent(person)
    # Signing up is journaled too: make everyone's sign-up a month old, so that only the gift is recent.
    Activity.objects.update(occurred_at=timezone.now() - timedelta(days=30))
    record_activity("donations.gift", supporter=donor, key="donation:9", amount=1000, currency="cad")

    def chosen(**filters: object) -> set[str]:
        segment = segments.Segment(**filters)
        return set(segments.recipients(segment).values_list("display_name", flat=True))

    assert chosen(latitude=45.50, longitude=-73.57, within_km=10) == {"Near"}
    assert chosen(donor="yes") == {"Donor"}
    assert chosen(donor="no") == {"Near", "Far", "Old"}
    assert chosen(joined_before=(timezone.now() - timedelta(days=300)).date().isoformat()) == {"Old"}
    assert chosen(active_within_days=7) == {"Donor"}
    assert segments.count(segments.Segment()) == 4


def test_suppressed_and_unverified_people_are_never_counted(make_supporter, unverified):
    reachable, suppressed = make_supporter("R"), make_supporter("S")
    for person in (reachable, suppressed, unverified):
        news_consent(person)
    feedback_actions.suppress_address(address=suppressed.email, reason="bounced", source="esp")

    assert list(segments.recipients(segments.Segment()).values_list("pk", flat=True)) == [reachable.pk]


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
    accounts_actions.record_email_consent(
        supporter=leaves, topic=CAMPAIGN_NEWS, granted=False, wording="No", language="en",
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
        "total": 0, "sent": 4, "failed": 1, "queued": 0, "skipped": 0,
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


def test_preview_as_a_recipient_shows_their_version_and_is_framed_safely(staff, make_supporter):
    reader = reader_named(make_supporter, "Chloé Tremblay", language="fr", town="Laval")
    message = draft(staff)
    client = client_for(staff)

    page = client.get(reverse("outreach:message_detail", args=[message.pk]), {"recipient": reader.email})
    preview = client.get(reverse("outreach:message_preview", args=[message.pk]), {"recipient": reader.email})
    sample = client.get(reverse("outreach:message_preview", args=[message.pk]), {"language": "en"})

    assert page.status_code == 200
    assert "Chère, cher Chloé" in preview.content.decode()
    assert (
        "sandbox" in preview["Content-Security-Policy"]
        and "script-src" not in preview["Content-Security-Policy"]
    )
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "Dear [first name]" in sample.content.decode()


def test_a_test_send_goes_to_the_staff_member_only_with_their_own_unsubscribe_link(staff, make_supporter):
    reader = make_supporter("Dana Reader")
    message = draft(staff)

    client_for(staff).post(reverse("outreach:message_test", args=[message.pk]), {"recipient": reader.email})

    assert [email.to for email in mail.outbox] == [[staff.email]]
    email = mail.outbox[0]
    assert email.subject == "[Test] Hello Dana"
    target = re.search(r"/unsubscribe/([^/]+)/", email.extra_headers["List-Unsubscribe"]).group(1)
    from quartier.outreach.access import get_unsubscribe_target

    assert get_unsubscribe_target(target).supporter == staff
    assert Delivery.objects.count() == 0


def test_progress_is_served_as_html_and_json(staff, make_supporter, django_capture_on_commit_callbacks):
    news_consent(make_supporter("Reader"))
    message = draft(staff)
    send_now(message, django_capture_on_commit_callbacks)
    client = client_for(staff)

    fragment = client.get(reverse("outreach:message_progress", args=[message.pk]))
    data = client.get(reverse("outreach:message_progress", args=[message.pk]), {"format": "json"}).json()

    assert "100 %" in fragment.content.decode()
    assert data == {"status": "sent", "total": 1, "sent": 1, "failed": 0, "queued": 0, "skipped": 0}


def test_the_list_page_makes_a_fixed_number_of_queries(staff, django_assert_max_num_queries):
    for number in range(5):
        draft(staff, subject=f"Message {number}")
    client = client_for(staff)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("outreach:message_list"))

    assert response.content.decode().count("Message ") >= 5


def test_the_list_says_what_to_do_when_empty(staff):
    response = client_for(staff).get(reverse("outreach:message_list"))

    assert "No campaign email yet" in response.content.decode()


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
