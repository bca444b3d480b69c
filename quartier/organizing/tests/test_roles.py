"""Group roles follow one written rule (docs/decisions.md): only a leader hands over leadership,
co-leaders manage member requests, nobody demotes the last leader, and only current leaders host in
the group's name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.models import Event, Group, Membership
from quartier.testing import client_for

ROLE_PERSONAS = ["leader", "co_leader", "member", "outsider", "anonymous", "staff"]


@pytest.fixture
def co_leader(make_supporter, group):
    person = make_supporter("Colette Co-leader")
    groups_actions.join_group(
        supporter=person,
        group=group,
        accepts_messages=False,
        consent_wording="",
        language="en",
        ip_address=None,
    )
    Membership.objects.filter(group=group, supporter=person).update(role=Membership.Role.CO_LEADER)
    return person


@pytest.fixture
def people(group, leader, co_leader, member, outsider, staff):
    return {"leader": leader, "co_leader": co_leader, "member": member, "outsider": outsider, "staff": staff}


def roles(group: Group) -> dict[int, tuple[str, str]]:
    return {m.supporter_id: (m.role, m.status) for m in Membership.objects.filter(group=group)}


def change_role(client: Client, group: Group, supporter, role: str):
    membership = Membership.objects.get(group=group, supporter=supporter)
    return client.post(reverse("organizing:group_member", args=[group.slug, membership.pk]), {"action": role})


def client_of(persona: str, people) -> Client:
    return Client() if persona == "anonymous" else client_for(people[persona])


# (what, whose membership, new role, personas allowed)
ROLE_CHANGES = [
    ("promote_member_to_co_leader", "member", "co_leader", {"leader", "staff"}),
    ("promote_member_to_leader", "member", "leader", {"leader", "staff"}),
    ("co_leader_to_leader", "co_leader", "leader", {"leader", "staff"}),
    ("demote_co_leader", "co_leader", "member", {"leader", "staff"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("what", "whose", "role", "allowed"), ROLE_CHANGES, ids=[c[0] for c in ROLE_CHANGES])
@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_only_a_leader_or_staff_changes_roles_and_a_refusal_changes_nothing(
    group, people, persona, what, whose, role, allowed
):
    before = roles(group)

    response = change_role(client_of(persona, people), group, people[whose], role)

    assert response.status_code in {302, 404}
    if persona in allowed:
        assert roles(group)[people[whose].pk] == (role, "active")
    else:
        assert roles(group) == before


@pytest.mark.django_db
def test_a_co_leader_cannot_take_over_the_group(group, people):
    client = client_for(people["co_leader"])
    before = roles(group)

    promoted = change_role(client, group, people["co_leader"], "leader")
    demoted = change_role(client, group, people["leader"], "member")

    assert promoted.status_code == demoted.status_code == 302
    assert roles(group) == before
    page = client.get(group.get_absolute_url()).content.decode()
    assert "Change role" not in page  # co-leaders are not offered what they may not do


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["leader", "staff"])
def test_nobody_demotes_the_last_leader(group, people, persona):
    before = roles(group)

    response = change_role(client_of(persona, people), group, people["leader"], "member")

    assert response.status_code == 302
    assert roles(group) == before


@pytest.mark.django_db
def test_a_leader_hands_over_leadership_then_steps_down(group, people):
    client = client_for(people["leader"])

    change_role(client, group, people["co_leader"], "leader")
    change_role(client, group, people["leader"], "member")

    current = roles(group)
    assert current[people["co_leader"].pk] == ("leader", "active")
    assert current[people["leader"].pk] == ("member", "active")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ROLE_PERSONAS)
def test_leaders_and_co_leaders_approve_requests(people, persona, make_supporter):
    group = Group.objects.get(memberships__supporter=people["co_leader"])
    Group.objects.filter(pk=group.pk).update(join_policy=Group.JoinPolicy.APPROVAL)
    asking = make_supporter("Asking Person")
    pending = groups_actions.join_group(
        supporter=asking,
        group=group,
        accepts_messages=False,
        consent_wording="",
        language="en",
        ip_address=None,
    )
    before = roles(group)

    client_of(persona, people).post(
        reverse("organizing:group_member", args=[group.slug, pending.pk]), {"action": "approve"}
    )

    if persona in {"leader", "co_leader", "staff"}:
        assert roles(group)[asking.pk] == ("member", "active")
    else:
        assert roles(group) == before


def duplicate(client: Client, event: Event):
    return client.post(
        reverse("organizing:event_duplicate", args=[event.pk]),
        {"starts_at": (timezone.now() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")},
    )


@pytest.mark.django_db
def test_a_demoted_co_leader_cannot_duplicate_an_event_in_the_groups_name(group, people, make_event):
    event = make_event(people["co_leader"], group=group)
    Membership.objects.filter(group=group, supporter=people["co_leader"]).update(role=Membership.Role.MEMBER)
    events_before = Event.objects.count()

    response = duplicate(client_for(people["co_leader"]), event)

    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert Event.objects.count() == events_before


@pytest.mark.django_db
def test_a_current_co_leader_duplicates_an_event_in_the_groups_name(group, people, make_event):
    event = make_event(people["co_leader"], group=group)

    response = duplicate(client_for(people["co_leader"]), event)

    copy = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == copy.get_absolute_url()
    assert copy.group == group and copy.host == people["co_leader"]


@pytest.mark.django_db
def test_an_event_in_a_groups_name_needs_a_current_leader(group, member, make_event):
    with pytest.raises(common_actions.OrganizingError) as refused:
        make_event(member, group=group)

    assert refused.value.code == "not_group_leader"
    assert not Event.objects.exists()
