"""The periodic job's near-duplicate step on real rows: texts checked as they arrive against the index
the worker holds, links stored, the week's links grouped; the held index rebuilt when it must be."""

from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quartier.integrity.actions import near_duplicates as job
from quartier.integrity.actions.detection import run_detectors
from quartier.integrity.detection import minhash, near_duplicates
from quartier.integrity.models import (
    Cluster,
    ContentSignature,
    NearDuplicateLink,
    NearDuplicateProgress,
)
from quartier.integrity.tests.test_detectors import ORGANIC, PARAPHRASES
from quartier.social.actions import posts as post_actions
from quartier.social.models import Post


def _post(author, body: str) -> Post:
    draft = post_actions.PostDraft(title="", body=body, visibility=Post.Visibility.PUBLIC)
    return post_actions.create_post(author=author, draft=draft, publish=True)


def _linked_posts() -> set[frozenset[int]]:
    """Each stored link as the pair of post ids it joins."""
    return {
        frozenset((earlier, later))
        for earlier, later in NearDuplicateLink.objects.values_list("earlier__object_id", "later__object_id")
    }


@pytest.fixture
def puppets(make_supporter):
    return [make_supporter(f"Puppet {number}") for number in range(len(PARAPHRASES))]


@pytest.mark.parametrize("new_worker", [False, True], ids=["same worker", "another worker"])
def test_a_copy_written_after_a_run_is_linked_to_the_copies_before_it(puppets, make_supporter, new_worker):
    first = [_post(puppet, text) for puppet, text in zip(puppets[:2], PARAPHRASES, strict=False)]
    organic = [_post(make_supporter(f"Person {n}"), text) for n, text in enumerate(ORGANIC)]
    assert job.check_new_texts() == len(first) + len(organic)
    assert _linked_posts() == {frozenset(post.pk for post in first)}
    if new_worker:
        job.forget_held_index()  # the next run lands in a process holding nothing: rebuilt from the rows

    later = [_post(puppet, text) for puppet, text in zip(puppets[2:], PARAPHRASES[2:], strict=True)]
    assert job.check_new_texts() == len(later)

    copies = [post.pk for post in first + later]
    linked = _linked_posts()
    assert {pk for pair in linked for pk in pair} == set(copies)  # every copy, no organic post
    assert all(len(pair) == 2 for pair in linked)
    assert NearDuplicateProgress.objects.get().checked_through == ContentSignature.objects.latest("pk").pk
    findings = job.near_duplicate_findings()
    assert [set(finding.members) for finding in findings] == [{puppet.pk for puppet in puppets}]


def test_the_job_finds_what_the_in_memory_steps_find(puppets, make_supporter):
    authors = puppets + [make_supporter(f"Person {n}") for n in range(len(ORGANIC))]
    texts = PARAPHRASES + ORGANIC
    for author, text in zip(authors, texts, strict=True):
        _post(author, text)
        job.check_new_texts()  # one run per post: batches of one

    signatures, _ok = minhash.signatures(texts)
    expected = near_duplicates.find(
        [f"post:{n}" for n in range(len(texts))], np.array([a.pk for a in authors]), signatures
    )
    found = job.near_duplicate_findings()
    assert [set(f.members) for f in found] == [set(f.members) for f in expected]
    for key in ("texts", "accounts", "linked_pairs", "median_shared_bands", "median_similarity"):
        assert found[0].evidence[key] == expected[0].evidence[key]


def test_a_run_with_nothing_new_checks_nothing_and_costs_a_few_queries(puppets):
    for puppet, text in zip(puppets, PARAPHRASES, strict=True):
        _post(puppet, text)
    job.check_new_texts()
    links = NearDuplicateLink.objects.count()

    with CaptureQueriesContext(connection) as queries:
        assert job.check_new_texts() == 0
    assert NearDuplicateLink.objects.count() == links
    assert len(queries) <= 12, [query["sql"] for query in queries]


def test_a_held_index_from_another_database_is_not_trusted(puppets):
    first = _post(puppets[0], PARAPHRASES[0])
    job.check_new_texts()
    assert len(job._held.index) == 1
    # Another database under the same worker (restored from a backup, say): the progress row is
    # another one and the first text is not there. The index must be read again, not trusted.
    mark = NearDuplicateProgress.objects.get().checked_through
    NearDuplicateProgress.objects.all().delete()
    NearDuplicateProgress.objects.create(pk=1, checked_through=mark)  # the same mark, another token
    ContentSignature.objects.all().delete()
    first.delete()
    _post(puppets[1], PARAPHRASES[1])

    assert job.check_new_texts() == 1

    assert len(job._held.index) == 1  # the old text is not held any more
    assert NearDuplicateLink.objects.count() == 0


def test_a_copy_of_an_erased_persons_text_links_to_nothing_of_theirs(puppets):
    _post(puppets[0], PARAPHRASES[0])
    job.check_new_texts()
    puppets[0].delete()  # cascades to their post's signature, which this worker still holds

    _post(puppets[1], PARAPHRASES[1])
    _post(puppets[2], PARAPHRASES[2])
    job.check_new_texts()

    assert NearDuplicateLink.objects.count() == 1
    assert not ContentSignature.objects.filter(author_id=puppets[0].pk).exists()


def test_texts_older_than_the_window_leave_the_findings_and_their_signatures_go(puppets):
    posts = [_post(puppet, text) for puppet, text in zip(puppets, PARAPHRASES, strict=True)]
    job.check_new_texts()
    assert len(job.near_duplicate_findings()) == 1

    long_ago = timezone.now() - job.TEXT_WINDOW - timedelta(days=2)
    ContentSignature.objects.filter(object_id__in=[posts[0].pk, posts[1].pk]).update(created_at=long_ago)
    assert job.near_duplicate_findings() == []  # two accounts left in the window: under the minimum

    job.check_new_texts()
    assert not ContentSignature.objects.filter(object_id__in=[posts[0].pk, posts[1].pk]).exists()
    assert not NearDuplicateLink.objects.filter(earlier__object_id=posts[0].pk).exists()


def test_running_the_whole_job_twice_files_the_copies_once(puppets):
    for puppet, text in zip(puppets, PARAPHRASES, strict=True):
        _post(puppet, text)
    assert run_detectors() == {"near_duplicate": 1}
    links = set(NearDuplicateLink.objects.values_list("earlier_id", "later_id"))

    job.forget_held_index()
    assert run_detectors() == {"near_duplicate": 0}
    assert set(NearDuplicateLink.objects.values_list("earlier_id", "later_id")) == links
    assert Cluster.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_while_another_holds_the_lock_checks_nothing_and_the_next_checks_all(puppets):
    for puppet, text in zip(puppets, PARAPHRASES, strict=True):
        _post(puppet, text)
    NearDuplicateProgress.objects.get_or_create(pk=1)
    if connection.vendor != "postgresql":  # one writer at a time: no row lock to skip, runs queue up
        assert job.check_new_texts() == len(PARAPHRASES)
        assert job.check_new_texts() == 0 and NearDuplicateLink.objects.exists()
        return
    locked, release = threading.Event(), threading.Event()

    def other_run() -> None:
        with transaction.atomic():
            NearDuplicateProgress.objects.select_for_update().get(pk=1)
            locked.set()
            release.wait(30)
        connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert locked.wait(30)
        assert job.check_new_texts() == 0  # skipped, not waiting
        assert not ContentSignature.objects.exists() and not NearDuplicateLink.objects.exists()
    finally:
        release.set()
        thread.join()

    assert job.check_new_texts() == len(PARAPHRASES)
    assert NearDuplicateLink.objects.exists()
