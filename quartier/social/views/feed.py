"""The feed, the bell and the notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.social import access
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import notifications as notifications_actions
from quartier.social.forms import SettingsForm
from quartier.social.queries import connections as connections_queries
from quartier.social.queries import conversations as conversations_queries
from quartier.social.queries import feed as feed_queries
from quartier.social.queries import notifications as notifications_queries
from quartier.social.queries import posts as posts_queries
from quartier.social.queries.posts import Cursor
from quartier.social.templatetags.social import tools_block


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    cursor = Cursor.decode(request.GET.get("after"))
    items, next_cursor = feed_queries.feed(request.user, cursor=cursor)
    shown = [item.pk for item in items if item.kind == "post"]
    context = {
        "items": items,
        "next_cursor": next_cursor.encode() if next_cursor else "",
        "liked": posts_queries.reacted_among(request.user, shown) if request.user.is_verified else set(),
    }
    if request.headers.get("HX-Request") and cursor is not None:
        return render(request, "social/_feed_page.html", context)
    if cursor is None:
        context["suggestions"] = (
            connections_queries.people_you_may_know(request.user) if request.user.is_verified else []
        )
        if not items:
            context["newcomer"] = connections_queries.newcomer_suggestions(request.user)
    return render(request, "social/feed.html", context)


def counts(request: HttpRequest) -> HttpResponse:
    """The bell and the messages count in the header, loaded by htmx after the page (no query on the
    page itself), refreshed every minute."""
    if not request.user.is_authenticated:
        return HttpResponse("")
    response = render(
        request, "social/_counts.html", {"counts": conversations_queries.unread_counts(request.user)}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = [
        row
        for row in notifications_queries.notifications_of(request.user)
        if notifications_queries.still_relevant(row)
    ]
    response = render(request, "social/notifications.html", {"notifications": rows})
    notifications_actions.mark_notifications_read(supporter=request.user)
    return response


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_actions.mark_notifications_read(supporter=request.user)
    return redirect("social:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    current = connections_queries.settings_of(request.user)
    form = SettingsForm(
        request.POST or None,
        initial={
            "shares_group_joins": current.shares_group_joins,
            "shares_hosting": current.shares_hosting,
            "email_frequency": current.email_frequency,
            "muted_kinds": current.muted_kinds,
            "email_muted_kinds": current.email_muted_kinds,
        },
    )
    if request.method == "POST" and form.is_valid():
        connections_actions.update_settings(supporter=request.user, **form.cleaned_data)
        messages.success(request, _("Your choices are saved."))
        return redirect("social:settings")
    return render(request, "social/settings.html", {"form": form}, status=400 if form.errors else 200)


def is_from_feed(request: HttpRequest) -> bool:
    return request.POST.get("from") == "feed" and bool(request.headers.get("HX-Request"))


def tools_answer(request: HttpRequest, post_id: int, *, comment=None, error: str = "") -> HttpResponse:
    """The htmx answer to a like or a comment sent from a feed card: the card's tools, redrawn from the
    post as it is now (its counts, the viewer's like), with the new comment or the error."""
    post = access.get_readable_post(request.user, post_id)
    liked = post_id in posts_queries.reacted_among(request.user, [post_id])
    return HttpResponse(tools_block(request, post, liked=liked, comment=comment, error=error))
