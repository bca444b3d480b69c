"""The demo's lent statuses: Marie and a few generated supporters lend their status; the organiser has
written two messages, one already out (on Marie's blog, with visits) and one waiting for its veto window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.reach.lending import actions as lending_actions
from quartier.reach.models import LendingMessage, LentStatus


def load_lending_demo(organiser_email: str, marie_email: str, progress: Callable[[str], None]) -> None:
    if LendingMessage.objects.exists():
        return
    organiser = Supporter.objects.get(email=organiser_email)
    lenders = [Supporter.objects.get(email=marie_email)]
    lenders += list(
        Supporter.objects.filter(is_active=True, is_staff=False).exclude(pk=lenders[0].pk).order_by("pk")[:20]
    )
    for number, lender in enumerate(lenders):
        lending_actions.set_consent(supporter=lender, active=True, weekly_cap=1 + number % 3)
    past, _count = lending_actions.write_message(
        author=organiser,
        draft=lending_actions.MessageDraft(
            "Quartier 2026", "Our canvass this weekend needs you.", "/events/", 24
        ),
    )
    LentStatus.objects.filter(message=past).update(publish_at=timezone.now() - timedelta(minutes=1))
    for status_id in LentStatus.objects.filter(message=past).values_list("pk", flat=True)[:5]:
        lending_actions.publish(status_id)
    LentStatus.objects.filter(message=past, state=LentStatus.State.PUBLISHED).update(visits=F("pk") % 7 + 3)
    lending_actions.write_message(
        author=organiser,
        draft=lending_actions.MessageDraft("Quartier 2026", "Vote early: polls open Saturday.", "/", 48),
    )
    progress(f"  {len(lenders)} supporters lend their status; 2 campaign messages written for them")
