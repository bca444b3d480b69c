"""Subjects and plain-text parts show people's words as typed; only HTML parts escape them."""

from __future__ import annotations

import html

import pytest
from django.core import mail

from quartier.accounts import actions as accounts_actions
from quartier.organizing import tasks
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import EventTypePolicy, Group, Membership, Rsvp
from quartier.outreach.emails import build_email
from quartier.outreach.models import Message

TRICKY = 'Say "hi" <b>& bye'


def assert_verbatim_in_text_and_escaped_in_html(message, text: str = TRICKY) -> None:
    assert text in message.subject
    assert (
        "&quot;" not in message.subject and "&lt;" not in message.subject and "&amp;" not in message.subject
    )
    assert text in message.body
    assert "&quot;" not in message.body and "&lt;" not in message.body
    [(html_part, _mimetype)] = message.alternatives
    assert text not in html_part
    assert html.escape(text, quote=False) in html_part or html.escape(text) in html_part


@pytest.mark.django_db
def test_rsvp_waitlist_promotion_and_cancellation_emails_keep_the_title_as_typed(
    make_event, host, supporter, other_supporter, django_capture_on_commit_callbacks
):
    event = make_event(host, title=TRICKY, capacity=1)
    shift = event.shifts.get()
    with django_capture_on_commit_callbacks(execute=True):
        first = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=other_supporter, shift=shift)
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.cancel_rsvp(rsvp_record=first)
    tasks.send_reminder(Rsvp.objects.get(supporter=other_supporter).pk, 2)
    with django_capture_on_commit_callbacks(execute=True):
        events_actions.cancel_event(event=event, message='Rain <again> & "wind"')

    subjects = [m.subject for m in mail.outbox]
    assert len(mail.outbox) == 5, subjects  # confirmation, waiting list, promotion, reminder, cancellation
    for message in mail.outbox:
        assert_verbatim_in_text_and_escaped_in_html(message)
    assert 'Rain <again> & "wind"' in mail.outbox[-1].body


@pytest.mark.django_db
def test_review_emails_keep_the_title_and_the_reason_as_typed(
    make_event, host, staff, django_capture_on_commit_callbacks
):
    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(host, title=TRICKY, event_type="rally")
    with django_capture_on_commit_callbacks(execute=True):
        events_actions.review_event(
            event=event, reviewer=staff, approve=False, reason='Use "our" <logo> & colours'
        )

    submitted, reviewed = mail.outbox
    assert_verbatim_in_text_and_escaped_in_html(submitted)
    assert_verbatim_in_text_and_escaped_in_html(reviewed)
    assert 'Use "our" <logo> & colours' in reviewed.body


@pytest.mark.django_db
def test_membership_email_keeps_the_group_name_as_typed(
    make_group, leader, supporter, django_capture_on_commit_callbacks
):
    group = make_group(leader, name=TRICKY, join_policy=Group.JoinPolicy.APPROVAL)
    membership = groups_actions.join_group(
        supporter=supporter, group=group, accepts_messages=True, consent_wording="Yes", language="en",
        ip_address=None,
    )  # fmt: skip
    assert membership.status == Membership.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        groups_actions.approve_member(membership=membership)

    [message] = mail.outbox
    assert_verbatim_in_text_and_escaped_in_html(message)


@pytest.mark.django_db
def test_outreach_messages_keep_subject_and_body_as_typed(group, leader, member):
    accounts_actions.record_consent(
        supporter=member, audience=common_actions.group_audience(group), granted=True, wording="Yes", language="en",
        source="join", ip_address=None,
    )  # fmt: skip
    message = Message.objects.create(
        sender=leader, audience=common_actions.group_audience(group), audience_label=group.name, subject=TRICKY,
        body=f"{TRICKY}\n\nSee you.", body_html=f"<p>{html.escape(TRICKY)}</p>",
    )  # fmt: skip

    email = build_email(message, member)

    assert email.subject == TRICKY
    assert TRICKY in email.body
    [(html_part, _mimetype)] = email.alternatives
    assert TRICKY not in html_part and html.escape(TRICKY) in html_part
