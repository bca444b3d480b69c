"""Atom feeds of public blogs: only public, published, not hidden posts (read as an anonymous visitor)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from quartier.accounts import branding
from quartier.accounts.access import get_visible_supporter
from quartier.lib.urls import absolute_url
from quartier.organizing.access import get_visible_group
from quartier.social.models import Post
from quartier.social.queries import posts as posts_queries

ITEMS = 30


class _BlogFeed(Feed):
    feed_type = Atom1Feed

    def items(self, which: dict) -> list[Post]:
        posts, _cursor = posts_queries.blog_posts(AnonymousUser(), limit=ITEMS, **which)
        return posts

    def item_title(self, item: Post) -> str:
        if item.shared_id:
            return _("%(name)s shared “%(title)s”") % {
                "name": item.author.display_name,
                "title": item.shared.title or item.shared.author.display_name,
            }
        return item.title or _("A post by %(name)s") % {"name": item.author.display_name}

    def item_description(self, item: Post) -> str:
        return item.body_html if not item.shared_id else f"{item.body_html}{item.shared.body_html}"

    def item_link(self, item: Post) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Post) -> str:
        return absolute_url(item.get_absolute_url())

    def item_pubdate(self, item: Post):
        return item.published_at

    def item_updateddate(self, item: Post):
        return item.updated_at

    def item_author_name(self, item: Post) -> str:
        label = item.author.get_transparency_label_display()
        name = item.author.display_name
        if item.for_campaign:
            return _("%(name)s for the campaign") % {"name": name}
        return f"{name} ({label})" if label else name


class SupporterBlogFeed(_BlogFeed):
    def get_object(self, request, handle: str) -> dict:
        return {"author": get_visible_supporter(AnonymousUser(), handle)}

    def title(self, which: dict) -> str:
        return _("%(name)s's blog on %(site)s") % {
            "name": which["author"].display_name,
            "site": branding.current().name,
        }

    def link(self, which: dict) -> str:
        from django.urls import reverse

        return absolute_url(reverse("social:blog", args=[which["author"].handle]))


class GroupBlogFeed(_BlogFeed):
    def get_object(self, request, slug: str) -> dict:
        group = get_visible_group(AnonymousUser(), slug)
        return {"group_id": group.pk, "group": group}

    def items(self, which: dict) -> list[Post]:
        return super().items({"group_id": which["group_id"]})

    def title(self, which: dict) -> str:
        return _("Blog of %(group)s") % {"group": which["group"].name}

    def link(self, which: dict) -> str:
        from django.urls import reverse

        return absolute_url(reverse("social:group_blog", args=[which["group"].slug]))


class CampaignBlogFeed(_BlogFeed):
    def get_object(self, request) -> dict:
        return {"campaign": True}

    def title(self, which: dict) -> str:
        return _("The %(site)s campaign blog") % {"site": branding.current().name}

    def link(self, which: dict) -> str:
        from django.urls import reverse

        return absolute_url(reverse("social:campaign_blog"))
