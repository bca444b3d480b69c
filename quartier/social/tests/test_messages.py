"""Conversations: unread counts, leaving, group and event conversations, blocks, rate and first-contact limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.social.actions import common as common_actions
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import conversations as conversations_actions
from quartier.social.models import Conversation, Message, Notification, Participant
from quartier.social.queries import conversations as conversations_queries
from quartier.social.tests.conftest import join
from quartier.testing import client_for, run_together

pytestmark = pytest.mark.django_db


def _age(supporter: Supporter, days: int) -> None:
    Supporter.objects.filter(pk=supporter.pk).update(date_joined=timezone.now() - timedelta(days=days))
    supporter.refresh_from_db()


def test_unread_counts_go_up_for_the_others_and_reading_clears_them(people):
    author, friend, follower = people["author"], people["friend"], people["follower"]
    conversation = conversations_actions.start_conversation(
        sender=author, recipients=[friend, follower], title="Saturday", body="Who comes?"
    )
    conversations_actions.send_message(sender=author, conversation=conversation, body="Bring flyers")

    assert conversations_queries.unread_counts(friend)["messages"] == 2
    assert conversations_queries.unread_counts(author)["messages"] == 0
    # One notification per conversation until it is read, however many messages come.
    assert Notification.objects.filter(recipient=friend, kind="message").count() == 1

    client_for(friend).get(conversation.get_absolute_url())

    assert conversations_queries.unread_counts(friend)["messages"] == 0
    assert not Notification.objects.filter(recipient=friend, kind="message", read_at__isnull=True).exists()
    assert conversations_queries.unread_counts(follower)["messages"] == 2


def test_the_inbox_lists_conversations_latest_first_with_the_last_words(
    people, django_assert_max_num_queries
):
    author = people["author"]
    first = conversations_actions.start_conversation(
        sender=author, recipients=[people["friend"]], title="First", body="Old news"
    )
    conversations_actions.start_conversation(
        sender=people["follower"], recipients=[author], title="Second", body="Fresh news"
    )
    client = client_for(author)

    client.get(reverse("social:inbox"))
    with django_assert_max_num_queries(6):
        page = client.get(reverse("social:inbox")).content.decode()

    assert page.index("Second") < page.index("First") and "Fresh news" in page and "Old news" in page
    assert first.pk


def test_writing_twice_to_the_same_person_continues_the_same_conversation(people):
    one = conversations_actions.start_conversation(
        sender=people["author"], recipients=[people["friend"]], title="", body="Hi"
    )
    two = conversations_actions.start_conversation(
        sender=people["author"], recipients=[people["friend"]], title="", body="Again"
    )

    assert one.pk == two.pk and Message.objects.filter(conversation=one).count() == 2


def test_leaving_stops_the_counts_and_the_conversation_disappears_from_the_inbox(people):
    conversation = conversations_actions.start_conversation(
        sender=people["author"], recipients=[people["friend"], people["follower"]], title="Crowd", body="Hi"
    )
    client = client_for(people["friend"])

    client.post(reverse("social:conversation_leave", args=[conversation.pk]))
    conversations_actions.send_message(
        sender=people["author"], conversation=conversation, body="Still there?"
    )

    assert conversations_queries.unread_counts(people["friend"])["messages"] == 0
    assert "Crowd" not in client.get(reverse("social:inbox")).content.decode()
    assert client.get(conversation.get_absolute_url()).status_code == 404


def test_nobody_writes_to_someone_who_blocked_them(people):
    author, blocked = people["author"], people["blocked"]
    client = client_for(blocked)

    response = client.post(
        reverse("social:conversation_new"), {"to": author.handle, "title": "", "body": "Please"}
    )

    assert response.status_code == 400
    assert (
        "one of you blocked the other" in response.content.decode() and "Please" in response.content.decode()
    )
    assert not Message.objects.exists()


def test_a_block_after_a_conversation_started_stops_the_blocked_persons_messages(people, make_supporter):
    other = make_supporter("Later Blocked")
    conversation = conversations_actions.start_conversation(
        sender=other, recipients=[people["author"]], title="", body="Hi"
    )
    connections_actions.block(blocker=people["author"], blocked=other)

    with pytest.raises(common_actions.SocialError, match="blocked"):
        conversations_actions.send_message(sender=other, conversation=conversation, body="Hello?")
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_a_new_account_writes_first_to_three_strangers_a_day(people, make_supporter):
    newcomer = make_supporter("Nina Newcomer")
    strangers = [make_supporter(f"Target {number}") for number in range(4)]
    for target in strangers[:3]:
        conversations_actions.start_conversation(
            sender=newcomer, recipients=[target], title="", body="Hello neighbour"
        )

    client = client_for(newcomer)
    response = client.post(
        reverse("social:conversation_new"),
        {"to": strangers[3].handle, "title": "", "body": "Hello neighbour"},
    )

    assert response.status_code == 400 and "Please try again tomorrow" in response.content.decode()
    assert Conversation.objects.filter(created_by=newcomer).count() == 3
    # People who follow the newcomer are not first contacts.
    connections_actions.follow(follower=strangers[3], followed=newcomer)
    conversations_actions.start_conversation(
        sender=newcomer, recipients=[strangers[3]], title="", body="Thanks for following"
    )
    assert Conversation.objects.filter(created_by=newcomer).count() == 4


def test_an_older_account_has_a_larger_first_contact_allowance(people, make_supporter, monkeypatch):
    monkeypatch.setattr(conversations_actions, "FIRST_CONTACTS_PER_DAY", 5)
    veteran = make_supporter("Vera Veteran")
    _age(veteran, 30)
    for number in range(5):
        conversations_actions.start_conversation(
            sender=veteran, recipients=[make_supporter(f"Reader {number}")], title="", body="Hi"
        )
    with pytest.raises(common_actions.SocialError, match="first_contact_limited"):
        conversations_actions.start_conversation(
            sender=veteran, recipients=[make_supporter("One too many")], title="", body="Hi"
        )


def test_messages_past_the_hourly_limit_are_refused_with_the_text_kept(people, monkeypatch):
    monkeypatch.setattr(conversations_actions, "MESSAGES_PER_HOUR", 3)
    conversation = conversations_actions.start_conversation(
        sender=people["author"], recipients=[people["friend"]], title="", body="1"
    )
    conversations_actions.send_message(sender=people["author"], conversation=conversation, body="2")
    conversations_actions.send_message(sender=people["author"], conversation=conversation, body="3")

    response = client_for(people["author"]).post(conversation.get_absolute_url(), {"body": "Number four"})

    assert response.status_code == 400
    assert (
        "You are going too fast" in response.content.decode() and "Number four" in response.content.decode()
    )
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_a_double_click_sends_one_message(people):
    conversation = conversations_actions.start_conversation(
        sender=people["author"], recipients=[people["friend"]], title="", body="Hi"
    )
    client = client_for(people["author"])

    for _click in range(2):
        client.post(conversation.get_absolute_url(), {"body": "See you at 10"})

    assert Message.objects.filter(conversation=conversation, body="See you at 10").count() == 1
    assert Participant.objects.get(conversation=conversation, supporter=people["friend"]).unread_count == 2


def test_the_group_conversation_is_for_current_members(people, group, make_supporter):
    member, outsider = people["member"], people["stranger"]
    client = client_for(member)

    response = client.get(reverse("social:group_conversation", args=[group.slug]))
    conversation = Conversation.objects.get(group=group)
    assert response.status_code == 302 and response["Location"] == conversation.get_absolute_url()
    client.post(conversation.get_absolute_url(), {"body": "Hello neighbours"})

    assert (
        conversations_queries.unread_counts(people["author"])["messages"] == 1
    )  # the group's leader is a member
    assert (
        client_for(outsider).get(reverse("social:group_conversation", args=[group.slug])).status_code == 404
    )
    assert client_for(outsider).get(conversation.get_absolute_url()).status_code == 404
    from quartier.organizing.actions import groups as organizing_groups

    organizing_groups.leave_group(supporter=member, group=group)
    assert client.get(conversation.get_absolute_url()).status_code == 404
    newcomer = make_supporter("Nadia New")
    join(newcomer, group)
    assert (
        client_for(newcomer).get(reverse("social:group_conversation", args=[group.slug])).status_code == 302
    )


def test_the_event_conversation_is_for_the_host_and_confirmed_attendees(people):
    from quartier.tests.personal_data.common import People

    host = people["author"]
    event = People(organiser=host, staff=people["moderator"]).make_event(host, title="Canvass Saturday")
    from quartier.organizing.actions import rsvps as organizing_rsvps

    organizing_rsvps.rsvp(supporter=people["friend"], shift=event.shifts.get())

    assert (
        client_for(people["friend"]).get(reverse("social:event_conversation", args=[event.pk])).status_code
        == 302
    )
    assert client_for(host).get(reverse("social:event_conversation", args=[event.pk])).status_code == 302
    assert (
        client_for(people["stranger"]).get(reverse("social:event_conversation", args=[event.pk])).status_code
        == 404
    )
    assert set(
        Participant.objects.filter(conversation__event=event).values_list("supporter_id", flat=True)
    ) == {host.pk, people["friend"].pk}


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_never_exceed_the_hourly_limit(make_supporter, monkeypatch):
    monkeypatch.setattr(conversations_actions, "MESSAGES_PER_HOUR", 5)
    sender, reader = make_supporter("Fast Sender"), make_supporter("Reader")
    connections_actions.follow(follower=reader, followed=sender)
    conversation = conversations_actions.start_conversation(
        sender=sender, recipients=[reader], title="", body="0"
    )

    def send(number: int):
        return lambda: conversations_actions.send_message(
            sender=sender, conversation=conversation, body=f"message {number}"
        )

    outcomes = run_together([send(number) for number in range(8)])

    assert Message.objects.filter(conversation=conversation).count() == 5
    assert Participant.objects.get(conversation=conversation, supporter=reader).unread_count == 5
    assert len(outcomes) == 8
