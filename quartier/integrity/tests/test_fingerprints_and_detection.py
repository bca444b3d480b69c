"""Signup fingerprints (salted hashes only, purged after the retention period) and the periodic detectors
on real rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.integrity import fingerprints
from quartier.integrity.actions.detection import run_detectors
from quartier.integrity.actions.fingerprints import purge_expired, record_signup
from quartier.integrity.models import Cluster, ContentSignature, SignupFingerprint
from quartier.integrity.tests.test_detectors import ORGANIC, PARAPHRASES
from quartier.social.actions import posts as post_actions
from quartier.social.models import Post

SIGNUP = {
    "display_name": "Nadia Côté", "country": "CA", "postal_code": "h2x1y4",
    "password1": "a long enough passphrase", "password2": "a long enough passphrase",
}  # fmt: skip
AGENT = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)


@pytest.mark.django_db
def test_a_signup_leaves_only_salted_hashes_of_its_network_browser_and_email_shape(client):
    client.post(
        reverse("account_signup"), {**SIGNUP, "email": "nadia.cote77@example.org"},
        REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=AGENT,
    )  # fmt: skip

    row = SignupFingerprint.objects.get(supporter__email="nadia.cote77@example.org")
    stored = " ".join([row.network_hash, row.agent_hash, row.email_pattern_hash])
    for raw in ("203.0.113", "Chrome", "android", "nadia", "a.a9@example.org"):
        assert raw not in stored
    assert row.network_hash == fingerprints.salted_hash("203.0.113.0/24")
    assert row.agent_hash == fingerprints.salted_hash("chrome/android")
    assert row.email_pattern_hash == fingerprints.salted_hash("a.a9@example.org")


def test_the_hash_depends_on_the_salt(settings):
    settings.INTEGRITY_FINGERPRINT_SALT = "one salt of at least sixteen characters"
    first = fingerprints.salted_hash("203.0.113.0/24")
    settings.INTEGRITY_FINGERPRINT_SALT = "another salt of sixteen characters"
    assert fingerprints.salted_hash("203.0.113.0/24") != first


def test_networks_are_cut_to_a_24_or_a_48():
    assert fingerprints.network_of("198.51.100.77") == "198.51.100.0/24"
    assert fingerprints.network_of("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert fingerprints.network_of("not an address") == ""


def test_fingerprints_older_than_the_retention_period_are_purged(supporter, settings):
    settings.INTEGRITY_FINGERPRINT_RETENTION_DAYS = 30
    old = record_signup(supporter, "203.0.113.7", AGENT)
    recent = record_signup(supporter, "203.0.113.8", AGENT)
    SignupFingerprint.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert purge_expired() == 1
    assert list(SignupFingerprint.objects.values_list("pk", flat=True)) == [recent.pk]


def test_production_refuses_a_missing_fingerprint_salt(settings):
    settings.QUARTIER_ENV = "production"
    settings.INTEGRITY_FINGERPRINT_SALT = ""
    errors = [message.id for message in checks.run_checks(include_deployment_checks=True)]
    assert "quartier.E240" in errors
    settings.INTEGRITY_FINGERPRINT_SALT = "a long random salt for production"
    errors = [message.id for message in checks.run_checks(include_deployment_checks=True)]
    assert "quartier.E240" not in errors


def _post(author: Supporter, body: str) -> Post:
    draft = post_actions.PostDraft(title="", body=body, visibility=Post.Visibility.PUBLIC)
    return post_actions.create_post(author=author, draft=draft, publish=True)


def test_the_periodic_job_proposes_copied_posts_and_signups_in_a_burst_and_leaves_organic_ones(
    make_supporter,
):
    puppets = [make_supporter(f"Puppet {number}") for number in range(4)]
    people = [
        make_supporter(f"Person {number}", email=f"first.last{number}@example.net") for number in range(5)
    ]
    for puppet, text in zip(puppets, PARAPHRASES, strict=True):
        _post(puppet, text)
    for person, text in zip(people, ORGANIC, strict=True):
        _post(person, text)
    for puppet in puppets[:3]:
        record_signup(puppet, "198.51.100.20", AGENT)
    record_signup(people[0], "198.51.100.21", AGENT)  # same network and browser, another email shape

    created = run_detectors()

    assert created == {"near_duplicate": 1, "shared_fingerprint": 1}
    copies = Cluster.objects.get(kind=Cluster.Kind.NEAR_DUPLICATE)
    assert set(copies.members.values_list("supporter_id", flat=True)) == {puppet.pk for puppet in puppets}
    burst = Cluster.objects.get(kind=Cluster.Kind.SHARED_FINGERPRINT)
    assert set(burst.members.values_list("supporter_id", flat=True)) == {puppet.pk for puppet in puppets[:3]}
    assert all(cluster.explanation for cluster in Cluster.objects.all())
    assert ContentSignature.objects.count() == len(PARAPHRASES) + len(ORGANIC)


def test_running_the_detectors_again_indexes_nothing_twice_and_files_nothing_new(make_supporter):
    puppets = [make_supporter(f"Puppet {number}") for number in range(3)]
    for puppet, text in zip(puppets, PARAPHRASES, strict=False):
        _post(puppet, text)
    run_detectors()

    assert run_detectors() == {"near_duplicate": 0}
    assert ContentSignature.objects.count() == 3
    assert Cluster.objects.count() == 1
