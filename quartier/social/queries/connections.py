"""Follows, followers, friends, blocks and people you may know."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    Max,
    Q,
    QuerySet,
)

from quartier.accounts import queries as accounts_queries
from quartier.accounts.models import Supporter, Visibility
from quartier.accounts.trust import TrustLevel, trust_levels
from quartier.organizing.models import Group
from quartier.organizing.queries import groups as organizing_groups
from quartier.organizing.queries import search as organizing_search
from quartier.social.models import (
    Block,
    Follow,
    Post,
    SocialSettings,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser


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
    """People in the supporter's groups and at their events whom they neither follow nor block.

    Suggesting someone is featuring them: accounts no earned trust reaches (`accounts.trust`) come
    last, so that a ring of fake accounts joining a group is not pushed to its real members first."""
    excluded = (
        Follow.objects.filter(follower=supporter).values("followed_id")
        .union(Block.objects.filter(blocker=supporter).values("blocked_id"))
        .union(Block.objects.filter(blocked=supporter).values("blocker_id"))
    )  # fmt: skip
    ids = organizing_groups.people_sharing_groups_and_events(
        supporter, exclude=Supporter.objects.filter(pk__in=excluded).values("pk"), limit=limit * 2
    )
    found = {person.pk: person for person in _active(Supporter.objects.filter(pk__in=ids))}
    people = [found[pk] for pk in ids if pk in found]
    if not people:
        return []
    levels = trust_levels([person.pk for person in people])
    return sorted(people, key=lambda person: levels[person.pk] == TrustLevel.LOW)[:limit]


def settings_of(supporter: Supporter) -> SocialSettings:
    found = SocialSettings.objects.filter(supporter=supporter).first()
    return found or SocialSettings(supporter=supporter)


# How far "near the newcomer" reaches for groups, in kilometres.
NEARBY_KM = 50


@dataclass
class Suggestions:
    """For an empty feed: people to follow and groups to join, each with why it is suggested."""

    people: list[Supporter] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    near: str = ""  # the town the suggestions are near, when the newcomer's postal code gave one

    def __bool__(self) -> bool:
        return bool(self.people or self.groups)


def newcomer_suggestions(viewer: Supporter, limit: int = 5) -> Suggestions:
    """People and groups for someone whose feed is empty: near their postal code when it is known
    (people whose town they may see, groups within `NEARBY_KM`), else the most active (people who
    published a public post lately, the biggest groups). Only profiles the viewer may open (confirmed,
    active, not deleted), nobody they follow or block or who blocked them, no group they are in."""
    place = accounts_queries.find_place(viewer.country, viewer.postal_code) if viewer.postal_code else None
    town = viewer.town or (place.town if place else "")
    excluded = (
        Follow.objects.filter(follower=viewer).values("followed_id")
        .union(Block.objects.filter(blocker=viewer).values("blocked_id"))
        .union(Block.objects.filter(blocked=viewer).values("blocker_id"))
    )  # fmt: skip
    people = _active(Supporter.objects.exclude(pk=viewer.pk)).exclude(pk__in=excluded)
    found: list[Supporter] = []
    if town:
        levels = [Visibility.PUBLIC] + ([Visibility.SUPPORTERS] if viewer.is_verified else [])
        town_shown = Q(profile__isnull=True, town__iexact=town) if viewer.is_verified else Q(pk__in=[])
        town_shown |= Q(town__iexact=town, profile__town_visibility__in=levels)
        found = list(people.filter(town_shown).order_by("-last_login", "pk")[:limit])
    if len(found) < limit:
        posters = (
            Post.objects.filter(
                status=Post.Status.PUBLISHED, visibility=Post.Visibility.PUBLIC, hidden_at__isnull=True
            )
            .values("author_id")
            .annotate(latest=Max("published_at"))
            .order_by("-latest")
            .values_list("author_id", flat=True)[: limit * 4]
        )
        active = {
            person.pk: person
            for person in people.filter(pk__in=list(posters)).exclude(pk__in=[p.pk for p in found])
        }
        found += [active[pk] for pk in posters if pk in active][: limit - len(found)]
    mine = set(organizing_groups.active_group_ids(viewer).values_list("group_id", flat=True))
    near = None
    if place is not None and place.latitude is not None and place.longitude is not None:
        near = organizing_search.Near(place.latitude, place.longitude, NEARBY_KM)
    groups = [
        found_group.item
        for found_group in organizing_search.search_groups(near=near).results
        if found_group.item.pk not in mine
    ][:limit]
    return Suggestions(people=found, groups=groups, near=town if near is not None else "")
