"""The moderation pages' markup: one id per element when several decisions can each be appealed, and
on the page where staff answer an appeal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.social.actions import moderation as moderation_actions
from quartier.social.models import Appeal, ModerationAction
from quartier.testing import client_for, repeated_ids

pytestmark = pytest.mark.django_db


def test_the_appeal_pages_repeat_no_id(people, make_post, staff):
    for title in ("First", "Second"):
        post = make_post(people["author"], title)
        report = moderation_actions.report(reporter=people["stranger"], reason="spam", details="", post=post)
        moderation_actions.moderate(moderator=staff, report=report, kind="hide", reason="Spam")
    author = client_for(people["author"])

    page = author.get(reverse("social:my_decisions")).content.decode()
    assert page.count("Appeal this decision") == 2
    assert repeated_ids(page) == []

    action = ModerationAction.objects.filter(kind="hide").first()
    author.post(reverse("social:appeal", args=[action.pk]), {"text": "It is a real event"})
    staff_page = client_for(staff).get(reverse("social:appeal_decide", args=[Appeal.objects.get().pk]))
    assert repeated_ids(staff_page.content.decode()) == []
