"""Follow, unfollow, block and unblock someone; my connections and people I may know."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.social import access
from quartier.social.actions import common as common_actions
from quartier.social.actions import connections as connections_actions
from quartier.social.queries import connections as connections_queries
from quartier.social.views.common import back, refuse


def _person_actions(request: HttpRequest, handle: str, change) -> HttpResponse:
    person = access.get_person(request.user, handle)
    fallback = person.get_absolute_url()
    try:
        text = change(person)
    except common_actions.SocialError as error:
        return refuse(request, error.code, fallback)
    if text:
        messages.success(request, text)
    return back(request, fallback)


@require_POST
@verified_supporter_required
def follow(request: HttpRequest, handle: str) -> HttpResponse:
    def change(person):
        connections_actions.follow(follower=request.user, followed=person)
        return _("You follow %(name)s: their posts will be in your feed.") % {"name": person.display_name}

    return _person_actions(request, handle, change)


@require_POST
@login_required
def unfollow(request: HttpRequest, handle: str) -> HttpResponse:
    def change(person):
        connections_actions.unfollow(follower=request.user, followed=person)
        return _("You no longer follow %(name)s.") % {"name": person.display_name}

    return _person_actions(request, handle, change)


@require_POST
@login_required
def block(request: HttpRequest, handle: str) -> HttpResponse:
    def change(person):
        connections_actions.block(blocker=request.user, blocked=person)
        return _(
            "You blocked %(name)s: they can no longer message you, comment on your posts or see what you "
            "share with signed-in supporters."
        ) % {"name": person.display_name}

    return _person_actions(request, handle, change)


@require_POST
@login_required
def unblock(request: HttpRequest, handle: str) -> HttpResponse:
    def change(person):
        connections_actions.unblock(blocker=request.user, blocked=person)
        return _("You unblocked %(name)s.") % {"name": person.display_name}

    return _person_actions(request, handle, change)


@login_required
def connections(request: HttpRequest) -> HttpResponse:
    """Only the person sees their own lists of followers, following, friends and blocks."""
    me = request.user
    return render(
        request,
        "social/connections.html",
        {
            "counts": connections_queries.connection_counts(me),
            "friends": connections_queries.friends(me),
            "followers": connections_queries.followers(me),
            "following": connections_queries.following(me),
            "blocked": connections_queries.blocked_by(me),
            "suggestions": connections_queries.people_you_may_know(me) if me.is_verified else [],
        },
    )
