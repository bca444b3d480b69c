"""Search for people (within privacy) and posts (full text on PostgreSQL)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    Q,
)

from quartier.accounts.models import Supporter
from quartier.social.models import (
    Post,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser
from quartier.social.queries.connections import _active
from quartier.social.queries.posts import _with_authors
from quartier.social.queries.visibility import blockers_of, is_verified, visible_posts

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
