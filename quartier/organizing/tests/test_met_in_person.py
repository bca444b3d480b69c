"""The "met in person" badge comes from a host's check-in at the door, and goes when it is undone;
group leaders may vouch for supporters (organizing tells accounts who leads a group)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.accounts import verification
from quartier.accounts.badges import Badge
from quartier.accounts.models import Supporter
from quartier.accounts.verification_models import Verification, Vouch
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Membership, Rsvp
from quartier.testing import client_for


def badges_of(supporter: Supporter) -> int:
    return Supporter.objects.get(pk=supporter.pk).shown_badges


@pytest.mark.django_db
def test_the_host_checking_someone_in_gives_the_met_in_person_badge(event, shift, host, supporter):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    response = client_for(host).post(
        reverse("organizing:event_attendees", args=[event.pk]), {"rsvp": record.pk, "attended": "yes"}
    )
    assert response.status_code == 302
    verified = Verification.objects.get(supporter=supporter, kind=Verification.Kind.IN_PERSON)
    assert (verified.verified_by, verified.evidence) == (host, f"event:{event.pk}")
    assert badges_of(supporter) & Badge.IN_PERSON


@pytest.mark.django_db
def test_undoing_the_check_in_takes_the_badge_back(event, shift, host, supporter):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    rsvps_actions.check_in(rsvp_record=record, attended=True, checked_in_by=host)
    rsvps_actions.check_in(rsvp_record=Rsvp.objects.get(pk=record.pk), attended=False, checked_in_by=host)
    assert not Verification.objects.filter(supporter=supporter).exists()
    assert badges_of(supporter) & Badge.IN_PERSON == 0


@pytest.mark.django_db
def test_a_host_checking_themselves_in_earns_nothing(event, shift, host):
    record = rsvps_actions.rsvp(supporter=host, shift=shift)
    rsvps_actions.check_in(rsvp_record=record, attended=True, checked_in_by=host)
    assert not Verification.objects.filter(supporter=host).exists()


@pytest.mark.django_db
def test_an_attendee_or_outsider_cannot_check_anyone_in_and_nothing_changes(
    event, shift, supporter, outsider
):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    for person in (supporter, outsider):
        response = client_for(person).post(
            reverse("organizing:event_attendees", args=[event.pk]), {"rsvp": record.pk, "attended": "yes"}
        )
        assert response.status_code == 404
    assert not Verification.objects.exists() and not Rsvp.objects.get(pk=record.pk).attended


@pytest.mark.django_db
def test_a_group_leader_may_vouch_until_they_step_down(make_group, host, supporter, outsider):
    group = make_group(host)
    verification.vouch(voucher=host, vouchee=supporter)
    assert Vouch.objects.filter(voucher=host, vouchee=supporter).exists()
    Membership.objects.filter(group=group, supporter=host).update(role=Membership.Role.MEMBER)
    with pytest.raises(verification.VouchRefused):
        verification.vouch(voucher=host, vouchee=outsider)
    assert Vouch.objects.count() == 1
