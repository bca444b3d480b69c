from __future__ import annotations

import smtplib
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.template import TemplateSyntaxError

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Supporter
from quartier.outreach import emails, tasks
from quartier.outreach.access import get_unsubscribe_target
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import consent as consent_actions
from quartier.outreach.models import Delivery, Message
from quartier.outreach.tests.helpers import GROUP, GROUP_LABEL, consent, send

pytestmark = pytest.mark.django_db

REFUSED = "refused@example.org"


class RefusingBackend(LocmemBackend):
    """Like the test outbox, but the server refuses one address."""

    def send_messages(self, messages):
        for message in messages:
            if REFUSED in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 No such mailbox")})
        return super().send_messages(messages)


class UnreachableBackend(LocmemBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


def statuses(message: Message) -> dict[str, str]:
    return {d.supporter.email: d.status for d in message.deliveries.select_related("supporter")}


def test_only_consenting_recipients_get_a_delivery(
    supporter, other_supporter, unverified, staff, make_supporter, django_capture_on_commit_callbacks
):
    declined = make_supporter("Declined")
    consent(other_supporter)
    consent(unverified)
    consent(declined, granted=False)
    recipients = Supporter.objects.filter(pk__in=[other_supporter.pk, unverified.pk, staff.pk, declined.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send(supporter, recipients)

    assert len(callbacks) == 1
    assert message.recipient_count == 1
    assert list(message.deliveries.values_list("supporter", "status")) == [(other_supporter.pk, "sent")]
    assert [email.to for email in mail.outbox] == [[other_supporter.email]]


def test_recipients_may_be_a_list_as_well_as_a_queryset(members, django_capture_on_commit_callbacks):
    people = members(3)

    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, [*people, people[0]])

    assert message.recipient_count == 3
    assert sorted(email.to[0] for email in mail.outbox) == sorted(person.email for person in people)


def test_unsubscribed_people_are_left_out(members, django_capture_on_commit_callbacks):
    stays, leaves = members(2)
    consent_actions.unsubscribe(
        supporter=leaves, audience=GROUP, wording="Unsubscribe", language="en", ip_address=None
    )

    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, Supporter.objects.all())

    assert message.recipient_count == 1
    assert [email.to for email in mail.outbox] == [[stays.email]]


def test_nothing_is_sent_before_the_transaction_commits(members, django_capture_on_commit_callbacks):
    members(2)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(None, Supporter.objects.all())

    assert len(callbacks) == 1
    assert mail.outbox == []
    assert set(statuses(message).values()) == {"queued"}


def test_running_the_send_task_twice_sends_each_email_once(members, django_capture_on_commit_callbacks):
    members(3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(None, Supporter.objects.all())
    ids = sorted(message.deliveries.values_list("pk", flat=True))

    callbacks[0]()
    callbacks[0]()
    tasks.send_deliveries.delay(message.pk, ids[0], ids[-1])

    assert len(mail.outbox) == 3
    assert set(statuses(message).values()) == {"sent"}


def test_a_delivery_another_worker_claimed_is_not_sent_again(members, django_capture_on_commit_callbacks):
    members(2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(None, Supporter.objects.all())
    claimed_elsewhere = message.deliveries.order_by("pk").first()
    Delivery.objects.filter(pk=claimed_elsewhere.pk).update(status=Delivery.Status.SENDING)

    callbacks[0]()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to != [claimed_elsewhere.supporter.email]
    assert Delivery.objects.get(pk=claimed_elsewhere.pk).status == "sending"


def test_deliveries_go_out_in_batches(members, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(campaign_send_actions, "BATCH_SIZE", 2)
    members(5)
    batches = []
    real_delay = tasks.send_deliveries.delay
    monkeypatch.setattr(
        tasks.send_deliveries, "delay", lambda *args: batches.append(args) or real_delay(*args)
    )

    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, Supporter.objects.all())

    assert len(batches) == 3
    assert len(mail.outbox) == 5
    assert message.deliveries.filter(status="sent").count() == 5


def test_someone_who_unsubscribes_before_the_batch_runs_is_skipped(
    members, django_capture_on_commit_callbacks
):
    stays, leaves = members(2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(None, Supporter.objects.all())
    consent(leaves, granted=False)

    callbacks[0]()

    assert [email.to for email in mail.outbox] == [[stays.email]]
    assert statuses(message) == {stays.email: "sent", leaves.email: "skipped"}


def test_a_refused_address_marks_its_delivery_failed_and_the_others_still_go(
    members, make_supporter, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    first, second = members(2)
    refused = make_supporter("Refused", email=REFUSED)
    consent(refused)

    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, Supporter.objects.all())

    assert sorted(email.to[0] for email in mail.outbox) == sorted([first.email, second.email])
    failed = message.deliveries.get(supporter=refused)
    assert failed.status == "failed" and failed.sent_at is None
    assert failed.error.startswith("SMTPRecipientsRefused:") and "No such mailbox" in failed.error
    assert message.deliveries.filter(status="sent").count() == 2


def test_an_unreachable_mail_server_marks_the_batch_failed_without_crashing(
    members, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"
    members(2)

    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, Supporter.objects.all())

    assert mail.outbox == []
    assert list(message.deliveries.values_list("status", "error").distinct()) == [
        ("failed", "ConnectionRefusedError: [Errno 111] Connection refused")
    ]


def test_the_email_has_text_and_html_parts_and_one_click_unsubscribe_headers(
    supporter, members, django_capture_on_commit_callbacks
):
    (member,) = members(1)

    with django_capture_on_commit_callbacks(execute=True):
        message = send(supporter, [member], body="Meet at **10:00**.\n\n<script>alert(1)</script>")

    (email,) = mail.outbox
    assert email.subject == "Door-knocking on Saturday"
    assert "Meet at **10:00**." in email.body
    assert "joined Plateau Mont-Royal volunteers and accepted messages from its leaders" in email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert "<strong>10:00</strong>" in html and "<script>" not in html
    assert "Plateau Mont-Royal volunteers" in html
    url = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in email.body and url in html
    target = get_unsubscribe_target(url.rsplit("/", 2)[1])
    assert (target.supporter, target.audience) == (member, GROUP)
    assert message.body_html in html


def test_the_email_comes_from_the_campaign_in_the_senders_name_with_replies_to_the_sender(
    make_supporter, members, django_capture_on_commit_callbacks
):
    sender = make_supporter("Marie Tremblay, organiser\n", email="marie@example.org")
    (member,) = members(1)

    with django_capture_on_commit_callbacks(execute=True):
        send(sender, [member])

    (email,) = mail.outbox
    assert email.from_email == '"Marie Tremblay, organiser via Quartier" <no-reply@localhost>'
    assert email.reply_to == ["marie@example.org"]
    assert email.message()["From"] == '"Marie Tremblay, organiser via Quartier" <no-reply@localhost>'


def test_the_senders_transparency_label_follows_their_name(
    staff, members, django_capture_on_commit_callbacks
):
    (member,) = members(1)

    with django_capture_on_commit_callbacks(execute=True):
        send(staff, [member])

    (email,) = mail.outbox
    assert email.body.startswith("Camille Roy (Campaign staff)\nMessage to Plateau Mont-Royal volunteers\n")
    assert "Campaign staff</span>" in email.alternatives[0][0]


def test_a_sender_name_with_accents_is_encoded_in_the_from_header(
    make_supporter, members, django_capture_on_commit_callbacks
):
    sender = make_supporter("Zoé Gagnon")
    members(1)

    with django_capture_on_commit_callbacks(execute=True):
        send(sender, Supporter.objects.exclude(pk=sender.pk))

    header = mail.outbox[0].message()["From"]
    assert header.isascii() and header.endswith(" <no-reply@localhost>")
    assert str(make_header(decode_header(header))) == "Zoé Gagnon via Quartier <no-reply@localhost>"


def test_no_reply_to_when_the_sender_asks_for_none(supporter, members, django_capture_on_commit_callbacks):
    members(1)

    with django_capture_on_commit_callbacks(execute=True):
        send(supporter, Supporter.objects.all(), reply_to_sender=False)

    (email,) = mail.outbox
    assert email.reply_to == [] and "Reply-To" not in email.message()
    assert email.from_email == "Marie Tremblay via Quartier <no-reply@localhost>"


def test_campaign_news_goes_to_those_who_said_yes_with_its_own_footer(
    members, make_supporter, django_capture_on_commit_callbacks
):
    (news_reader,) = members(1)
    accounts_actions.record_consent(
        supporter=news_reader,
        audience="campaign_news",
        granted=True,
        wording="Yes",
        language="en",
        source="settings",
        ip_address=None,
    )
    make_supporter("Said No At Signup")

    with django_capture_on_commit_callbacks(execute=True):
        message = send(None, Supporter.objects.all(), audience="campaign_news", audience_label="Quartier")

    assert message.recipient_count == 1
    (email,) = mail.outbox
    assert email.to == [news_reader.email]
    assert email.from_email == "Quartier <no-reply@localhost>"
    assert email.reply_to == []
    assert "you accepted news and calls to action from Quartier" in email.body


def test_each_email_is_in_its_recipients_language(
    members, make_supporter, django_capture_on_commit_callbacks
):
    (english,) = members(1)
    french = make_supporter("Zoé Gagnon", language="fr")
    consent(french)

    with django_capture_on_commit_callbacks(execute=True):
        send(None, Supporter.objects.all())

    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert by_recipient[french.email].extra_headers["Content-Language"] == "fr"
    assert '<html lang="fr">' in by_recipient[french.email].alternatives[0][0]
    assert by_recipient[english.email].extra_headers["Content-Language"] == "en"
    assert '<html lang="en">' in by_recipient[english.email].alternatives[0][0]


def test_names_and_labels_written_by_people_cannot_inject_html(
    make_supporter, members, django_capture_on_commit_callbacks
):
    sender = make_supporter("<b>Boss</b>")
    (member,) = members(1)

    with django_capture_on_commit_callbacks(execute=True):
        send(sender, [member], audience_label="<img src=x onerror=alert(1)>")

    html = mail.outbox[0].alternatives[0][0]
    assert "<b>Boss</b>" not in html and "&lt;b&gt;Boss&lt;/b&gt;" in html
    assert "<img" not in html


def test_a_bug_while_writing_an_email_fails_loudly_and_gives_the_rest_of_the_batch_back(
    members, monkeypatch, django_capture_on_commit_callbacks
):
    members(3)
    with django_capture_on_commit_callbacks(execute=False):
        message = send(None, Supporter.objects.all())
    ids = sorted(message.deliveries.values_list("pk", flat=True))
    real_build = emails.Renderer.email_for
    built = []

    def build_twice_then_break(*args, **kwargs):
        if len(built) == 1:
            raise TemplateSyntaxError("a broken template")
        built.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(emails.Renderer, "email_for", build_twice_then_break)

    with pytest.raises(TemplateSyntaxError):
        tasks.send_deliveries.delay(message.pk, ids[0], ids[-1])

    assert len(mail.outbox) == 1
    assert list(message.deliveries.order_by("pk").values_list("status", flat=True)) == [
        "sent",
        "queued",
        "queued",
    ]
    monkeypatch.setattr(emails.Renderer, "email_for", real_build)
    tasks.send_deliveries.delay(message.pk, ids[0], ids[-1])
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"subject": "  \n "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"body": "   "}, "body"),
        ({"audience": "group 12"}, "audience"),
    ],
)
def test_a_message_without_a_subject_body_or_valid_audience_is_refused(supporter, fields, problem):
    with pytest.raises(ValueError, match=problem):
        send(supporter, Supporter.objects.all(), **fields)

    assert not Message.objects.exists()


def test_recipients_of_another_model_are_refused(supporter):
    with pytest.raises(TypeError, match="supporters"):
        send(supporter, Message.objects.all())

    assert not Message.objects.exists()


def test_a_message_with_no_consenting_recipient_is_kept_and_sends_nothing(
    supporter, other_supporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(supporter, [other_supporter])

    assert message.recipient_count == 0
    assert not Delivery.objects.exists()
    assert mail.outbox == []
    assert Message.objects.get().subject == "Door-knocking on Saturday"
    assert message.audience_label == GROUP_LABEL
