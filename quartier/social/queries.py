"""Reads: who sees what (one rule for the feed, blogs, search, RSS and emails), the feed, blogs,
conversations, notifications, search and the dashboard panel.

The visibility rule lives in `visible_posts` (querysets) and `can_read` (one loaded post), side by
side, so that every list and every page agree.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.organizing import queries as organizing_queries
from quartier.social.models import (
    Block,
    Comment,
    Conversation,
    Follow,
    Message,
    ModerationAction,
    Notification,
    Participant,
    Post,
    Report,
    SocialSettings,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser


def is_verified(viewer: Viewer | None) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_verified)


def is_moderator(viewer: Viewer | None) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_staff)


def blockers_of(viewer: Supporter) -> QuerySet:
    """The ids of the people who blocked `viewer`, as a subquery."""
    return Block.objects.filter(blocked=viewer).values("blocker_id")


def is_blocked_between(one: Supporter, other: Supporter) -> bool:
    """Whether either of the two blocked the other."""
    return Block.objects.filter(Q(blocker=one, blocked=other) | Q(blocker=other, blocked=one)).exists()


def has_blocked(blocker: Supporter, blocked: Supporter) -> bool:
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def visible_posts(viewer: Viewer | None) -> QuerySet[Post]:
    """Every published, not hidden post `viewer` may read (re-posts also need their original readable).

    Public posts are for everyone; "signed-in supporters" posts for verified supporters the author has
    not blocked; group posts for the group's active members the author has not blocked. Staff read
    every published post. Nobody reads a hidden post or a draft here (authors see drafts on their blog).
    """
    posts = Post.objects.filter(status=Post.Status.PUBLISHED, hidden_at__isnull=True, author__is_active=True)
    return posts.filter(readable_by(viewer)).filter(
        Q(shared__isnull=True) | (Q(shared__hidden_at__isnull=True) & readable_by(viewer, prefix="shared__"))
    )


def readable_by(viewer: Viewer | None, *, prefix: str = "") -> Q:
    public = Q(**{f"{prefix}visibility": Post.Visibility.PUBLIC})
    if not is_verified(viewer):
        if viewer is not None and viewer.is_authenticated:
            return public | Q(**{f"{prefix}author": viewer})
        return public
    if is_moderator(viewer):
        return Q()
    not_blocked = ~Q(**{f"{prefix}author_id__in": blockers_of(viewer)})
    return (
        public
        | Q(**{f"{prefix}author": viewer})
        | (Q(**{f"{prefix}visibility": Post.Visibility.SUPPORTERS}) & not_blocked)
        | (
            Q(**{f"{prefix}visibility": Post.Visibility.GROUP})
            & Q(**{f"{prefix}group_id__in": organizing_queries.active_group_ids(viewer)})
            & not_blocked
        )
    )


def can_read(viewer: Viewer | None, post: Post) -> bool:
    """The same rule as `visible_posts`, for one post already loaded (drafts: the author only)."""
    if post.is_hidden or not post.author.is_active:
        return False
    is_author = bool(viewer is not None and viewer.is_authenticated and viewer.pk == post.author_id)
    if not post.is_published:
        return is_author
    if is_author or post.visibility == Post.Visibility.PUBLIC:
        allowed = True
    elif not is_verified(viewer):
        allowed = False
    elif is_moderator(viewer):
        allowed = True
    elif has_blocked(post.author, viewer):
        allowed = False
    elif post.visibility == Post.Visibility.SUPPORTERS:
        allowed = True
    else:
        allowed = post.group_id is not None and organizing_queries.is_active_member(viewer, post.group_id)
    if allowed and post.shared_id is not None:
        return post.shared is not None and post.shared.is_published and can_read(viewer, post.shared)
    return allowed


def sanction_of(supporter: Supporter) -> ModerationAction | None:
    """The suspension or ban in force for the supporter, if any (a later lift ends it)."""
    latest = (
        ModerationAction.objects.filter(
            subject=supporter,
            kind__in=[ModerationAction.Kind.SUSPEND, ModerationAction.Kind.BAN, ModerationAction.Kind.LIFT],
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.kind == ModerationAction.Kind.LIFT:
        return None
    if (
        latest.kind == ModerationAction.Kind.SUSPEND
        and latest.until is not None
        and latest.until <= timezone.now()
    ):
        return None
    return latest


# --- Connections ---


def is_following(follower: Viewer | None, followed: Supporter) -> bool:
    if follower is None or not follower.is_authenticated:
        return False
    return Follow.objects.filter(follower=follower, followed=followed).exists()


def connection_counts(supporter: Supporter) -> dict[str, int]:
    return {
        "followers": Follow.objects.filter(followed=supporter).count(),
        "following": Follow.objects.filter(follower=supporter).count(),
    }


def _active(rows: QuerySet[Supporter]) -> QuerySet[Supporter]:
    return rows.filter(is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False)


def followers(supporter: Supporter, limit: int = 100) -> list[Supporter]:
    return list(
        _active(Supporter.objects.filter(following__followed=supporter)).order_by("-following__created_at")[
            :limit
        ]
    )


def following(supporter: Supporter, limit: int = 100) -> list[Supporter]:
    return list(
        _active(Supporter.objects.filter(followers__follower=supporter)).order_by("-followers__created_at")[
            :limit
        ]
    )


def friends(supporter: Supporter, limit: int = 100) -> list[Supporter]:
    """Mutual follows."""
    return list(
        _active(
            Supporter.objects.filter(followers__follower=supporter, following__followed=supporter)
        ).order_by("display_name")[:limit]
    )


def blocked_by(supporter: Supporter) -> list[Supporter]:
    return list(Supporter.objects.filter(blocks_received__blocker=supporter).order_by("display_name"))


def people_you_may_know(supporter: Supporter, limit: int = 6) -> list[Supporter]:
    """People in the supporter's groups and at their events whom they neither follow nor block."""
    excluded = (
        Follow.objects.filter(follower=supporter).values("followed_id")
        .union(Block.objects.filter(blocker=supporter).values("blocked_id"))
        .union(Block.objects.filter(blocked=supporter).values("blocker_id"))
    )  # fmt: skip
    ids = organizing_queries.people_sharing_groups_and_events(
        supporter, exclude=Supporter.objects.filter(pk__in=excluded).values("pk"), limit=limit * 2
    )
    found = {person.pk: person for person in _active(Supporter.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found][:limit]


def settings_of(supporter: Supporter) -> SocialSettings:
    found = SocialSettings.objects.filter(supporter=supporter).first()
    return found or SocialSettings(supporter=supporter)


# --- Blogs and posts ---

PAGE_SIZE = 20


@dataclass(frozen=True)
class Cursor:
    """Where a page of a newest-first list stops: the last item's time, kind rank and id."""

    at: datetime
    rank: int
    pk: int

    def encode(self) -> str:
        raw = f"{int(self.at.timestamp() * 1_000_000)}.{self.rank}.{self.pk}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for no cursor or a malformed one (the first page is shown)."""
        if not text or len(text) > 80:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            micros, rank, pk = (int(part) for part in raw.split("."))
            if micros <= 0 or pk <= 0 or rank < 0:
                return None
            at = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
        except (ValueError, UnicodeDecodeError, OverflowError, OSError):
            return None
        return cls(at=at, rank=rank, pk=pk)


def _before(rows: QuerySet, cursor: Cursor | None, *, rank: int, field: str) -> QuerySet:
    """The rows strictly after `cursor` in the order (time desc, rank desc, id desc)."""
    if cursor is None:
        return rows
    if rank < cursor.rank:
        return rows.filter(**{f"{field}__lte": cursor.at})
    if rank > cursor.rank:
        return rows.filter(**{f"{field}__lt": cursor.at})
    return rows.filter(Q(**{f"{field}__lt": cursor.at}) | Q(**{field: cursor.at, "pk__lt": cursor.pk}))


def _with_authors(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "group", "shared", "shared__author", "shared__group")


def blog_posts(
    viewer: Viewer | None,
    *,
    author: Supporter | None = None,
    group_id: int | None = None,
    campaign: bool = False,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Post], Cursor | None]:
    """One page of a blog, newest first, and the cursor of the next page (None at the end).

    A supporter's own blog shows them their drafts first, on the first page.
    """
    posts = visible_posts(viewer)
    if author is not None:
        posts = posts.filter(author=author, group__isnull=True, for_campaign=False)
    elif group_id is not None:
        posts = posts.filter(group_id=group_id)
    elif campaign:
        posts = posts.filter(Q(for_campaign=True) | Q(is_featured=True))
    page = list(
        _with_authors(_before(posts, cursor, rank=0, field="published_at")).order_by("-published_at", "-pk")[
            : limit + 1
        ]
    )
    following_cursor = None
    if len(page) > limit:
        page = page[:limit]
        following_cursor = Cursor(page[-1].published_at, 0, page[-1].pk)
    return page, following_cursor


def drafts_of(author: Supporter) -> list[Post]:
    return list(
        Post.objects.filter(author=author, status=Post.Status.DRAFT, hidden_at__isnull=True)
        .select_related("group")
        .order_by("-updated_at")[:50]
    )


def comments_of(post: Post, viewer: Viewer | None) -> list[Comment]:
    """Top-level comments, oldest first, each with its replies (hidden ones left out): two queries."""
    visible = Comment.objects.filter(hidden_at__isnull=True, author__is_active=True).select_related("author")
    return list(
        visible.filter(post=post, parent__isnull=True)
        .order_by("created_at", "pk")
        .prefetch_related(
            Prefetch("replies", queryset=visible.order_by("created_at", "pk"), to_attr="shown_replies")
        )
    )


# --- The feed: merge on read (see docs/decisions.md, "The feed") ---

RANK_POST, RANK_JOIN, RANK_HOSTING = 0, 1, 2


@dataclass
class FeedItem:
    kind: str  # "post", "joined", "hosting"
    at: datetime
    rank: int
    pk: int
    post: Post | None = None
    membership: object | None = None
    event: object | None = None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.rank, self.pk)


def feed(
    viewer: Supporter, *, cursor: Cursor | None = None, limit: int = PAGE_SIZE
) -> tuple[list[FeedItem], Cursor | None]:
    """Posts and re-posts of the people `viewer` follows, of their groups and of the campaign, and the
    milestones followed people share, newest first.

    Merge on read (docs/decisions.md, "The feed"): the ids of the sources (the people followed, the
    groups, who blocked the viewer) are read first, each from its own index; then one query reads the
    newest posts of those sources past the cursor, and at most two more the milestones, and they are
    merged here. Nothing is written when someone publishes, whatever their number of followers.
    """
    followed = list(
        Follow.objects.filter(follower=viewer).values_list("followed_id", flat=True)[:MAX_FOLLOWED_READ]
    )
    groups = set(organizing_queries.active_group_ids(viewer).values_list("group_id", flat=True))
    blockers = set(Block.objects.filter(blocked=viewer).values_list("blocker_id", flat=True))
    levels = (
        [Post.Visibility.PUBLIC, Post.Visibility.SUPPORTERS]
        if is_verified(viewer)
        else [Post.Visibility.PUBLIC]
    )
    sources = (
        Q(author_id=viewer.pk)
        | Q(author_id__in=followed, visibility__in=levels)
        | Q(for_campaign=True, visibility__in=levels)
    )
    if groups:
        sources |= Q(group_id__in=groups)
    rows = Post.objects.filter(
        sources, status=Post.Status.PUBLISHED, hidden_at__isnull=True, author__is_active=True
    )
    if blockers:
        rows = rows.exclude(author_id__in=blockers)
    # Ordered by an expression, not the column: the planner then reads each source's own index
    # (author, group, campaign) and sorts the few hundred rows found, instead of walking every post
    # newest first through `post_published` and filtering (430 ms at 400,000 posts, BENCHMARKS.md).
    feed_at = ExpressionWrapper(F("published_at") + Value(timedelta(0)), output_field=DateTimeField())
    page = (
        _with_authors(_before(rows, cursor, rank=RANK_POST, field="published_at"))
        .annotate(feed_at=feed_at)
        .order_by("-feed_at", "-pk")
    )
    items = [
        FeedItem("post", post.published_at, RANK_POST, post.pk, post=post)
        for post in page[: limit + 1]
        if _shared_readable(post, viewer, groups, blockers)
    ]

    sharing = (
        list(
            SocialSettings.objects.filter(supporter_id__in=followed)
            .filter(Q(shares_group_joins=True) | Q(shares_hosting=True))
            .values_list("supporter_id", "shares_group_joins", "shares_hosting")
        )
        if followed
        else []
    )
    joining = [pk for pk, joins, _hosting in sharing if joins]
    hosting = [pk for pk, _joins, hosts in sharing if hosts]
    before = cursor.at if cursor else None
    if joining:
        for membership in organizing_queries.recent_joins(joining, before=before, limit=limit + 1):
            items.append(
                FeedItem("joined", membership.joined_at, RANK_JOIN, membership.pk, membership=membership)
            )
    if hosting:
        for event in organizing_queries.recent_hosted_events(hosting, before=before, limit=limit + 1):
            items.append(FeedItem("hosting", event.created_at, RANK_HOSTING, event.pk, event=event))

    if cursor is not None:
        start = (cursor.at, cursor.rank, cursor.pk)
        items = [item for item in items if (item.at, item.rank, item.pk) < start]
    items.sort(key=lambda item: (item.at, item.rank, item.pk), reverse=True)
    next_cursor = items[limit - 1].cursor if len(items) > limit else None
    return items[:limit], next_cursor


# The feed reads at most this many of the people someone follows.
MAX_FOLLOWED_READ = 5000


def _shared_readable(post: Post, viewer: Supporter, groups: set[int], blockers: set[int]) -> bool:
    """For the feed: whether the post a re-post shares is readable (the `readable_by` rule, on rows
    already loaded). A re-post whose original is not readable is left out."""
    shared = post.shared
    if post.shared_id is None:
        return True
    if (
        shared is None
        or shared.status != Post.Status.PUBLISHED
        or shared.hidden_at is not None
        or not shared.author.is_active
    ):
        return False
    if shared.visibility == Post.Visibility.PUBLIC or shared.author_id == viewer.pk:
        return True
    if shared.author_id in blockers or not is_verified(viewer):
        return False
    if shared.visibility == Post.Visibility.SUPPORTERS:
        return True
    return shared.group_id in groups


# --- Conversations ---


def inbox(supporter: Supporter, limit: int = 50) -> list[Participant]:
    """The supporter's conversations, latest message first, each with the last message's text and
    the other participants (three queries)."""
    last_message = Message.objects.filter(
        conversation=OuterRef("conversation_id"), hidden_at__isnull=True
    ).order_by("-created_at", "-pk")
    rows = list(
        Participant.objects.filter(supporter=supporter, left_at__isnull=True)
        .select_related("conversation", "conversation__group", "conversation__event")
        .annotate(last_text=Subquery(last_message.values("body")[:1]))
        .order_by(F_desc_nulls_last("last_message_at"), "-pk")[:limit]
    )
    private_ids = [row.conversation_id for row in rows if row.conversation.kind == Conversation.Kind.PRIVATE]
    others: dict[int, list[Supporter]] = {}
    for participant in (
        Participant.objects.filter(conversation_id__in=private_ids)
        .exclude(supporter=supporter)
        .select_related("supporter")
        .order_by("pk")
    ):
        others.setdefault(participant.conversation_id, []).append(participant.supporter)
    for row in rows:
        row.others = others.get(row.conversation_id, [])
    return rows


def F_desc_nulls_last(field: str):
    from django.db.models import F

    return F(field).desc(nulls_last=True)


def messages_of(
    conversation: Conversation, *, before: int | None = None, limit: int = 50
) -> tuple[list[Message], bool]:
    """The latest `limit` messages (before message id `before`), oldest first, and whether older ones exist."""
    rows = Message.objects.filter(conversation=conversation, hidden_at__isnull=True)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows.select_related("sender").order_by("-created_at", "-pk")[: limit + 1])
    has_older = len(page) > limit
    return list(reversed(page[:limit])), has_older


def participants_of(conversation: Conversation) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True)
        .select_related("supporter")
        .order_by("pk")[:200]
    )


# --- Notifications ---


def unread_counts(supporter: Supporter) -> dict[str, int]:
    messages = Participant.objects.filter(supporter=supporter, left_at__isnull=True).aggregate(
        total=Sum("unread_count")
    )["total"]
    notifications = Notification.objects.filter(recipient=supporter, read_at__isnull=True).count()
    return {"messages": messages or 0, "notifications": notifications}


def notifications_of(supporter: Supporter, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=supporter)
        .select_related("actor", "post", "comment", "conversation")
        .order_by("-created_at", "-pk")[:limit]
    )


def still_relevant(notification: Notification) -> bool:
    """Whether a notification may still be shown or emailed: what it is about is neither hidden nor
    unreadable for its recipient now."""
    if notification.post_id is not None and not can_read(notification.recipient, notification.post):
        return False
    if notification.comment_id is not None and notification.comment.hidden_at is not None:
        return False
    return not (
        notification.actor_id is not None
        and (not notification.actor.is_active or has_blocked(notification.recipient, notification.actor))
    )


def digest_due(settings_row: SocialSettings, now: datetime) -> bool:
    frequency = settings_row.email_frequency
    if frequency == SocialSettings.EmailFrequency.NEVER:
        return False
    if frequency == SocialSettings.EmailFrequency.IMMEDIATELY or settings_row.last_emailed_at is None:
        return True
    period = timedelta(days=1 if frequency == SocialSettings.EmailFrequency.DAILY else 7)
    return settings_row.last_emailed_at + period <= now


# --- Search ---

SEARCH_LIMIT = 20


def search_people(viewer: Viewer | None, text: str) -> list[Supporter]:
    """People by name, handle, town or cause, each only where the person's privacy settings let the
    viewer see it (a hidden town or cause never matches)."""
    from quartier.accounts.models import Visibility

    text = text.strip()[:100]
    if not text:
        return []
    levels = [Visibility.PUBLIC] + ([Visibility.SUPPORTERS] if is_verified(viewer) else [])
    people = _active(Supporter.objects.all())
    if viewer is not None and viewer.is_authenticated:
        people = people.exclude(pk__in=blockers_of(viewer))
    matches = (
        Q(display_name__icontains=text)
        | Q(handle__iexact=text.lstrip("@"))
        | Q(town__iexact=text, profile__town_visibility__in=levels)
        | Q(profile__causes__name_en__iexact=text, profile__causes_visibility__in=levels)
        | Q(profile__causes__name_fr__iexact=text, profile__causes_visibility__in=levels)
    )
    ids = list(people.filter(matches).values_list("pk", flat=True).distinct()[:SEARCH_LIMIT])
    return list(Supporter.objects.filter(pk__in=ids).order_by("display_name"))


def search_posts(viewer: Viewer | None, text: str) -> list[Post]:
    """Posts the viewer may read: PostgreSQL full-text search (simple dictionary, ranked), else
    words found anywhere in the title or text on SQLite."""
    text = text.strip()[:200]
    if not text:
        return []
    posts = visible_posts(viewer)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(text, config="simple", search_type="websearch")
        vector = search_vector()
        posts = (
            posts.alias(document=vector)
            .filter(document=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-published_at")
        )
    else:
        for word in text.split()[:5]:
            posts = posts.filter(Q(title__icontains=word) | Q(body__icontains=word))
        posts = posts.order_by("-published_at")
    return list(_with_authors(posts)[:SEARCH_LIMIT])


def search_vector():
    """The expression the GIN index of migration 0002 covers (PostgreSQL only): keep the two the same."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models.expressions import RawSQL

    return RawSQL(
        "to_tsvector('simple'::regconfig, COALESCE(\"social_post\".\"title\", '') || ' ' || "
        'COALESCE("social_post"."body", \'\'))',
        [],
        output_field=SearchVectorField(),
    )


# --- Moderation ---


def report_queue(viewer: Supporter) -> list[Report]:
    """Open reports: all of them for staff, their groups' for group leaders."""
    reports = Report.objects.filter(status=Report.Status.OPEN)
    if not is_moderator(viewer):
        reports = reports.filter(group_id__in=organizing_queries.leader_group_ids(viewer))
    return list(
        reports.select_related(
            "reporter", "subject", "post", "comment", "comment__post", "message", "profile", "group"
        ).order_by("created_at")[:100]
    )


def may_moderate(viewer: Viewer | None, report: Report) -> bool:
    if is_moderator(viewer):
        return True
    if viewer is None or not viewer.is_authenticated or report.group_id is None:
        return False
    return organizing_queries.leader_group_ids(viewer).filter(group_id=report.group_id).exists()


def decisions_about(supporter: Supporter) -> list[ModerationAction]:
    return list(
        ModerationAction.objects.filter(subject=supporter)
        .exclude(kind=ModerationAction.Kind.DISMISS)
        .select_related("appeal", "post", "comment", "message")[:50]
    )


# --- The personal dashboard panel (issue 11) ---


def dashboard_summary(supporter: Supporter) -> dict:
    """Unread messages and notifications, with the latest few of each: three indexed queries."""
    counts = unread_counts(supporter)
    if (
        not counts["messages"]
        and not counts["notifications"]
        and not Follow.objects.filter(follower=supporter).exists()
    ):
        return {}
    latest = list(
        Participant.objects.filter(supporter=supporter, left_at__isnull=True, unread_count__gt=0)
        .select_related("conversation")
        .order_by(F_desc_nulls_last("last_message_at"))[:3]
    )
    return {**counts, "unread_conversations": latest}
