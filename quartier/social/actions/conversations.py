"""Private, group and event conversations: starting one (first-contact limits), sending, reading, leaving."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.accounts.trust import TrustLevel, trust_level
from quartier.lib.text import render_markdown
from quartier.organizing.models import Event, Group
from quartier.organizing.queries import events as organizing_events
from quartier.organizing.queries import groups as organizing_groups
from quartier.social.actions.common import SAME_SUBMISSION_WINDOW, SocialError, _check_may_write, _lock
from quartier.social.actions.notifications import _notify_many
from quartier.social.models import (
    Block,
    Conversation,
    Follow,
    Message,
    Notification,
    Participant,
)

# Messages one person may send per hour, and how many people who do not follow them they may write to
# first per day (first contacts, counted by person); accounts younger than NEW_ACCOUNT_AGE get fewer.
MESSAGES_PER_HOUR = 60

FIRST_CONTACTS_PER_DAY = 20

NEW_ACCOUNT_AGE = timedelta(days=7)

NEW_ACCOUNT_FIRST_CONTACTS_PER_DAY = 3

# Earned reputation (`accounts.trust`, computed by integrity) moves the first-contact limit: an account
# no trust reaches gets the new-account limit whatever its age, a well-trusted one a looser limit.
TRUSTED_FIRST_CONTACTS_PER_DAY = 40

MAX_PARTICIPANTS = 20  # a private conversation; group and event conversations have their own members


def _check_message_rate(sender: Supporter, now: datetime) -> None:
    sent = Message.objects.filter(sender=sender, created_at__gte=now - timedelta(hours=1)).count()
    if sent >= MESSAGES_PER_HOUR:
        raise SocialError("rate_limited")


@transaction.atomic
def start_conversation(
    *, sender: Supporter, recipients: list[Supporter], title: str, body: str
) -> Conversation:
    """A private conversation with a few people, opened by its first message.

    Refused when a recipient blocked the sender (or the other way round); writing first to people who
    do not follow you is limited per day in people (however they are grouped into conversations),
    more strictly for new accounts.
    """
    _check_may_write(sender)
    people = {person.pk: person for person in recipients if person.pk != sender.pk}
    if not people:
        raise SocialError("no_recipient")
    if len(people) + 1 > MAX_PARTICIPANTS:
        raise SocialError("too_many_recipients")
    if not body.strip():
        raise SocialError("empty")
    if any(not person.is_active or person.deleted_at is not None for person in people.values()):
        raise SocialError("not_found")
    if Block.objects.filter(
        Q(blocker_id__in=people, blocked=sender) | Q(blocker=sender, blocked_id__in=people)
    ).exists():
        raise SocialError("blocked")
    _lock(sender)
    now = timezone.now()
    if len(people) == 1:
        existing = _private_conversation_between(sender, next(iter(people.values())))
        if existing is not None:
            send_message(sender=sender, conversation=existing, body=body)
            return existing
    followers = set(
        Follow.objects.filter(follower_id__in=people, followed=sender).values_list("follower_id", flat=True)
    )
    strangers = set(people) - followers
    is_first_contact = bool(strangers)
    if is_first_contact:
        limit = first_contact_limit(sender, now)
        if len(strangers | _first_contacted_today(sender, now)) > limit:
            raise SocialError("first_contact_limited")
    _check_message_rate(sender, now)
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.PRIVATE, title=title, created_by=sender, is_first_contact=is_first_contact
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, supporter_id=pk) for pk in [sender.pk, *people]]
    )
    send_message(sender=sender, conversation=conversation, body=body)
    return conversation


def first_contact_limit(sender: Supporter, now: datetime) -> int:
    """How many people `sender` may write to first per day, by earned trust, then by account age."""
    level = trust_level(sender.pk)
    if level == TrustLevel.LOW:
        return NEW_ACCOUNT_FIRST_CONTACTS_PER_DAY
    if level == TrustLevel.HIGH:
        return TRUSTED_FIRST_CONTACTS_PER_DAY
    return (
        NEW_ACCOUNT_FIRST_CONTACTS_PER_DAY
        if sender.date_joined > now - NEW_ACCOUNT_AGE
        else FIRST_CONTACTS_PER_DAY
    )


def _first_contacted_today(sender: Supporter, now: datetime) -> set[int]:
    """The people `sender` wrote to first in the last day: the limit counts people, not conversations
    (one conversation with 19 strangers is 19 first contacts). Someone who has since followed the
    sender back no longer counts."""
    return set(
        Participant.objects.filter(
            conversation__created_by=sender, conversation__kind=Conversation.Kind.PRIVATE,
            conversation__is_first_contact=True, conversation__created_at__gte=now - timedelta(days=1),
        )
        .exclude(supporter=sender)
        .exclude(supporter_id__in=Follow.objects.filter(followed=sender).values("follower_id"))
        .values_list("supporter_id", flat=True)
    )  # fmt: skip


def _private_conversation_between(one: Supporter, other: Supporter) -> Conversation | None:
    """The two people's one-to-one conversation, if they have one (and neither left it)."""
    mine = Participant.objects.filter(
        supporter=one, left_at__isnull=True, conversation__kind=Conversation.Kind.PRIVATE
    )
    theirs = Participant.objects.filter(supporter=other, left_at__isnull=True).values("conversation_id")
    for participant in (
        mine.filter(conversation_id__in=theirs).select_related("conversation").order_by("pk")[:20]
    ):
        if Participant.objects.filter(conversation_id=participant.conversation_id).count() == 2:
            return participant.conversation
    return None


@transaction.atomic
def conversation_for_group(group: Group) -> Conversation:
    """The local group's conversation, with every active member in it (who has not left it)."""
    conversation, _created = Conversation.objects.get_or_create(
        group=group, defaults={"kind": Conversation.Kind.GROUP, "title": group.name[:120]}
    )
    _add_participants(conversation, organizing_groups.active_member_ids(group.pk))
    return conversation


@transaction.atomic
def conversation_for_event(event: Event) -> Conversation:
    """The event's conversation, for its host and confirmed attendees."""
    conversation, _created = Conversation.objects.get_or_create(
        event=event, defaults={"kind": Conversation.Kind.EVENT, "title": event.title[:120]}
    )
    ids = set(organizing_events.attendee_ids(event.pk).values_list("supporter_id", flat=True)) | {
        event.host_id
    }
    _add_participants(conversation, list(ids))
    return conversation


def _add_participants(conversation: Conversation, supporter_ids) -> None:
    """Adds the people not in it yet; someone who left stays out (bulk insert, conflicts ignored)."""
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, supporter_id=pk, last_message_at=conversation.last_message_at)
         for pk in (supporter_ids if isinstance(supporter_ids, list) else list(supporter_ids.values_list("supporter_id", flat=True)))],
        ignore_conflicts=True, batch_size=1000,
    )  # fmt: skip


@transaction.atomic
def send_message(*, sender: Supporter, conversation: Conversation, body: str) -> Message:
    """Add a message: the others' unread counts go up and a notification waits for their email."""
    _check_may_write(sender)
    if not body.strip():
        raise SocialError("empty")
    if len(body) > Message._meta.get_field("body").max_length:
        raise SocialError("too_long")
    me = Participant.objects.filter(conversation=conversation, supporter=sender, left_at__isnull=True).first()
    if me is None or not may_take_part(sender, conversation):
        raise SocialError("not_participant")
    others = Participant.objects.filter(conversation=conversation, left_at__isnull=True).exclude(
        supporter=sender
    )
    if (
        conversation.kind == Conversation.Kind.PRIVATE
        and Block.objects.filter(blocker_id__in=others.values("supporter_id"), blocked=sender).exists()
    ):
        raise SocialError("blocked")
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    now = timezone.now()
    last = Message.objects.filter(conversation=locked).order_by("-created_at", "-pk").first()
    if (
        last is not None
        and last.sender_id == sender.pk
        and last.body == body
        and last.created_at >= now - SAME_SUBMISSION_WINDOW
    ):
        return last
    _check_message_rate(sender, now)
    message = Message.objects.create(
        conversation=locked, sender=sender, body=body, body_html=render_markdown(body)
    )
    Conversation.objects.filter(pk=locked.pk).update(last_message_at=message.created_at)
    # Someone the recipient blocked still writes in a group conversation they share; their count does
    # not go up for it.
    recipients = others.exclude(supporter_id__in=Block.objects.filter(blocked=sender).values("blocker_id"))
    recipients.update(unread_count=F("unread_count") + 1, last_message_at=message.created_at)
    Participant.objects.filter(pk=me.pk).update(
        last_message_at=message.created_at, last_read_at=message.created_at
    )
    waiting = Notification.objects.filter(
        kind=Notification.Kind.MESSAGE, conversation=locked, read_at__isnull=True
    ).values("recipient_id")
    _notify_many(
        recipients.exclude(supporter_id__in=waiting).values_list("supporter_id", flat=True),
        kind=Notification.Kind.MESSAGE, actor=sender, conversation=locked,
    )  # fmt: skip
    record_activity(
        "social.message", supporter=sender, key=f"message:{message.pk}", occurred_at=message.created_at,
        group_id=locked.group_id, detail={"conversation": locked.pk, "kind": locked.kind},
    )  # fmt: skip
    return message


def may_take_part(supporter: Supporter, conversation: Conversation) -> bool:
    """A group's conversation is for its current members, an event's for its host and attendees."""
    if conversation.kind == Conversation.Kind.GROUP:
        return organizing_groups.is_active_member(supporter, conversation.group_id)
    if conversation.kind == Conversation.Kind.EVENT:
        return organizing_events.is_attendee_or_host(supporter, conversation.event)
    return True


@transaction.atomic
def mark_read(*, supporter: Supporter, conversation: Conversation) -> None:
    now = timezone.now()
    Participant.objects.filter(conversation=conversation, supporter=supporter).update(
        unread_count=0, last_read_at=now
    )
    Notification.objects.filter(
        recipient=supporter, kind=Notification.Kind.MESSAGE, conversation=conversation, read_at__isnull=True
    ).update(read_at=now, email_pending=False)


@transaction.atomic
def leave_conversation(*, supporter: Supporter, conversation: Conversation) -> None:
    """Leave: no more messages or counts from it (a group's or event's conversation can be rejoined)."""
    Participant.objects.filter(conversation=conversation, supporter=supporter).update(
        left_at=timezone.now(), unread_count=0
    )
    Notification.objects.filter(recipient=supporter, conversation=conversation, read_at__isnull=True).update(
        read_at=timezone.now(), email_pending=False
    )


@transaction.atomic
def rejoin_conversation(*, supporter: Supporter, conversation: Conversation) -> None:
    Participant.objects.update_or_create(
        conversation=conversation, supporter=supporter,
        defaults={"left_at": None, "last_message_at": conversation.last_message_at},
    )  # fmt: skip
