"""The existing actions journal what they count, once, in their own transaction; the backfill agrees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.accounts import actions as account_actions
from quartier.accounts.models import Activity
from quartier.dashboard import backfill
from quartier.dashboard.tests.conftest import make_event
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.actions import rsvps as organizing_rsvps
from quartier.organizing.models import Rsvp
from quartier.reach.actions import referral_code_for
from quartier.testing import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def kinds_of(supporter) -> list[tuple[str, int]]:
    return list(Activity.objects.filter(supporter=supporter).order_by("pk").values_list("kind", "count"))


def test_signing_up_journals_the_signup_and_verifying_journals_it_once(make_supporter):
    person = make_supporter("Léa Roy", verified=False)
    assert kinds_of(person) == [("accounts.signup", 1)]
    account_actions.mark_email_verified(person)
    account_actions.mark_email_verified(person)
    assert kinds_of(person) == [("accounts.signup", 1), ("accounts.verified", 1)]
    assert Activity.objects.get(kind="accounts.signup", supporter=person).region == "CA:H2X"


def test_a_signup_through_a_share_link_credits_the_sharer(client, supporter):
    code = referral_code_for(supporter)
    event = make_event(supporter)
    assert client.get(f"{event.get_absolute_url()}?ref={code}").status_code == 200
    response = client.post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.org", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42",
            "display_name": "Nouvelle Venue", "country": "CA", "postal_code": "H2T 1A1",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    credited = Activity.objects.get(kind="reach.referral_signup")
    assert credited.credited_to == supporter
    assert credited.supporter.email == "newcomer@example.org"


def test_rsvp_cancel_and_rsvp_again_count_each_time_and_retries_count_once(supporter, other_supporter):
    shift = make_event(other_supporter).shifts.get()
    record = organizing_rsvps.rsvp(supporter=supporter, shift=shift)
    organizing_rsvps.rsvp(supporter=supporter, shift=shift)  # a double click
    organizing_rsvps.cancel_rsvp(rsvp_record=record)
    organizing_rsvps.cancel_rsvp(rsvp_record=record)
    organizing_rsvps.rsvp(supporter=supporter, shift=shift)
    assert kinds_of(supporter) == [
        ("accounts.signup", 1), ("organizing.rsvp", 1), ("organizing.rsvp_cancelled", -1), ("organizing.rsvp", 1),
    ]  # fmt: skip


def test_check_in_journals_attendance_and_undoing_it_takes_it_back(supporter, other_supporter):
    shift = make_event(other_supporter).shifts.get()
    record = organizing_rsvps.rsvp(supporter=supporter, shift=shift)
    organizing_rsvps.check_in(rsvp_record=record, attended=True)
    organizing_rsvps.check_in(rsvp_record=record, attended=True)
    organizing_rsvps.check_in(rsvp_record=record, attended=False)
    attended = Activity.objects.filter(kind="organizing.attended", supporter=supporter)
    assert sorted(attended.values_list("count", flat=True)) == [-1, 1]


def test_hosting_starting_and_joining_groups_are_journaled_with_the_group(supporter, other_supporter, group):
    organizing_groups.join_group(
        supporter=other_supporter, group=group, accepts_messages=False, consent_wording="", language="en",
        ip_address=None, referrer=supporter,
    )  # fmt: skip
    event = make_event(supporter, group=group)
    assert Activity.objects.get(kind="organizing.group_created").group_id == group.pk
    joined = Activity.objects.get(kind="organizing.group_joined", supporter=other_supporter)
    assert (joined.group_id, joined.credited_to) == (group.pk, supporter)
    assert (
        Activity.objects.get(kind="organizing.event_hosted", supporter=supporter).key == f"event:{event.pk}"
    )


def test_deleting_an_account_leaves_no_journal_row_naming_the_person(supporter, other_supporter):
    shift = make_event(other_supporter).shifts.get()
    organizing_rsvps.rsvp(supporter=supporter, shift=shift)
    account_actions.delete_account(supporter=supporter)
    assert not Activity.objects.filter(supporter=supporter).exists()
    # Erasure cancelled the coming RSVP, and that too is anonymous.
    cancelled = Activity.objects.get(kind="organizing.rsvp_cancelled")
    assert (cancelled.supporter_id, cancelled.region) == (None, "")


def test_the_backfill_writes_what_the_actions_would_have_and_nothing_twice(supporter, other_supporter, group):
    shift = make_event(supporter, group=group).shifts.get()
    record = organizing_rsvps.rsvp(supporter=other_supporter, shift=shift)
    organizing_rsvps.cancel_rsvp(rsvp_record=record)
    organizing_rsvps.check_in(rsvp_record=Rsvp.objects.get(pk=record.pk), attended=True)
    account_actions.mark_email_verified(supporter)
    before = set(Activity.objects.values_list("kind", "key", "count"))
    Activity.objects.all().delete()
    list(backfill.backfill_journal())
    after = set(Activity.objects.values_list("kind", "key", "count"))
    assert before - after == set()
    list(backfill.backfill_journal())
    assert Activity.objects.count() == len(after)


def test_the_login_lands_on_the_dashboard(supporter):
    response = client_for(None).post(
        reverse("account_login"), {"login": supporter.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:personal")
