"""Lent statuses on Quartier: a supporter who lends their status gets the campaign's message as a
public post on their blog and in their followers' feeds. Registered with `reach.lend_registry` from
`SocialConfig.ready()` (reach schedules and labels; social owns posts)."""

from __future__ import annotations

from quartier.accounts.models import Supporter
from quartier.social.actions.posts import PostDraft, create_post
from quartier.social.models import Post


def publish_lent_status(lender: Supporter, title: str, body: str, key: str) -> tuple[int, str]:
    """A published public post by the lender (the body carries the label). Called inside reach's
    transaction that records the publication, so a retry that finds it recorded never calls again."""
    post = create_post(
        author=lender, draft=PostDraft(title="", body=body, visibility=Post.Visibility.PUBLIC), publish=True
    )
    return post.pk, post.get_absolute_url()
