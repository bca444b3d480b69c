"""Writes: follow and block, posts, comments, reactions and re-posts, conversations and messages,
notifications, reports and moderation. Each in a transaction; emails go out after commit (tasks).

Every refusal raises `SocialError` with a code the views turn into a translated message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.lib import images
from quartier.lib.text import render_markdown
from quartier.organizing import queries as organizing_queries
from quartier.organizing.models import Event, Group
from quartier.social import queries
from quartier.social.models import (
    Appeal,
    Block,
    Comment,
    Conversation,
    Follow,
    Message,
    ModerationAction,
    Notification,
    Participant,
    Post,
    Reaction,
    Report,
    SocialSettings,
)

# Messages one person may send per hour, and new private conversations they may start per day with
# people who do not follow them (first contacts); accounts younger than NEW_ACCOUNT_AGE get fewer.
MESSAGES_PER_HOUR = 60
FIRST_CONTACTS_PER_DAY = 20
NEW_ACCOUNT_AGE = timedelta(days=7)
NEW_ACCOUNT_FIRST_CONTACTS_PER_DAY = 3
MAX_PARTICIPANTS = 20  # a private conversation; group and event conversations have their own members
POSTS_PER_HOUR = 30
COMMENTS_PER_HOUR = 120
# A second identical submission within this time is the same one (a double click, a retried request).
SAME_SUBMISSION_WINDOW = timedelta(seconds=30)
IMAGE_SIZE = 1200


class SocialError(Exception):
    """A refused write; `code` names why (see `views.ERRORS` for the messages people see)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _check_may_write(supporter: Supporter) -> None:
    if not supporter.is_verified:
        raise SocialError("unverified")
    sanction = queries.sanction_of(supporter)
    if sanction is not None:
        raise SocialError("banned" if sanction.kind == ModerationAction.Kind.BAN else "suspended")


def _lock(supporter: Supporter) -> None:
    """Serialises one supporter's writes, so that limits are counted exactly under double clicks."""
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)


# --- Connections ---


@transaction.atomic
def follow(*, follower: Supporter, followed: Supporter) -> bool:
    """Follow someone; return whether it is new (following twice changes nothing)."""
    if follower.pk == followed.pk:
        raise SocialError("self")
    if not follower.is_verified:
        raise SocialError("unverified")
    if queries.is_blocked_between(follower, followed):
        raise SocialError("blocked")
    _follow, created = Follow.objects.get_or_create(follower=follower, followed=followed)
    if created:
        notify(recipient=followed, kind=Notification.Kind.FOLLOW, actor=follower)
    return created


@transaction.atomic
def unfollow(*, follower: Supporter, followed: Supporter) -> bool:
    deleted, _rows = Follow.objects.filter(follower=follower, followed=followed).delete()
    return bool(deleted)


@transaction.atomic
def block(*, blocker: Supporter, blocked: Supporter) -> bool:
    """Block someone: the follows between the two end, and they can no longer write to each other."""
    if blocker.pk == blocked.pk:
        raise SocialError("self")
    _block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    Follow.objects.filter(
        Q(follower=blocker, followed=blocked) | Q(follower=blocked, followed=blocker)
    ).delete()
    Notification.objects.filter(recipient=blocker, actor=blocked).delete()
    return created


@transaction.atomic
def unblock(*, blocker: Supporter, blocked: Supporter) -> bool:
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


@transaction.atomic
def update_settings(
    *,
    supporter: Supporter,
    shares_group_joins: bool,
    shares_hosting: bool,
    email_frequency: str,
    muted_kinds: list[str],
    email_muted_kinds: list[str],
) -> SocialSettings:
    row, _created = SocialSettings.objects.select_for_update().get_or_create(supporter=supporter)
    row.shares_group_joins = shares_group_joins
    row.shares_hosting = shares_hosting
    row.email_frequency = email_frequency
    row.muted_kinds = sorted(set(muted_kinds))
    row.email_muted_kinds = sorted(set(email_muted_kinds))
    row.save()
    return row


# --- Posts ---


@dataclass
class PostDraft:
    title: str
    body: str
    visibility: str
    group: Group | None = None
    for_campaign: bool = False


def _check_post_place(author: Supporter, draft: PostDraft) -> None:
    if draft.for_campaign and not author.is_staff:
        raise SocialError("not_staff")
    if draft.group is not None and not organizing_queries.is_active_member(author, draft.group.pk):
        raise SocialError("not_member")
    if draft.visibility == Post.Visibility.GROUP and draft.group is None:
        raise SocialError("group_visibility_needs_group")
    if not draft.body.strip() and not draft.title.strip():
        raise SocialError("empty")


@transaction.atomic
def create_post(*, author: Supporter, draft: PostDraft, publish: bool) -> Post:
    """A new post, as a draft or published at once. A second identical one right after is the first."""
    _check_may_write(author)
    _check_post_place(author, draft)
    _lock(author)
    now = timezone.now()
    same = (
        Post.objects.filter(
            author=author, title=draft.title, body=draft.body, group=draft.group, shared__isnull=True,
            created_at__gte=now - SAME_SUBMISSION_WINDOW,
        )
        .order_by("-pk")
        .first()
    )  # fmt: skip
    if same is not None:
        return same
    if Post.objects.filter(author=author, created_at__gte=now - timedelta(hours=1)).count() >= POSTS_PER_HOUR:
        raise SocialError("rate_limited")
    post = Post.objects.create(
        author=author, group=draft.group, for_campaign=draft.for_campaign, title=draft.title, body=draft.body,
        body_html=render_markdown(draft.body), visibility=draft.visibility,
    )  # fmt: skip
    if publish:
        publish_post(post=post)
    return post


@transaction.atomic
def update_post(*, post: Post, draft: PostDraft) -> Post:
    _check_may_write(post.author)
    _check_post_place(post.author, draft)
    post.title, post.body, post.visibility = draft.title, draft.body, draft.visibility
    post.body_html = render_markdown(draft.body)
    post.group, post.for_campaign = draft.group, draft.for_campaign
    post.save(
        update_fields=["title", "body", "body_html", "visibility", "group", "for_campaign", "updated_at"]
    )
    return post


@transaction.atomic
def publish_post(*, post: Post) -> Post:
    """Publish a draft. Nothing fans out: the feed is read by merging its sources (docs/decisions.md),
    so a post by someone with 100,000 followers costs one row."""
    _check_may_write(post.author)
    updated = Post.objects.filter(pk=post.pk, status=Post.Status.DRAFT).update(
        status=Post.Status.PUBLISHED, published_at=post.published_at or timezone.now()
    )
    post.refresh_from_db(fields=["status", "published_at"])
    if updated:
        record_activity(
            "social.post", supporter=post.author, key=f"post:{post.pk}", occurred_at=post.published_at,
            group_id=post.group_id, detail={"post": post.pk, "repost": post.shared_id is not None},
        )  # fmt: skip
    return post


@transaction.atomic
def unpublish_post(*, post: Post) -> Post:
    """Back to draft: gone from every list; it keeps its first publication time for when it returns."""
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    post.refresh_from_db(fields=["status"])
    return post


@transaction.atomic
def delete_post(*, post: Post) -> None:
    if post.shared_id is not None:
        Post.objects.filter(pk=post.shared_id, repost_count__gt=0).update(repost_count=F("repost_count") - 1)
    post.delete()


def set_post_image(*, post: Post, upload: BinaryIO) -> Post:
    """Re-encode the upload (checked by `lib.images`, metadata dropped) and attach it to the post."""
    data = images.reencode_image(upload, size=IMAGE_SIZE)
    with transaction.atomic():
        old = post.image.name if post.image else ""
        post.image.save(f"post-{post.pk}-{timezone.now():%Y%m%d%H%M%S%f}.webp", ContentFile(data), save=False)
        post.save(update_fields=["image", "updated_at"])
    if old:
        post.image.storage.delete(old)
    return post


@transaction.atomic
def repost(*, supporter: Supporter, post: Post, comment: str, visibility: str) -> Post:
    """Share a post on one's own blog with a comment; sharing the same post twice shares it once."""
    _check_may_write(supporter)
    if post.shared_id is not None:
        post = post.shared  # share the original, not a share of it
    if not queries.can_read(supporter, post) or not post.is_published:
        raise SocialError("not_found")
    if post.author_id == supporter.pk:
        raise SocialError("self")
    if visibility == Post.Visibility.GROUP:
        raise SocialError("group_visibility_needs_group")
    existing = Post.objects.filter(author=supporter, shared=post).first()
    if existing is not None:
        return existing
    shared = Post.objects.create(
        author=supporter, shared=post, body=comment, body_html=render_markdown(comment), visibility=visibility,
    )  # fmt: skip
    Post.objects.filter(pk=post.pk).update(repost_count=F("repost_count") + 1)
    publish_post(post=shared)
    notify(recipient=post.author, kind=Notification.Kind.REPOST, actor=supporter, post=post)
    return shared


@transaction.atomic
def set_featured(*, post: Post, featured: bool) -> None:
    """Staff feature a supporter's public post on the campaign blog (the caller checks staff)."""
    if featured and (post.visibility != Post.Visibility.PUBLIC or not post.is_published):
        raise SocialError("feature_public_only")
    Post.objects.filter(pk=post.pk).update(is_featured=featured)


# --- Comments and reactions ---


@transaction.atomic
def add_comment(*, author: Supporter, post: Post, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a post or reply to a comment (a reply to a reply goes under the same comment)."""
    _check_may_write(author)
    if not queries.can_read(author, post) or not post.is_published:
        raise SocialError("not_found")
    if queries.has_blocked(post.author, author):
        raise SocialError("blocked")
    if not body.strip():
        raise SocialError("empty")
    if parent is not None:
        if parent.post_id != post.pk or parent.hidden_at is not None:
            raise SocialError("not_found")
        if parent.parent_id is not None:
            parent = parent.parent
    locked = Post.objects.select_for_update().get(pk=post.pk)
    now = timezone.now()
    same = Comment.objects.filter(
        post=locked, author=author, body=body, parent=parent, created_at__gte=now - SAME_SUBMISSION_WINDOW
    ).first()
    if same is not None:
        return same
    if (
        Comment.objects.filter(author=author, created_at__gte=now - timedelta(hours=1)).count()
        >= COMMENTS_PER_HOUR
    ):
        raise SocialError("rate_limited")
    comment = Comment.objects.create(
        post=locked, author=author, parent=parent, body=body, body_html=render_markdown(body)
    )
    Post.objects.filter(pk=locked.pk).update(comment_count=F("comment_count") + 1)
    record_activity(
        "social.comment", supporter=author, key=f"comment:{comment.pk}", occurred_at=comment.created_at,
        group_id=locked.group_id, detail={"post": locked.pk, "reply": parent is not None},
    )  # fmt: skip
    notify(
        recipient=locked.author, kind=Notification.Kind.COMMENT, actor=author, post=locked, comment=comment
    )
    if parent is not None and parent.author_id != locked.author_id:
        notify(
            recipient=parent.author, kind=Notification.Kind.REPLY, actor=author, post=locked, comment=comment
        )
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment) -> None:
    removed = 1 + comment.replies.count()
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - removed)
    comment.delete()


@transaction.atomic
def react(*, supporter: Supporter, post: Post, kind: str) -> Reaction:
    """React to a post; reacting again changes the kind and never counts twice."""
    _check_may_write(supporter)
    if not queries.can_read(supporter, post) or not post.is_published:
        raise SocialError("not_found")
    if queries.has_blocked(post.author, supporter):
        raise SocialError("blocked")
    locked = Post.objects.select_for_update().get(pk=post.pk)
    reaction, created = Reaction.objects.get_or_create(
        post=locked, supporter=supporter, defaults={"kind": kind}
    )
    if created:
        Post.objects.filter(pk=locked.pk).update(reaction_count=F("reaction_count") + 1)
        notify(recipient=locked.author, kind=Notification.Kind.REACTION, actor=supporter, post=locked)
    elif reaction.kind != kind:
        reaction.kind = kind
        reaction.save(update_fields=["kind"])
    return reaction


@transaction.atomic
def unreact(*, supporter: Supporter, post: Post) -> bool:
    locked = Post.objects.select_for_update().get(pk=post.pk)
    deleted, _rows = Reaction.objects.filter(post=locked, supporter=supporter).delete()
    if deleted:
        Post.objects.filter(pk=locked.pk, reaction_count__gt=0).update(reaction_count=F("reaction_count") - 1)
    return bool(deleted)


# --- Conversations and messages ---


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
    do not follow you is limited per day, more strictly for new accounts.
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
    is_first_contact = bool(set(people) - followers)
    if is_first_contact:
        limit = (
            NEW_ACCOUNT_FIRST_CONTACTS_PER_DAY
            if sender.date_joined > now - NEW_ACCOUNT_AGE
            else FIRST_CONTACTS_PER_DAY
        )
        started = Conversation.objects.filter(
            created_by=sender, kind=Conversation.Kind.PRIVATE, is_first_contact=True,
            created_at__gte=now - timedelta(days=1),
        ).count()  # fmt: skip
        if started >= limit:
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
    _add_participants(conversation, organizing_queries.active_member_ids(group.pk))
    return conversation


@transaction.atomic
def conversation_for_event(event: Event) -> Conversation:
    """The event's conversation, for its host and confirmed attendees."""
    conversation, _created = Conversation.objects.get_or_create(
        event=event, defaults={"kind": Conversation.Kind.EVENT, "title": event.title[:120]}
    )
    ids = set(organizing_queries.attendee_ids(event.pk).values_list("supporter_id", flat=True)) | {
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
        return organizing_queries.is_active_member(supporter, conversation.group_id)
    if conversation.kind == Conversation.Kind.EVENT:
        return organizing_queries.is_attendee_or_host(supporter, conversation.event)
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


# --- Notifications ---


def _wants(recipient_id: int, kind: str) -> tuple[bool, bool]:
    """(in the app, by email) for one recipient and kind."""
    row = SocialSettings.objects.filter(supporter_id=recipient_id).first()
    if row is None:
        return True, True
    in_app = kind not in row.muted_kinds
    by_email = (
        in_app
        and kind not in row.email_muted_kinds
        and row.email_frequency != SocialSettings.EmailFrequency.NEVER
    )
    return in_app, by_email


def notify(
    *,
    recipient: Supporter,
    kind: str,
    actor: Supporter | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
    conversation: Conversation | None = None,
    text: str = "",
) -> Notification | None:
    """Tell someone, unless it is their own doing, they muted this kind, or they blocked the actor.

    Moderation decisions are always told: they cannot be muted.
    """
    if actor is not None and actor.pk == recipient.pk:
        return None
    if actor is not None and queries.has_blocked(recipient, actor):
        return None
    in_app, by_email = _wants(recipient.pk, kind)
    if kind == Notification.Kind.MODERATION:
        in_app, by_email = True, True
    if not in_app:
        return None
    return Notification.objects.create(
        recipient=recipient, kind=kind, actor=actor, post=post, comment=comment, conversation=conversation,
        text=text[:300], email_pending=by_email,
    )  # fmt: skip


def _notify_many(recipient_ids, *, kind: str, actor: Supporter, conversation: Conversation) -> None:
    ids = list(recipient_ids)
    if not ids:
        return
    rows = {row.supporter_id: row for row in SocialSettings.objects.filter(supporter_id__in=ids)}
    made = []
    for pk in ids:
        row = rows.get(pk)
        if row is not None and kind in row.muted_kinds:
            continue
        by_email = row is None or (
            kind not in row.email_muted_kinds and row.email_frequency != SocialSettings.EmailFrequency.NEVER
        )
        made.append(
            Notification(
                recipient_id=pk, kind=kind, actor=actor, conversation=conversation, email_pending=by_email
            )
        )
    Notification.objects.bulk_create(made, batch_size=1000)


@transaction.atomic
def mark_notifications_read(*, supporter: Supporter) -> int:
    return Notification.objects.filter(recipient=supporter, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def claim_notifications_to_email(*, supporter_id: int, now: datetime) -> list[Notification]:
    """The supporter's notifications waiting for an email, if a digest is due: claimed with a
    conditional UPDATE so that two workers never send the same one twice."""
    with transaction.atomic():
        row, _created = SocialSettings.objects.get_or_create(supporter_id=supporter_id)
        row = SocialSettings.objects.select_for_update().get(pk=row.pk)
        if not queries.digest_due(row, now):
            return []
        pending = list(
            Notification.objects.filter(recipient_id=supporter_id, email_pending=True, read_at__isnull=True)
            .select_related("recipient", "actor", "post", "post__author", "comment", "conversation")
            .order_by("created_at")[:100]
        )
        claimed = Notification.objects.filter(pk__in=[n.pk for n in pending], email_pending=True).update(
            email_pending=False, emailed_at=now
        )
        if claimed != len(pending):  # another worker got there first
            return []
        Notification.objects.filter(
            recipient_id=supporter_id, email_pending=True, read_at__isnull=False
        ).update(email_pending=False)
        shown = [notification for notification in pending if queries.still_relevant(notification)]
        if shown:
            SocialSettings.objects.filter(pk=row.pk).update(last_emailed_at=now)
        return shown


# --- Reports and moderation ---


@transaction.atomic
def report(
    *,
    reporter: Supporter,
    reason: str,
    details: str,
    post: Post | None = None,
    comment: Comment | None = None,
    message: Message | None = None,
    profile: Supporter | None = None,
) -> Report:
    """Report one thing; reporting it again while the first report is open changes nothing."""
    if not reporter.is_verified:
        raise SocialError("unverified")
    target = {"post": post, "comment": comment, "message": message, "profile": profile}
    given = {name: value for name, value in target.items() if value is not None}
    if len(given) != 1:
        raise ValueError("report exactly one thing")
    ((name, value),) = given.items()
    subject = {"post": lambda: post.author, "comment": lambda: comment.author, "message": lambda: message.sender,
               "profile": lambda: profile}[name]()  # fmt: skip
    if subject is not None and subject.pk == reporter.pk:
        raise SocialError("self")
    group_id = None
    if post is not None:
        group_id = post.group_id
    elif comment is not None:
        group_id = comment.post.group_id
    elif message is not None:
        group_id = message.conversation.group_id
    _lock(reporter)
    existing = Report.objects.filter(reporter=reporter, status=Report.Status.OPEN, **{name: value}).first()
    if existing is not None:
        return existing
    return Report.objects.create(
        reporter=reporter, subject=subject, group_id=group_id, reason=reason, details=details, **{name: value}
    )


LEADER_ACTIONS = {
    ModerationAction.Kind.HIDE,
    ModerationAction.Kind.RESTORE,
    ModerationAction.Kind.WARN,
    ModerationAction.Kind.DISMISS,
}
SUSPENSION_DAYS = 7


@transaction.atomic
def moderate(
    *, moderator: Supporter, report: Report, kind: str, reason: str, days: int = SUSPENSION_DAYS
) -> ModerationAction:
    """Decide on a report: hide or restore what it is about, warn, suspend or ban its author, or
    dismiss it. The decision and its reason go to the audit log and to the author.

    Group leaders decide on their group's content with hide, restore, warn and dismiss; staff with all.
    """
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if not queries.may_moderate(moderator, locked):
        raise SocialError("not_moderator")
    if kind not in LEADER_ACTIONS and not moderator.is_staff:
        raise SocialError("not_staff")
    if not reason.strip():
        raise SocialError("reason_needed")
    if kind in {ModerationAction.Kind.HIDE, ModerationAction.Kind.RESTORE} and locked.profile_id is not None:
        raise SocialError("cannot_hide_profile")
    action = _decide(
        moderator=moderator, kind=kind, reason=reason, subject=locked.subject, report=locked,
        post=locked.post, comment=locked.comment, message=locked.message, days=days,
    )  # fmt: skip
    if kind != ModerationAction.Kind.RESTORE:
        Report.objects.filter(pk=locked.pk).update(
            status=Report.Status.DISMISSED
            if kind == ModerationAction.Kind.DISMISS
            else Report.Status.RESOLVED,
            resolved_at=timezone.now(),
        )
        # Every other open report of the same thing is dealt with by the same decision.
        same = {
            field: getattr(locked, field)
            for field in ("post", "comment", "message", "profile")
            if getattr(locked, field) is not None
        }
        Report.objects.filter(status=Report.Status.OPEN, **same).update(
            status=Report.Status.DISMISSED
            if kind == ModerationAction.Kind.DISMISS
            else Report.Status.RESOLVED,
            resolved_at=timezone.now(),
        )
    return action


def _decide(
    *,
    moderator,
    kind,
    reason,
    subject,
    report=None,
    post=None,
    comment=None,
    message=None,
    days=SUSPENSION_DAYS,
) -> ModerationAction:
    now = timezone.now()
    hidden_at = now if kind == ModerationAction.Kind.HIDE else None
    if kind in {ModerationAction.Kind.HIDE, ModerationAction.Kind.RESTORE}:
        for model, row in ((Post, post), (Comment, comment), (Message, message)):
            if row is not None:
                model.objects.filter(pk=row.pk).update(hidden_at=hidden_at)
    until = now + timedelta(days=max(1, min(days, 365))) if kind == ModerationAction.Kind.SUSPEND else None
    action = ModerationAction.objects.create(
        kind=kind, moderator=moderator, subject=subject, report=report, post=post, comment=comment,
        message=message, reason=reason, until=until,
    )  # fmt: skip
    if subject is not None and kind != ModerationAction.Kind.DISMISS:
        notify(recipient=subject, kind=Notification.Kind.MODERATION, text=reason)
    return action


@transaction.atomic
def appeal(*, supporter: Supporter, action: ModerationAction, text: str) -> Appeal:
    if action.subject_id != supporter.pk:
        raise SocialError("not_found")
    if action.kind in {
        ModerationAction.Kind.RESTORE,
        ModerationAction.Kind.LIFT,
        ModerationAction.Kind.DISMISS,
    }:
        raise SocialError("nothing_to_appeal")
    if not text.strip():
        raise SocialError("empty")
    try:
        with transaction.atomic():
            return Appeal.objects.create(action=action, supporter=supporter, text=text)
    except IntegrityError:
        raise SocialError("already_appealed") from None


@transaction.atomic
def decide_appeal(*, staff: Supporter, appeal: Appeal, grant: bool, decision: str) -> Appeal:
    """Staff grant an appeal (the decision is reversed: restored, or the sanction lifted) or refuse it."""
    if not staff.is_staff:
        raise SocialError("not_staff")
    locked = Appeal.objects.select_for_update().select_related("action").get(pk=appeal.pk)
    if locked.status != Appeal.Status.OPEN:
        return locked
    if not decision.strip():
        raise SocialError("reason_needed")
    locked.status = Appeal.Status.GRANTED if grant else Appeal.Status.REFUSED
    locked.decided_by, locked.decision, locked.decided_at = staff, decision, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decision", "decided_at"])
    action = locked.action
    if grant:
        if action.kind == ModerationAction.Kind.HIDE:
            _decide(moderator=staff, kind=ModerationAction.Kind.RESTORE, reason=decision, subject=action.subject,
                    post=action.post, comment=action.comment, message=action.message)  # fmt: skip
        elif action.kind in {ModerationAction.Kind.SUSPEND, ModerationAction.Kind.BAN}:
            _decide(moderator=staff, kind=ModerationAction.Kind.LIFT, reason=decision, subject=action.subject)
    elif action.subject is not None:
        notify(recipient=action.subject, kind=Notification.Kind.MODERATION, text=decision)
    return locked
