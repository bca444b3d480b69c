"""Staff compose, target, preview and test-send campaign email at /organize/email/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Activity, Supporter
from quartier.outreach import queries, segments
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.actions import feedback as feedback_actions
from quartier.outreach.models import CAMPAIGN_NEWS, TOPIC_LOCAL_EVENTS, Delivery, Message
from quartier.outreach.tests.campaign_helpers import draft, form_data, news_consent, reader_named, send_now
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


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
