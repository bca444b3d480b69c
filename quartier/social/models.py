"""Connections, blogs and posts, conversations, notifications and moderation (the social graph).

Activity kinds recorded in the journal (`accounts.activity`): `social.post` (a post published, key
`post:<id>`), `social.comment` (key `comment:<id>`), `social.message` (key `message:<id>`).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter
from quartier.organizing.models import Event, Group

BODY_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 4_000
MESSAGE_MAX_LENGTH = 4_000


class Follow(models.Model):
    """`follower` follows `followed`; two follows in both directions make two friends."""

    follower = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="following")
    followed = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=models.F("followed")), name="follow_not_self"),
        ]
        indexes: ClassVar = [models.Index(fields=["followed", "follower"], name="follow_by_followed")]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.followed_id}"


class FollowRemoval(models.Model):
    """A follow that ended (unfollowed, blocked, erased with an account, deleted with a supporter): what
    reach's snapshot of the follow graph applies to catch up without reading every follow again.

    Written by the database itself, a trigger on every DELETE from `social_follow` (migration 0005), so
    that no way of deleting follows (an action, a cascade, a bulk or raw delete) forgets one and none
    costs a Python object per follow. Plain integers: the people may be gone. Kept
    `SOCIAL_FOLLOW_REMOVALS_DAYS` days (`tasks.purge_follow_removals`); ids only grow.
    """

    follow_id = models.BigIntegerField()
    follower_id = models.BigIntegerField()
    followed_id = models.BigIntegerField()
    removed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.follower_id} ↛ {self.followed_id}"


class Block(models.Model):
    """`blocker` blocked `blocked`: no messages, no comments, nothing but public content between them."""

    blocker = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="block_not_self"),
        ]
        indexes: ClassVar = [models.Index(fields=["blocked", "blocker"], name="block_by_blocked")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class SocialSettings(models.Model):
    """What a supporter lets the feed say about them, and how often notifications come by email."""

    class EmailFrequency(models.TextChoices):
        IMMEDIATELY = "immediately", _("As they happen (grouped every few minutes)")
        DAILY = "daily", _("A daily digest")
        WEEKLY = "weekly", _("A weekly digest")
        NEVER = "never", _("Never")

    supporter = models.OneToOneField(
        Supporter, on_delete=models.CASCADE, primary_key=True, related_name="social_settings"
    )
    # Milestones shown to followers: unticked until the person ticks them.
    shares_group_joins = models.BooleanField(_("Show my followers when I join a local group"), default=False)
    shares_hosting = models.BooleanField(_("Show my followers the events I host"), default=False)
    email_frequency = models.CharField(
        _("Email me my notifications"), max_length=12, choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATELY,
    )  # fmt: skip
    # Kinds of notification the supporter turned off, in the app and by email (see Notification.Kind).
    muted_kinds = models.JSONField(default=list, blank=True)
    email_muted_kinds = models.JSONField(default=list, blank=True)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"social settings of {self.supporter_id}"


class Post(models.Model):
    """A blog post: on its author's blog, a local group's blog, or the campaign's blog.

    A re-post points at the post it shares (`shared`) and carries the re-poster's comment as its body.
    """

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        SUPPORTERS = "supporters", _("Signed-in supporters")
        GROUP = "group", _("Members of the group")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    author = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="posts")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="posts")
    # Written on behalf of the campaign, on its blog: marked so wherever it shows; only staff write them.
    for_campaign = models.BooleanField(default=False)
    title = models.CharField(_("title"), max_length=160, blank=True)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH, blank=True)
    body_html = models.TextField(blank=True, editable=False)
    image = models.ImageField(
        upload_to="posts/", blank=True, width_field="image_width", height_field="image_height"
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(_("image description"), max_length=300, blank=True)
    visibility = models.CharField(
        _("who can read it"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    shared = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reposts"
    )
    is_featured = models.BooleanField(default=False)  # featured on the campaign blog by staff
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)  # hidden by a moderator
    comment_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)
    repost_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["author", "-published_at"], name="post_author_published"),
            models.Index(fields=["group", "-published_at"], name="post_group_published"),
            models.Index(
                fields=["-published_at"], name="post_campaign_published", condition=Q(for_campaign=True)
            ),
            models.Index(
                fields=["-published_at"], name="post_featured_published", condition=Q(is_featured=True)
            ),
            models.Index(fields=["-published_at"], name="post_published"),
        ]

    def __str__(self) -> str:
        return self.title or f"post {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("social:post", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class FeedEntry(models.Model):
    """A post in one reader's feed, written when it is published (fan-out on write, docs/decisions.md).

    Rows are copied for the author and the followers of accounts with fewer followers than
    `SOCIAL_FANOUT_MAX_FOLLOWERS`; visibility, hiding and the follow itself are checked again when
    the feed is read, so a stale row is never shown.
    """

    # Served by `feed_entry_page`; the post's own index serves a post's deletion.
    reader = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+", db_index=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    published_at = models.DateTimeField()  # the post's, copied so that one index serves the page

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["reader", "post"], name="feed_entry_once")]
        indexes: ClassVar = [
            models.Index(fields=["reader", "-published_at", "-post"], name="feed_entry_page")
        ]

    def __str__(self) -> str:
        return f"post {self.post_id} for {self.reader_id}"


class MergedAuthor(models.Model):
    """An account with too many followers to copy its posts: its followers' feeds read them from the
    author's own index. Once merged, always merged (its earlier posts may not be copied anywhere)."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.supporter_id} merged on read"


class Comment(models.Model):
    """A comment on a post, or a reply to one (one level: a reply's parent is never a reply)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="post_comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["post", "created_at"], name="comment_post_created")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.post_id}"

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#comment-{self.pk}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("Like")
        SUPPORT = "support", _("Support")
        INSIGHTFUL = "insightful", _("Insightful")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="post_reactions")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.LIKE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["post", "supporter"], name="reaction_once_per_post"),
        ]
        indexes: ClassVar = [models.Index(fields=["supporter"], name="reaction_by_supporter")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.supporter_id} on {self.post_id}"


class Conversation(models.Model):
    """Messages between a few people, or among a local group's members or an event's attendees."""

    class Kind(models.TextChoices):
        PRIVATE = "private", _("Private conversation")
        GROUP = "group", _("Local group")
        EVENT = "event", _("Event")

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PRIVATE)
    title = models.CharField(_("subject"), max_length=120, blank=True)
    group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="conversation"
    )
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="conversation"
    )
    created_by = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="+")
    # Opened by someone at least one recipient does not follow (counted by the first-contact limit).
    is_first_contact = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["created_by", "created_at"], name="conversation_started_by")
        ]

    def __str__(self) -> str:
        return self.title or f"conversation {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("social:conversation", args=[self.pk])


class Participant(models.Model):
    """A supporter in a conversation, with what they have not read yet."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="conversations")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    last_read_at = models.DateTimeField(null=True, blank=True)
    # Conversation.last_message_at copied here, so that the list is one index range scan.
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["conversation", "supporter"], name="participant_once"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["supporter", "-last_message_at"], name="participant_inbox",
                condition=Q(left_at__isnull=True),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.supporter_id} in {self.conversation_id}"


class Message(models.Model):
    """One message in a conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        Supporter, null=True, on_delete=models.SET_NULL, related_name="conversation_messages"
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["conversation", "-created_at"], name="message_conversation_created"),
            models.Index(fields=["sender", "-created_at"], name="message_sender_created"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} in {self.conversation_id}"

    def get_absolute_url(self) -> str:
        return f"{self.conversation.get_absolute_url()}#message-{self.pk}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        FOLLOW = "follow", _("Someone follows me")
        COMMENT = "comment", _("A comment on my post")
        REPLY = "reply", _("A reply to my comment")
        REACTION = "reaction", _("A reaction to my post")
        REPOST = "repost", _("A re-post of my post")
        MESSAGE = "message", _("A new message")
        MODERATION = "moderation", _("A moderator's decision about my content")

    recipient = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(Supporter, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=300, blank=True)  # a moderator's reason, shown as written
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Whether this notification still waits for an email (the sender's query reads a partial index).
    email_pending = models.BooleanField(default=False)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(
                fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)
            ),
            models.Index(
                fields=["recipient", "created_at"], name="notification_email_pending",
                condition=Q(email_pending=True),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Report(models.Model):
    """Someone's report of a post, comment, message or profile, waiting for a moderator."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        HARASSMENT = "harassment", _("Harassment or hate")
        MISINFORMATION = "misinformation", _("False information")
        IMPERSONATION = "impersonation", _("Fake identity or undisclosed campaign account")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        RESOLVED = "resolved", _("Dealt with")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="reports_made")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(Supporter, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The author of what is reported (the person any sanction is for).
    subject = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="reports_about")
    # The local group the content belongs to: its leaders see the report in their queue.
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["status", "created_at"], name="report_queue"),
            models.Index(fields=["group", "status"], name="report_group_queue"),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.reason})"

    @property
    def target(self) -> models.Model | None:
        return self.post or self.comment or self.message or self.profile


class ModerationAction(models.Model):
    """The audit log: every decision a moderator took, with the reason the author is shown."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        WARN = "warn", _("Warning")
        SUSPEND = "suspend", _("Suspended")
        BAN = "ban", _("Banned")
        LIFT = "lift", _("Suspension or ban lifted")
        DISMISS = "dismiss", _("Report dismissed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    moderator = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.ForeignKey(
        Supporter, null=True, on_delete=models.SET_NULL, related_name="moderation_actions"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), max_length=2000)
    until = models.DateTimeField(null=True, blank=True)  # end of a suspension
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        indexes: ClassVar = [models.Index(fields=["subject", "-created_at"], name="moderation_subject")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.subject_id}"


class Appeal(models.Model):
    """The author's answer to a moderator's decision, decided by staff."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        GRANTED = "granted", _("Granted: the decision was reversed")
        REFUSED = "refused", _("Refused: the decision stands")

    action = models.OneToOneField(ModerationAction, on_delete=models.CASCADE, related_name="appeal")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField(_("why the decision should change"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"appeal of {self.action_id}"
