"""The inbox, a conversation's messages and participants, unread counts and the dashboard panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from quartier.accounts.models import Supporter
from quartier.accounts.queries import read_together
from quartier.social.models import (
    Conversation,
    Follow,
    Message,
    Notification,
    Participant,
)
from quartier.social.queries.notifications import relevant_to

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser


# What the inbox shows of each conversation, and of a person (`supporter_name`): never whole rows.
INBOX_FIELDS = (
    "unread_count", "conversation", "conversation__kind", "conversation__title", "conversation__group",
    "conversation__group__name", "conversation__event", "conversation__event__title",
)  # fmt: skip
NAME_FIELDS = ("display_name", "handle", "is_active", "is_staff", "affiliation", "shown_badges")


def inbox(supporter: Supporter, limit: int = 50) -> list[Participant]:
    """The supporter's conversations, latest message first, each with the last message's text and
    the other participants (three queries)."""
    last_message = Message.objects.filter(
        conversation=OuterRef("conversation_id"), hidden_at__isnull=True
    ).order_by("-created_at", "-pk")
    rows = list(
        Participant.objects.filter(supporter=supporter, left_at__isnull=True)
        .select_related("conversation", "conversation__group", "conversation__event")
        .only(*INBOX_FIELDS)
        .annotate(last_text=Subquery(last_message.values("body")[:1]))
        .order_by(F_desc_nulls_last("last_message_at"), "-pk")[:limit]
    )
    private_ids = [row.conversation_id for row in rows if row.conversation.kind == Conversation.Kind.PRIVATE]
    others: dict[int, list[Supporter]] = {}
    for participant in (
        Participant.objects.filter(conversation_id__in=private_ids)
        .exclude(supporter=supporter)
        .select_related("supporter")
        .only("conversation", "supporter", *(f"supporter__{name}" for name in NAME_FIELDS))
        .order_by("pk")
    ):
        others.setdefault(participant.conversation_id, []).append(participant.supporter)
    for row in rows:
        row.others = others.get(row.conversation_id, [])
    return rows


def F_desc_nulls_last(field: str):

    return F(field).desc(nulls_last=True)


def messages_of(
    conversation: Conversation, *, before: int | None = None, limit: int = 50
) -> tuple[list[Message], bool]:
    """The latest `limit` messages (before message id `before`), oldest first, and whether older ones exist."""
    rows = Message.objects.filter(conversation=conversation, hidden_at__isnull=True)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    shown = ("created_at", "body_html", "sender", *(f"sender__{name}" for name in NAME_FIELDS))
    page = list(rows.select_related("sender").only(*shown).order_by("-created_at", "-pk")[: limit + 1])
    has_older = len(page) > limit
    return list(reversed(page[:limit])), has_older


def participants_of(conversation: Conversation) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True)
        .select_related("supporter")
        .only("supporter", *(f"supporter__{name}" for name in NAME_FIELDS))
        .order_by("pk")[:200]
    )


def unread_notifications(supporter: Supporter) -> int:
    """Only what the list would show: a notification about a post one can no longer read is not counted."""
    unread = Notification.objects.filter(recipient=supporter, read_at__isnull=True)
    notifications = unread.filter(relevant_to(supporter)).count()
    return notifications


def unread_counts(supporter: Supporter) -> dict[str, int]:
    messages = Participant.objects.filter(supporter=supporter, left_at__isnull=True).aggregate(
        total=Sum("unread_count")
    )["total"]
    notifications = unread_notifications(supporter)
    return {"messages": messages or 0, "notifications": notifications}


def dashboard_counters(supporter: Supporter) -> dict:
    """The panel's counts as expressions, read with the other panels' in one query by the dashboard:
    unread messages, whether any notification is unread (counted exactly only then), follows."""
    unread = (
        Participant.objects.filter(supporter_id=supporter.pk, left_at__isnull=True)
        .values("supporter_id")
        .annotate(total=Sum("unread_count"))
        .values("total")
    )
    return {
        "social_unread_messages": Coalesce(Subquery(unread), 0),
        "social_any_notification": Exists(
            Notification.objects.filter(recipient_id=supporter.pk, read_at__isnull=True)
        ),
        "social_follows": Exists(Follow.objects.filter(follower_id=supporter.pk)),
    }


def dashboard_summary(supporter: Supporter, counters: dict | None = None) -> dict:
    """Unread messages and notifications, with the latest few conversations. Given `counters` (see
    `dashboard_counters`), it queries only for what is there: nothing for a quiet account."""
    if counters is None:
        counters = read_together(supporter, dashboard_counters(supporter))
    messages = counters["social_unread_messages"] or 0
    notifications = 0
    if counters["social_any_notification"]:
        notifications = unread_notifications(supporter)
    if not messages and not notifications and not counters["social_follows"]:
        return {}
    latest = []
    if messages:
        latest = list(
            Participant.objects.filter(supporter=supporter, left_at__isnull=True, unread_count__gt=0)
            .select_related("conversation")
            .only("unread_count", "conversation", "conversation__title")
            .order_by(F_desc_nulls_last("last_message_at"))[:3]
        )
    return {"messages": messages, "notifications": notifications, "unread_conversations": latest}
