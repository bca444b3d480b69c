from __future__ import annotations

import pytest
from django.test import Client

from quartier.accounts import actions as account_actions
from quartier.accounts.privacy import export_personal_data
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Group, Membership, Rsvp, Shift


@pytest.mark.django_db
def test_deleting_an_account_frees_its_places_for_the_waiting_list(make_event, host, make_supporter):
    event = make_event(host, capacity=1)
    shift = event.shifts.get()
    leaving = make_supporter("Leaving Person")
    waiting_person = make_supporter("Waiting Person")
    rsvps_actions.rsvp(supporter=leaving, shift=shift, phone="514 555 0101")
    waiting = rsvps_actions.rsvp(supporter=waiting_person, shift=shift)

    account_actions.delete_account(supporter=leaving)

    assert not Rsvp.objects.filter(supporter=leaving).exists()
    assert Rsvp.objects.get(pk=waiting.pk).status == "confirmed"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1


@pytest.mark.django_db
def test_deleting_an_account_leaves_groups_and_keeps_hosted_events_without_the_name(
    group, member, host, make_event
):
    event = make_event(host)

    account_actions.delete_account(supporter=member)
    account_actions.delete_account(supporter=host)

    assert not Membership.objects.filter(supporter=member).exists()
    assert Group.objects.get(pk=group.pk).member_count == 1
    page = Client().get(event.get_absolute_url()).content.decode()
    assert "Hana Host" not in page and "Deleted supporter" in page


@pytest.mark.django_db
def test_the_export_lists_memberships_rsvps_and_hosted_events(group, member, event, shift):
    rsvps_actions.rsvp(supporter=member, shift=shift, phone="514 555 0101")

    data = export_personal_data(member)

    assert data["group_memberships"][0]["group__name"] == group.name
    assert data["rsvps"][0]["phone"] == "514 555 0101"
    assert data["hosted_events_and_groups"] == {"events": [], "groups_started": []}
