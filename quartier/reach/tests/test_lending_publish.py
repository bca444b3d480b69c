"""Lend your status: messages scheduled within each lender's weekly cap (also under concurrency),
announced with a veto window, vetoed or published everywhere once with the label, retried with
backoff when a service fails, and a history of what each one brought."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from quartier.reach.lending import actions as lending_actions
from quartier.reach.lending import tasks
from quartier.reach.models import LendingMessage, LentPublication, LentStatus, ReferralCode
from quartier.reach.tests.conftest import connect_bluesky, connect_mastodon, opt_in
from quartier.social.models import Post
from quartier.testing import client_for, run_together

pytestmark = pytest.mark.django_db
LABEL = "Shared on behalf of Team Nora with Marie Tremblay's permission"


def write(
    staff, text: str = "Vote on Sunday", veto_hours: int = 24, link: str = "/events/"
) -> LendingMessage:
    message, _count = lending_actions.write_message(
        author=staff, draft=lending_actions.MessageDraft("Team Nora", text, link, veto_hours)
    )
    return message


def make_due(status: LentStatus) -> None:
    LentStatus.objects.filter(pk=status.pk).update(publish_at=timezone.now() - timedelta(minutes=1))


def test_a_message_reaches_only_lenders_and_is_announced_with_its_veto_window(
    supporter, other_supporter, staff, django_capture_on_commit_callbacks
):
    opt_in(supporter)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        write(staff, veto_hours=48)

    status = LentStatus.objects.get()
    assert status.lender == supporter and status.publish_at >= before + timedelta(hours=48)
    assert [message.to for message in mail.outbox] == [[supporter.email]]
    assert LABEL in mail.outbox[0].body and reverse("reach:lend_upcoming") in mail.outbox[0].body
    assert status.__class__.objects.get().announced_at is not None
    assert not LentStatus.objects.filter(lender=other_supporter).exists()


def test_the_weekly_cap_pushes_the_next_message_to_a_later_week(supporter, staff):
    opt_in(supporter, cap=2)

    first, second, third = (write(staff, f"Message {n}") for n in range(3))

    weeks = [
        lending_actions.week_start(LentStatus.objects.get(message=m).publish_at)
        for m in (first, second, third)
    ]
    assert weeks[0] == weeks[1] and weeks[2] == weeks[0] + timedelta(days=7)


@pytest.mark.django_db(transaction=True)
def test_the_cap_holds_when_messages_are_scheduled_at_the_same_time(make_supporter, staff):
    lender = make_supporter("Luc Lender")
    opt_in(lender, cap=1)
    messages = [
        LendingMessage.objects.create(campaign="C", text=f"Race {n}", author=staff, veto_hours=24)
        for n in range(4)
    ]
    earliest = timezone.now() + timedelta(hours=24)

    run_together(
        [
            lambda m=m: lending_actions.schedule_for(lender_id=lender.pk, message=m, earliest=earliest)
            for m in messages
        ]
    )

    weeks = [
        lending_actions.week_start(moment)
        for moment in LentStatus.objects.values_list("publish_at", flat=True)
    ]
    assert len(weeks) == 4 and len(set(weeks)) == 4


def test_a_vetoed_message_never_goes_out(supporter, staff, mastodon):
    opt_in(supporter)
    connect_mastodon(client_for(supporter), mastodon)
    write(staff)
    status = LentStatus.objects.get()

    response = client_for(supporter).post(reverse("reach:lend_veto", args=[status.pk]))
    make_due(status)
    tasks.publish_due_statuses()

    assert response.status_code == 302
    status.refresh_from_db()
    assert status.state == LentStatus.State.VETOED and status.vetoed_at is not None
    assert not Post.objects.filter(author=supporter).exists() and mastodon.statuses == []


def test_nobody_vetoes_or_lends_someone_elses_status(persona, make_supporter, staff):
    _name, viewer = persona
    lender = make_supporter("Lea Lender")
    opt_in(lender)
    write(staff)
    status = LentStatus.objects.get()

    response = client_for(viewer).post(reverse("reach:lend_veto", args=[status.pk]))

    assert response.status_code == 302
    assert LentStatus.objects.get().state == LentStatus.State.SCHEDULED
    if viewer is not None:
        assert (
            status.message.text not in client_for(viewer).get(reverse("reach:lend_upcoming")).content.decode()
        )


def test_a_due_status_goes_out_everywhere_once_with_its_label(supporter, staff, mastodon, bluesky):
    opt_in(supporter)
    client = client_for(supporter)
    connect_mastodon(client, mastodon)
    connect_bluesky(client)
    write(staff)
    status = LentStatus.objects.get()
    make_due(status)

    assert tasks.publish_due_statuses() == {"published": 1}
    assert tasks.publish_due_statuses() == {}  # a second run finds nothing due
    assert lending_actions.publish(status.pk) == "not_due"  # nor does a retried task

    post = Post.objects.get(author=supporter)
    assert LABEL in post.body and post.is_published
    assert len(mastodon.statuses) == 1 and LABEL in mastodon.statuses[0]["content"]
    assert len(bluesky.records) == 1 and LABEL in next(iter(bluesky.records.values()))["text"]
    assert set(LentPublication.objects.values_list("destination", flat=True)) == {
        "quartier",
        "mastodon",
        "bluesky",
    }


def test_a_failing_service_is_retried_later_with_the_error_shown_and_posts_once(supporter, staff, mastodon):
    opt_in(supporter)
    client = client_for(supporter)
    connect_mastodon(client, mastodon)
    write(staff)
    status = LentStatus.objects.get()
    make_due(status)
    mastodon.fail_next = 1

    assert tasks.publish_due_statuses() == {"failed": 1}
    status.refresh_from_db()
    assert status.publish_at > timezone.now() and "503" in status.last_error
    assert "503" in client.get(reverse("reach:lend_upcoming")).content.decode()
    assert Post.objects.filter(author=supporter).count() == 1  # Quartier's part is done and kept

    make_due(status)
    assert tasks.publish_due_statuses() == {"published": 1}
    assert len(mastodon.statuses) == 1 and Post.objects.filter(author=supporter).count() == 1


def test_a_lost_answer_retried_posts_nothing_twice(supporter, staff, mastodon, bluesky):
    opt_in(supporter)
    client = client_for(supporter)
    connect_mastodon(client, mastodon)
    connect_bluesky(client)
    write(staff)
    status = LentStatus.objects.get()
    make_due(status)
    tasks.publish_due_statuses()
    # As if the answers had been lost: the rows that record them are gone, the task runs again.
    LentPublication.objects.filter(destination__in=["mastodon", "bluesky"]).delete()
    LentStatus.objects.filter(pk=status.pk).update(state=LentStatus.State.FAILED)
    make_due(status)

    tasks.publish_due_statuses()

    assert len(mastodon.statuses) == 1 and len(bluesky.records) == 1
    assert LentPublication.objects.filter(status=status).count() == 3


def test_a_status_whose_lender_revoked_meanwhile_is_cancelled(supporter, staff):
    opt_in(supporter)
    write(staff)
    status = LentStatus.objects.get()
    make_due(status)
    LentStatus.objects.filter(pk=status.pk).update(state=LentStatus.State.FAILED)
    lending_actions.revoke(supporter=supporter)

    tasks.publish_due_statuses()

    assert LentStatus.objects.get().state == LentStatus.State.CANCELLED
    assert not Post.objects.filter(author=supporter).exists()


def test_the_link_counts_visits_and_credits_the_lender_and_the_history_shows_them(
    supporter, staff, django_assert_max_num_queries
):
    opt_in(supporter)
    write(staff, link="/events/")
    status = LentStatus.objects.get()
    make_due(status)
    tasks.publish_due_statuses()

    response = client_for(None).get(reverse("reach:lent_link", args=[status.link_token]))
    client_for(None).get(reverse("reach:lent_link", args=[status.link_token]))

    code = ReferralCode.objects.get(supporter=supporter).code
    assert response.status_code == 302 and response["Location"] == f"/events/?ref={code}"
    assert LentStatus.objects.get().visits == 2
    for number in range(5):
        write(staff, f"More {number}")
    client = client_for(supporter)
    client.get("/")
    with django_assert_max_num_queries(12):
        html = client.get(reverse("reach:lend_history")).content.decode()
    assert "Vote on Sunday" in html and "<td>2</td>" in html


def test_an_unknown_lent_link_leads_home():
    response = client_for(None).get(reverse("reach:lent_link", args=["nothing-here"]))

    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_long_message_is_shortened_for_bluesky_keeping_its_link_and_label(supporter, staff, bluesky):
    opt_in(supporter)
    connect_bluesky(client_for(supporter))
    write(staff, text="Long " * 40)
    status = LentStatus.objects.get()
    make_due(status)

    assert tasks.publish_due_statuses() == {"published": 1}, LentStatus.objects.get().last_error

    record = next(iter(bluesky.records.values()))
    assert len(record["text"]) <= 300 and LABEL in record["text"] and "…" in record["text"]
    link = lending_actions.link_of(status)
    facet = record["facets"][0]
    assert record["text"].encode()[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode() == link
    assert Post.objects.get(author=supporter).body.startswith("Long " * 39)  # Quartier keeps it whole


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_status_post_it_once(make_supporter, staff, mastodon):
    lender = make_supporter("Rita Racer")
    opt_in(lender)
    connect_mastodon(client_for(lender), mastodon)
    write(staff)
    status = LentStatus.objects.get()
    make_due(status)

    outcomes = run_together([lambda: lending_actions.publish(status.pk) for _ in range(4)])

    assert sorted(outcomes) == ["not_due", "not_due", "not_due", "published"]
    assert Post.objects.filter(author=lender).count() == 1 and len(mastodon.statuses) == 1
