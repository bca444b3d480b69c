"""Blog posts, images, re-posts, featuring, comments and reactions, with their rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.accounts.trust import TrustLevel, trust_level
from quartier.lib import images
from quartier.lib.page_cache import bump, stamp
from quartier.lib.text import render_markdown
from quartier.organizing.models import Group
from quartier.organizing.queries import groups as organizing_groups
from quartier.social.actions import timelines
from quartier.social.actions.common import (
    SAME_SUBMISSION_WINDOW,
    SocialError,
    _check_may_write,
    _lock,
    comments_changed,
    post_changed,
)
from quartier.social.actions.notifications import notify
from quartier.social.models import (
    Comment,
    Notification,
    Post,
    Reaction,
)
from quartier.social.queries import visibility as visibility_queries

POSTS_PER_HOUR = 30

LOW_TRUST_POSTS_PER_HOUR = 10  # an account no earned trust reaches (`accounts.trust`) posts less often

COMMENTS_PER_HOUR = 120

IMAGE_SIZE = 1200


def posts_per_hour(author: Supporter) -> int:
    return LOW_TRUST_POSTS_PER_HOUR if trust_level(author.pk) == TrustLevel.LOW else POSTS_PER_HOUR


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
    if draft.group is not None and not organizing_groups.is_active_member(author, draft.group.pk):
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
    if Post.objects.filter(author=author, created_at__gte=now - timedelta(hours=1)).count() >= posts_per_hour(
        author
    ):
        raise SocialError("rate_limited")
    post = Post.objects.create(
        author=author, group=draft.group, for_campaign=draft.for_campaign, title=draft.title, body=draft.body,
        body_html=render_markdown(draft.body), visibility=draft.visibility,
    )  # fmt: skip
    post_changed(post)
    if publish:
        publish_post(post=post)
    return post


@transaction.atomic
def update_post(*, post: Post, draft: PostDraft) -> Post:
    _check_may_write(post.author)
    _check_post_place(post.author, draft)
    post_changed(post, was=(post.group_id, post.for_campaign or post.is_featured))
    post.title, post.body, post.visibility = draft.title, draft.body, draft.visibility
    post.body_html = render_markdown(draft.body)
    post.group, post.for_campaign = draft.group, draft.for_campaign
    post.save(
        update_fields=["title", "body", "body_html", "visibility", "group", "for_campaign", "updated_at"]
    )
    return post


@transaction.atomic
def publish_post(*, post: Post) -> Post:
    """Publish a draft and copy it into its readers' feeds (`actions/timelines.py`: a few followers
    here, many by a task after commit, none for an account with very many, read merged)."""
    _check_may_write(post.author)
    updated = Post.objects.filter(pk=post.pk, status=Post.Status.DRAFT).update(
        status=Post.Status.PUBLISHED, published_at=post.published_at or timezone.now()
    )
    post.refresh_from_db(fields=["status", "published_at"])
    post_changed(post)
    if updated:
        timelines.fan_out(post)
        record_activity(
            "social.post", supporter=post.author, key=f"post:{post.pk}", occurred_at=post.published_at,
            group_id=post.group_id, detail={"post": post.pk, "repost": post.shared_id is not None},
        )  # fmt: skip
    return post


@transaction.atomic
def unpublish_post(*, post: Post) -> Post:
    """Back to draft: gone from every list; it keeps its first publication time for when it returns."""
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    post_changed(post)
    post.refresh_from_db(fields=["status"])
    return post


@transaction.atomic
def delete_post(*, post: Post) -> None:
    post_changed(post)
    bump(stamp("post", post.shared_id))  # its repost count
    if post.shared_id is not None:
        Post.objects.filter(pk=post.shared_id, repost_count__gt=0).update(repost_count=F("repost_count") - 1)
    post.delete()


def set_post_image(*, post: Post, upload: BinaryIO, alt: str) -> Post:
    """Re-encode the upload (checked by `lib.images`, metadata dropped, its shape kept within 3:1) and
    attach it to the post with its description."""
    data = images.reencode_image(upload, size=IMAGE_SIZE, keep_shape=True)
    with transaction.atomic():
        old = post.image.name if post.image else ""
        post.image_alt = alt.strip()
        post.image.save(f"post-{post.pk}-{timezone.now():%Y%m%d%H%M%S%f}.webp", ContentFile(data), save=False)
        post.save(update_fields=["image", "image_width", "image_height", "image_alt", "updated_at"])
        post_changed(post)
    if old:
        post.image.storage.delete(old)
    return post


@transaction.atomic
def repost(*, supporter: Supporter, post: Post, comment: str, visibility: str) -> Post:
    """Share a post on one's own blog with a comment; sharing the same post twice shares it once.

    Refused when the author blocked the sharer or the sharer blocked the author (like comments and
    messages)."""
    _check_may_write(supporter)
    if post.shared_id is not None:
        post = post.shared  # share the original, not a share of it
    if not visibility_queries.can_read(supporter, post) or not post.is_published:
        raise SocialError("not_found")
    if post.author_id == supporter.pk:
        raise SocialError("self")
    if visibility_queries.is_blocked_between(post.author, supporter):
        raise SocialError("blocked")  # either way: a blocked person never spreads the blocker's posts
    if visibility == Post.Visibility.GROUP:
        raise SocialError("group_visibility_needs_group")
    existing = Post.objects.filter(author=supporter, shared=post).first()
    if existing is not None:
        return existing
    shared = Post.objects.create(
        author=supporter, shared=post, body=comment, body_html=render_markdown(comment), visibility=visibility,
    )  # fmt: skip
    Post.objects.filter(pk=post.pk).update(repost_count=F("repost_count") + 1)
    bump(stamp("post", post.pk))
    publish_post(post=shared)
    notify(recipient=post.author, kind=Notification.Kind.REPOST, actor=supporter, post=post)
    return shared


@transaction.atomic
def set_featured(*, post: Post, featured: bool) -> None:
    """Staff feature a supporter's public post on the campaign blog (the caller checks staff)."""
    if featured and (post.visibility != Post.Visibility.PUBLIC or not post.is_published):
        raise SocialError("feature_public_only")
    Post.objects.filter(pk=post.pk).update(is_featured=featured)
    post_changed(post, was=(post.group_id, True))


@transaction.atomic
def add_comment(*, author: Supporter, post: Post, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a post or reply to a comment (a reply to a reply goes under the same comment)."""
    _check_may_write(author)
    if not visibility_queries.can_read(author, post) or not post.is_published:
        raise SocialError("not_found")
    if visibility_queries.has_blocked(post.author, author):
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
    post_changed(locked)
    comments_changed(locked.pk)
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
    comments_changed(comment.post_id)
    comment.delete()


@transaction.atomic
def react(*, supporter: Supporter, post: Post, kind: str) -> Reaction:
    """React to a post; reacting again changes the kind and never counts twice."""
    _check_may_write(supporter)
    if not visibility_queries.can_read(supporter, post) or not post.is_published:
        raise SocialError("not_found")
    if visibility_queries.has_blocked(post.author, supporter):
        raise SocialError("blocked")
    locked = Post.objects.select_for_update().get(pk=post.pk)
    bump(stamp("post", locked.pk))
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
    bump(stamp("post", locked.pk))
    if deleted:
        Post.objects.filter(pk=locked.pk, reaction_count__gt=0).update(reaction_count=F("reaction_count") - 1)
    return bool(deleted)


@transaction.atomic
def set_image_alt(*, post: Post, alt: str) -> None:
    """Describe the post's image anew (its text for people who cannot see it)."""
    Post.objects.filter(pk=post.pk).update(image_alt=alt.strip())
    post.image_alt = alt.strip()
