"""No input to the share kit's and lend-your-status forms answers 500: each is refused with a reason or
handled, and a refused form changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.reach.models import ConnectedAccount, LendingConsent, LendingMessage
from quartier.reach.tests.conftest import opt_in
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
HOSTILE = [
    "\x00",
    "a" * 5000,
    "'; DROP TABLE x; --",
    "<script>alert(1)</script>",
    "١٢",
    "-1",
    "1e9",
    "🙂",
    "\u202e",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_never_answer_500(value, supporter, staff, mastodon, bluesky):
    opt_in(supporter)
    lender, organiser, visitor = client_for(supporter), client_for(staff), client_for(None)
    for client in (lender, organiser, visitor):
        client.raise_request_exception = True

    answers = [
        visitor.get(reverse("reach:share_mastodon"), {"text": value, "instance": value}),
        lender.post(reverse("reach:lend_settings"), {"active": value, "weekly_cap": value}),
        lender.post(reverse("reach:mastodon_connect"), {"instance": value}),
        lender.get(reverse("reach:mastodon_callback"), {"code": value, "state": value}),
        lender.post(reverse("reach:bluesky_connect"), {"handle": value, "app_password": value}),
        lender.post(reverse("reach:lend_disconnect", args=["x" + value[:20].replace("/", "")])),
        visitor.get(reverse("reach:lent_link", args=[value[:30].replace("/", "") or "x"])),
        organiser.post(
            reverse("reach:lend_staff"),
            {"campaign": value, "text": value, "link_path": value, "veto_hours": value},
        ),
    ]

    assert all(answer.status_code in (200, 302, 404) for answer in answers), [a.status_code for a in answers]
    assert not ConnectedAccount.objects.exists()
    assert LendingConsent.objects.get(supporter=supporter).weekly_cap == 1
    assert not LendingMessage.objects.exists()


def test_every_persona_gets_the_mastodon_chooser(persona):
    _name, viewer = persona

    response = client_for(viewer).get(reverse("reach:share_mastodon"), {"text": "Come"})

    assert response.status_code == 200 and 'name="instance"' in response.content.decode()
