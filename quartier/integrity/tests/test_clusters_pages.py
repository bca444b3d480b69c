"""Clusters in the moderation queue: staff only on every persona, decisions change no account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.integrity.actions.clusters import file_finding
from quartier.integrity.detection.findings import Finding
from quartier.integrity.models import Cluster
from quartier.social.models import ModerationAction
from quartier.testing import client_for


@pytest.fixture
def cluster(make_supporter) -> Cluster:
    members = [make_supporter(f"Puppet {number}") for number in range(3)]
    finding = Finding(
        kind="synchronised",
        members={person.pk: {"items_in_step": 4} for person in members},
        evidence={
            "accounts": 3,
            "items": 4,
            "window_seconds": 30,
            "min_items_per_pair": 3,
            "sample": ["post:1"],
        },
    )
    found, _created = file_finding(finding)
    return found


def _state(cluster: Cluster) -> tuple:
    cluster.refresh_from_db()
    members = list(cluster.members.values_list("supporter__is_active", flat=True))
    return (
        cluster.status,
        cluster.decided_by_id,
        cluster.decision_note,
        members,
        ModerationAction.objects.count(),
    )


def test_staff_see_the_cluster_its_explanation_and_evidence(staff, cluster):
    client = client_for(staff)

    listing = client.get(reverse("integrity:clusters"))
    detail = client.get(reverse("integrity:cluster", args=[cluster.pk]))
    queue = client.get(reverse("social:moderation"))

    assert listing.status_code == detail.status_code == queue.status_code == 200
    assert "3 accounts acted on the same 4 items within 30 seconds" in detail.content.decode()
    assert "Puppet 1" in detail.content.decode()
    assert reverse("integrity:cluster", args=[cluster.pk]) in queue.content.decode()


@pytest.mark.parametrize("page", ["integrity:clusters", "integrity:cluster"])
def test_only_staff_open_cluster_pages(persona, cluster, page):
    name, person = persona
    args = [cluster.pk] if page == "integrity:cluster" else []

    response = client_for(person).get(reverse(page, args=args))

    expected = {"staff": 200, "anonymous": 302}.get(name, 404)
    assert response.status_code == expected


def test_the_moderation_queue_shows_clusters_to_staff_only(other_supporter, cluster):
    response = client_for(other_supporter).get(reverse("social:moderation"))
    assert reverse("integrity:cluster", args=[cluster.pk]) not in response.content.decode()


def test_a_decision_by_anyone_but_staff_changes_nothing(persona, cluster):
    name, person = persona
    before = _state(cluster)

    response = client_for(person).post(
        reverse("integrity:cluster", args=[cluster.pk]), {"decision": "confirm", "note": "ring"}
    )

    if name == "staff":
        assert response.status_code == 302
        status, decided_by, note, members, actions = _state(cluster)
        assert (status, decided_by, note) == (Cluster.Status.CONFIRMED, person.pk, "ring")
        assert members == before[3] and all(members)  # no account was deactivated
        assert actions == before[4]  # no sanction taken automatically
    else:
        assert response.status_code in {302, 404}
        assert _state(cluster) == before


def test_a_decided_cluster_cannot_be_decided_again(staff, cluster):
    client = client_for(staff)
    client.post(reverse("integrity:cluster", args=[cluster.pk]), {"decision": "dismiss"})
    before = _state(cluster)

    response = client.post(reverse("integrity:cluster", args=[cluster.pk]), {"decision": "confirm"})

    assert response.status_code == 400
    assert "already decided" in response.content.decode()
    assert _state(cluster) == before == (Cluster.Status.DISMISSED, staff.pk, "", before[3], before[4])


def test_a_bad_decision_re_renders_with_an_error(staff, cluster):
    response = client_for(staff).post(
        reverse("integrity:cluster", args=[cluster.pk]), {"decision": "ban", "note": "x"}
    )

    assert response.status_code == 400
    assert _state(cluster)[0] == Cluster.Status.PROPOSED


def test_a_dismissed_finding_found_again_stays_dismissed(staff, cluster):
    client_for(staff).post(reverse("integrity:cluster", args=[cluster.pk]), {"decision": "dismiss"})
    members = {pk: {} for pk in cluster.members.values_list("supporter_id", flat=True)}

    evidence = {**cluster.evidence, "items": 9}

    again, created = file_finding(Finding(kind="synchronised", members=members, evidence=evidence))

    cluster.refresh_from_db()
    assert (again.pk, created, cluster.status) == (cluster.pk, False, Cluster.Status.DISMISSED)
    assert cluster.evidence["items"] == 4  # what staff decided on is kept as it was


def test_the_cluster_list_reads_the_same_queries_for_few_or_many_clusters(
    staff, make_supporter, django_assert_max_num_queries
):
    people = [make_supporter(f"Account {number}") for number in range(4)]

    def add_clusters(count: int, start: int) -> None:
        for number in range(start, start + count):
            members = {person.pk: {"items_in_step": number} for person in people[: 3 + number % 2]}
            evidence = {
                "accounts": len(members),
                "items": number,
                "window_seconds": 30,
                "min_items_per_pair": 3,
            }
            cluster, _created = file_finding(Finding(kind="synchronised", members=members, evidence=evidence))
            Cluster.objects.filter(pk=cluster.pk).update(key=f"key-{number}")  # each a finding of its own
        Cluster.objects.filter(pk__in=list(Cluster.objects.values_list("pk", flat=True))[:1]).update(
            status=Cluster.Status.CONFIRMED, decided_by=staff
        )

    client = client_for(staff)
    add_clusters(2, 0)
    client.get(reverse("integrity:clusters"))  # warm the signed-in caches
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("integrity:clusters"))
    add_clusters(10, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("integrity:clusters"))
    assert response.status_code == 200
