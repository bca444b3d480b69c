"""What every social write shares: the error type, the check that an account may write, a per-person lock."""

from __future__ import annotations

from datetime import timedelta

from quartier.accounts.models import Supporter
from quartier.lib.page_cache import bump, stamp
from quartier.social.models import (
    ModerationAction,
    Post,
)
from quartier.social.queries import visibility as visibility_queries

# A second identical submission within this time is the same one (a double click, a retried request).
SAME_SUBMISSION_WINDOW = timedelta(seconds=30)


class SocialError(Exception):
    """A refused write; `code` names why (see `views.ERRORS` for the messages people see)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def post_changed(post: Post, *, was: tuple[int | None, bool] | None = None) -> None:
    """What a post's page shows changed, or which blogs list it (on commit): the post, its author's blog,
    its group's, the campaign's when it is on it. `was`: the post's (group id, on the campaign blog)
    before an edit moved it."""
    group_ids = {post.group_id, *((was[0],) if was else ())}
    on_campaign = post.for_campaign or post.is_featured or bool(was and was[1])
    bump(
        stamp("post", post.pk),
        stamp("blog:supporter", post.author_id),
        *(stamp("blog:group", group_id) for group_id in group_ids),
        "blog:campaign" if on_campaign else None,
    )


def comments_changed(post_id: int) -> None:
    """A post's comment thread changed (a comment added, removed, hidden or restored), on commit: the
    thread's own stamp (`views/threads.py` caches the thread by it) and the post's (its count)."""
    bump(stamp("comments", post_id), stamp("post", post_id))


def _check_may_write(supporter: Supporter) -> None:
    if not supporter.is_verified:
        raise SocialError("unverified")
    sanction = visibility_queries.sanction_of(supporter)
    if sanction is not None:
        raise SocialError("banned" if sanction.kind == ModerationAction.Kind.BAN else "suspended")


def _lock(supporter: Supporter) -> None:
    """Serialises one supporter's writes, so that limits are counted exactly under double clicks."""
    Supporter.objects.select_for_update().only("pk").get(pk=supporter.pk)
