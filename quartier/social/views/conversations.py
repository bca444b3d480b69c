"""Messages: the inbox, a conversation, a new conversation, a group's or an event's conversation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.accounts.models import Supporter
from quartier.lib.ids import parse_id
from quartier.organizing import access as organizing_access
from quartier.organizing.queries import events as organizing_events
from quartier.organizing.queries import groups as organizing_groups
from quartier.social import access
from quartier.social.actions import common as common_actions
from quartier.social.actions import conversations as conversations_actions
from quartier.social.forms import MessageForm, NewConversationForm
from quartier.social.models import Conversation
from quartier.social.queries import conversations as conversations_queries
from quartier.social.views.common import error_text


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "social/inbox.html", {"rows": conversations_queries.inbox(request.user)})


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def conversation_new(request: HttpRequest) -> HttpResponse:
    initial = {"to": request.GET.get("to", "")[:60]}
    form = NewConversationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        handles = form.cleaned_data["to"]
        found = {
            person.handle: person
            for person in Supporter.objects.filter(
                handle__in=handles, is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False
            )
        }
        missing = [handle for handle in handles if handle not in found]
        if missing:
            form.add_error("to", _("Nobody has the handle %(handles)s.") % {"handles": ", ".join(missing)})
        else:
            try:
                conversation = conversations_actions.start_conversation(
                    sender=request.user, recipients=list(found.values()), title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )  # fmt: skip
            except common_actions.SocialError as error:
                form.add_error(None, error_text(error.code))
            else:
                return redirect(conversation.get_absolute_url())
    return render(request, "social/conversation_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    found, _participant = access.get_conversation_for(request.user, conversation_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = conversations_actions.send_message(
                sender=request.user, conversation=found, body=form.cleaned_data["body"]
            )
        except common_actions.SocialError as error:
            form.add_error(None, error_text(error.code))
        else:
            return redirect(f"{found.get_absolute_url()}#message-{message.pk}")
    rows, has_older = conversations_queries.messages_of(found, before=parse_id(request.GET.get("before")))
    conversations_actions.mark_read(supporter=request.user, conversation=found)
    return render(
        request,
        "social/conversation.html",
        {
            "conversation": found,
            "rows": rows,
            "has_older": has_older,
            "participants": conversations_queries.participants_of(found)
            if found.kind == Conversation.Kind.PRIVATE
            else [],
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def conversation_leave(request: HttpRequest, conversation_id: int) -> HttpResponse:
    found, _participant = access.get_conversation_for(request.user, conversation_id)
    conversations_actions.leave_conversation(supporter=request.user, conversation=found)
    messages.success(request, _("You left the conversation."))
    return redirect("social:inbox")


@verified_supporter_required
def group_conversation(request: HttpRequest, slug: str) -> HttpResponse:
    """Opens (and rejoins) a group's conversation, for its current members."""
    group = organizing_access.get_visible_group(request.user, slug)
    if not organizing_groups.is_active_member(request.user, group.pk):
        raise Http404
    found = conversations_actions.conversation_for_group(group)
    if request.method == "POST" or request.GET.get("rejoin") == "1":
        conversations_actions.rejoin_conversation(supporter=request.user, conversation=found)
    try:
        access.get_conversation_for(request.user, found.pk)
    except Http404:
        return render(
            request, "social/conversation_left.html", {"conversation": found, "rejoin_url": request.path}
        )
    return redirect(found.get_absolute_url())


@verified_supporter_required
def event_conversation(request: HttpRequest, event_id: int) -> HttpResponse:
    event = organizing_access.get_visible_event(request.user, event_id)
    if not organizing_events.is_attendee_or_host(request.user, event):
        raise Http404
    found = conversations_actions.conversation_for_event(event)
    if request.method == "POST" or request.GET.get("rejoin") == "1":
        conversations_actions.rejoin_conversation(supporter=request.user, conversation=found)
    try:
        access.get_conversation_for(request.user, found.pk)
    except Http404:
        return render(
            request, "social/conversation_left.html", {"conversation": found, "rejoin_url": request.path}
        )
    return redirect(found.get_absolute_url())
