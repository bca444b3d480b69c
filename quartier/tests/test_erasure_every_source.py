"""Deleting an account really empties every registered personal-data source, not only registers it.

Each source is filled with rows (`personal_data.registry.FACTORIES`) for the supporter and for a bystander;
after deletion the supporter's rows of every source are gone, except what a source documents it
keeps (`kept_after_deletion`), which is checked to be kept exactly as documented. The bystander's
rows are untouched.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from quartier.accounts import actions, privacy
from quartier.accounts.models import Activity, Supporter
from quartier.organizing.models import Event, Group
from quartier.outreach.models import Message, SmsSubscription, Suppression
from quartier.tests.personal_data.common import People
from quartier.tests.personal_data.registry import FACTORIES, ONE_PER_SUPPORTER, every_owned_row


def _account_is_emptied(before: dict, supporter: Supporter) -> None:
    row = Supporter.objects.get(pk=supporter.pk)
    assert (row.display_name, row.postal_code, row.town, row.latitude, row.longitude) == (
        "",
        "",
        "",
        None,
        None,
    )
    assert row.email.endswith("@deleted.invalid") and row.handle.startswith("deleted-")
    assert not row.is_active and not row.is_staff and not row.has_usable_password()
    assert row.deleted_at is not None and row.email_verified_at is None


def _hosted_events_and_groups_stay_without_the_name(before: dict, supporter: Supporter) -> None:
    assert (
        sorted(Event.objects.filter(pk__in=before[Event]).values_list("host_id", flat=True))
        == [supporter.pk] * 2
    )
    assert Group.objects.filter(pk__in=before[Group]).count() == 2
    assert Supporter.objects.get(pk=supporter.pk).display_name == ""


def _sent_messages_stay_without_the_sender(before: dict, supporter: Supporter) -> None:
    assert list(Message.objects.filter(pk__in=before[Message]).values_list("sender_id", flat=True)) == [
        None,
        None,
    ]


def _lending_messages_stay_without_the_author(before: dict, supporter: Supporter) -> None:
    from quartier.reach.models import LendingMessage

    assert list(
        LendingMessage.objects.filter(pk__in=before[LendingMessage]).values_list("author_id", flat=True)
    ) == [
        None,
        None,
    ]


def _admin_log_stays_pointing_at_the_empty_account(before: dict, supporter: Supporter) -> None:
    assert sorted(LogEntry.objects.filter(user=supporter).values_list("pk", flat=True)) == before[LogEntry]


def _moderation_decisions_stay_without_the_name(before: dict, supporter: Supporter) -> None:
    from quartier.social.models import ModerationAction

    kept = ModerationAction.objects.filter(pk__in=before[ModerationAction])
    assert sorted(kept.values_list("pk", flat=True)) == before[ModerationAction]
    assert set(kept.values_list("subject_id", flat=True)) == {None}


def _activity_stays_without_name_or_area(before: dict, supporter: Supporter) -> None:
    kept = Activity.objects.filter(pk__in=before[Activity]).order_by("pk")
    # The factory's own rows, and what other sources journal (RSVPs, gifts, posts): all anonymous.
    assert len(before[Activity]) >= 2
    assert [(row.supporter_id, row.region) for row in kept] == [(None, "")] * len(before[Activity])


def _referral_trees_keep_their_shape_without_the_name(before: dict, supporter: Supporter) -> None:
    from quartier.reach.models import CascadeNode, Conversion

    assert len(before[CascadeNode]) == 1 and len(before[Conversion]) >= 2
    node = CascadeNode.objects.get(pk=before[CascadeNode][0])
    assert node.supporter_id is None and node.parent_id is not None  # still under whoever brought them
    kept = Conversion.objects.filter(pk__in=before[Conversion])
    assert [row.converter_id for row in kept] == [None] * len(before[Conversion])
    assert all(row.credited_node_id is not None for row in kept)


def _suppressed_address_stays_suppressed(before: dict, supporter: Supporter) -> None:
    assert len(before[Suppression]) == 1
    assert (
        sorted(Suppression.objects.filter(pk__in=before[Suppression]).values_list("pk", flat=True))
        == (before[Suppression])
    )


def _sms_numbers_stay_stopped_and_nameless(before: dict, supporter: Supporter) -> None:
    kept = SmsSubscription.objects.filter(pk__in=before[SmsSubscription])
    assert [(row.supporter_id, row.wording, row.opted_out_at is not None) for row in kept] == [
        (None, "", True)
    ] * 2


def _gifts_stay_off_the_honour_roll(before: dict, supporter: Supporter) -> None:
    from quartier.donations.models import Donation

    kept = Donation.objects.filter(pk__in=before[Donation])
    assert kept.count() == len(before[Donation]) and not kept.filter(show_name=True).exists()


def _monthly_gifts_stop(before: dict, supporter: Supporter) -> None:
    from quartier.donations.models import RecurringGift

    kept = RecurringGift.objects.filter(pk__in=before[RecurringGift])
    assert sorted(kept.values_list("status", flat=True)) == ["cancelled"] * len(before[RecurringGift])


def _refund_requests_stay_without_their_reason(before: dict, supporter: Supporter) -> None:
    from quartier.donations.models import RefundRequest

    kept = RefundRequest.objects.filter(pk__in=before[RefundRequest])
    assert list(kept.values_list("reason", flat=True)) == [""] * len(before[RefundRequest])


def _teams_stay_without_their_captain(before: dict, supporter: Supporter) -> None:
    from quartier.donations.models import Team

    kept = Team.objects.filter(pk__in=before[Team])
    assert kept.count() == len(before[Team]) and not kept.filter(captain__isnull=False).exists()


def _fieldwork_results_stay_without_the_volunteer(before: dict, supporter: Supporter) -> None:
    from quartier.fieldwork.models import Result

    kept = Result.objects.filter(pk__in=before[Result])
    assert kept.count() == len(before[Result]) == 3
    assert set(kept.values_list("volunteer_id", "notes", "latitude")) == {(None, "", None)}


def _fieldwork_imports_stay_without_the_uploader_or_the_file(before: dict, supporter: Supporter) -> None:
    from quartier.fieldwork.models import ImportJob

    kept = ImportJob.objects.filter(pk__in=before[ImportJob])
    assert kept.count() == len(before[ImportJob]) == 2
    assert set(kept.values_list("uploaded_by_id", "file")) == {(None, "")}
    assert all(job.is_finished for job in kept)


# What each source that keeps something after deletion keeps, checked as `kept_after_deletion` says.
def _people_imports_stay_without_the_uploader_or_the_file(before: dict, supporter: Supporter) -> None:
    from quartier.api.models import PeopleImport

    kept = PeopleImport.objects.filter(pk__in=before[PeopleImport])
    assert kept.count() == len(before[PeopleImport]) == 2
    assert set(kept.values_list("uploaded_by_id", "file")) == {(None, "")}
    assert all(job.is_finished for job in kept)


def _webhook_endpoints_stay_without_their_creator(before: dict, supporter: Supporter) -> None:
    from quartier.api.models import WebhookEndpoint

    kept = WebhookEndpoint.objects.filter(pk__in=before[WebhookEndpoint])
    assert kept.count() == len(before[WebhookEndpoint]) == 2
    assert set(kept.values_list("created_by_id", flat=True)) == {None}


def _erased_follows_leave_tombstones_of_ids_only(before: dict, supporter: Supporter) -> None:
    from quartier.social.models import Follow, FollowRemoval

    assert len(before[Follow]) >= 2 and not Follow.objects.filter(pk__in=before[Follow]).exists()
    kept = FollowRemoval.objects.filter(follow_id__in=before[Follow])
    assert sorted(kept.values_list("follow_id", flat=True)) == before[Follow]
    assert all(supporter.pk in (row.follower_id, row.followed_id) for row in kept)


KEPT = {
    "account": _account_is_emptied,
    "follows": _erased_follows_leave_tombstones_of_ids_only,
    "hosted_events_and_groups": _hosted_events_and_groups_stay_without_the_name,
    "messages_sent": _sent_messages_stay_without_the_sender,
    "admin_log": _admin_log_stays_pointing_at_the_empty_account,
    "email_suppression": _suppressed_address_stays_suppressed,
    "sms_subscriptions": _sms_numbers_stay_stopped_and_nameless,
    "moderation_decisions": _moderation_decisions_stay_without_the_name,
    "activity": _activity_stays_without_name_or_area,
    "referral_attribution": _referral_trees_keep_their_shape_without_the_name,
    "donations": _gifts_stay_off_the_honour_roll,
    "monthly_gifts": _monthly_gifts_stop,
    "refund_requests": _refund_requests_stay_without_their_reason,
    "fundraising_teams": _teams_stay_without_their_captain,
    "fieldwork_volunteering": _fieldwork_results_stay_without_the_volunteer,
    "fieldwork_imports": _fieldwork_imports_stay_without_the_uploader_or_the_file,
    "api_people_imports": _people_imports_stay_without_the_uploader_or_the_file,
    "api_webhook_endpoints_created": _webhook_endpoints_stay_without_their_creator,
    "lending_messages_written": _lending_messages_stay_without_the_author,
}


@pytest.fixture
def people(make_supporter, staff) -> People:
    return People(organiser=make_supporter("Olga Organiser"), staff=staff)


def test_every_registered_source_has_a_factory():
    registered = {source.name for source in privacy.sources()}

    assert registered - set(FACTORIES) == set(), "add a factory to quartier/tests/personal_data/<app>.py"
    assert set(FACTORIES) - registered == set(), "a factory for a source no longer registered"


def test_every_factory_covers_every_model_of_its_source():
    for source in privacy.sources():
        assert set(FACTORIES[source.name].owned(Supporter(pk=0))) == set(source.models), source.name


def test_every_source_that_keeps_something_says_how_it_is_checked():
    keeping = {source.name for source in privacy.sources() if source.kept_after_deletion}

    assert keeping - {"account"} == set(KEPT) - {"account"}


@pytest.mark.django_db
def test_the_factories_fill_every_model_of_every_source(make_supporter, people):
    supporter = make_supporter("Full Supporter")
    for factory in FACTORIES.values():
        factory.make(supporter, people)

    for name, models in every_owned_row(supporter).items():
        for model, pks in models.items():
            expected = 1 if model in ONE_PER_SUPPORTER else 2
            assert len(pks) >= expected, f"{name}: {model.__name__} has {len(pks)} rows"


@pytest.mark.django_db
def test_deleting_an_account_empties_every_source_and_keeps_only_what_is_documented(make_supporter, people):
    supporter, bystander = make_supporter("Leaving Supporter"), make_supporter("Staying Supporter")
    for factory in FACTORIES.values():
        factory.make(supporter, people)
        factory.make(bystander, people)
    before = every_owned_row(supporter)
    bystander_before = every_owned_row(bystander)

    actions.delete_account(supporter=supporter)

    after = every_owned_row(supporter)
    for name, models in after.items():
        if name in KEPT:
            KEPT[name](before[name], supporter)
            continue
        assert models == {model: [] for model in models}, f"{name} still holds rows of the deleted supporter"
    assert every_owned_row(bystander) == bystander_before
    # Nothing written into an erased source survives anywhere in what the export can still see.
    remaining = repr(privacy.export_personal_data(Supporter.objects.get(pk=supporter.pk)))
    erased = [m for m in people.markers if not any(m.startswith(f"marker-{name}-") for name in KEPT)]
    assert [marker for marker in erased if marker in remaining] == []


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["anonymous", "other_supporter", "staff"])
def test_a_deleted_account_has_no_profile_page_for_anyone(request, make_supporter, viewer):
    from django.urls import reverse

    from quartier.testing import client_for

    leaving = make_supporter("Leaving Supporter")
    old_handle = leaving.handle
    actions.delete_account(supporter=leaving)
    new_handle = Supporter.objects.get(pk=leaving.pk).handle
    client = client_for(request.getfixturevalue(viewer))

    answers = [
        client.get(reverse("accounts:profile", args=[handle])).status_code
        for handle in (old_handle, new_handle)
    ]

    assert answers == [404, 404]
