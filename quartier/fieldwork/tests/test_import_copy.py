"""Issue 22: the contact import loads with COPY and merges in SQL on PostgreSQL, with `bulk_create`
elsewhere; both give the same contacts from the same files (duplicates inside a file, across its
batches and against contacts already known), with line-numbered problems kept."""

from __future__ import annotations

import pytest
from django.db import connection

from quartier.fieldwork import importing
from quartier.fieldwork.models import Contact, ImportJob, ImportProblem
from quartier.fieldwork.tests.test_import import map_and_run, upload
from quartier.testing import client_for

FIRST = (
    "voter id,first name,last name,address,postal code,phone,email,tags,do not call\n"
    "A1,Anne,Roy,1 rue Rachel,H2T 1S6,514 555 0101,,climate,\n"
    "A2,Bob,Tremblay,3 rue Rachel,H2T 1S6,,,transit,oui\n"
    "A3,Chloé,Gagnon,5 rue Rachel,H2T 1S6,,{email},,\n"
)
SECOND = (
    "voter id,first name,last name,address,postal code,phone,email,tags,do not call\n"
    "A1,,Roy-Martin,,H2T 1S6,,,housing,\n"  # known: empty cells keep the old values, tags add up
    "A2,Bob,Tremblay,3 rue Rachel,H2T 1S6,514 555 0102,,,non\n"  # do-not-call once set stays set
    "A4,Dora,Lévesque,7 rue Rachel,H2T 1S6,,,student,\n"
    "A4,Dora,Lévesque,9 rue Rachel,H2T 1S6,12,,senior,\n"  # listed twice in the file: merged, bad phone
    ",,,,,,,,\n"
    "A5,,,,,,,,\n"  # no name: a problem on its line
    "A4,Dorothée,,,H2T 1S6,,,student,oui\n"  # a third time, in another batch
)
EXPECTED = {
    "A1": ("Anne", "Roy-Martin", "1 rue Rachel", "+15145550101", ",climate,housing,", False, False),
    "A2": ("Bob", "Tremblay", "3 rue Rachel", "+15145550102", ",transit,", True, False),
    "A3": ("Chloé", "Gagnon", "5 rue Rachel", "", "", False, True),
    "A4": ("Dorothée", "Lévesque", "9 rue Rachel", "", ",senior,student,", True, False),
}


def contacts() -> dict[str, tuple]:
    return {
        c.external_id: (c.first_name, c.last_name, c.address, c.phone, c.tags, c.do_not_call, c.supporter_id is not None)
        for c in Contact.objects.order_by("external_id")
    }  # fmt: skip


def run_both_files(client, supporter, group) -> list[ImportJob]:
    jobs = []
    for body in (FIRST.format(email=supporter.email), SECOND):
        upload(client, body.encode("utf-8"), scope_group=group.pk)
        job = ImportJob.objects.latest("pk")
        map_and_run(client, job)
        job.refresh_from_db()
        jobs.append(job)
    return jobs


@pytest.mark.django_db
def test_the_same_files_give_the_same_contacts_on_every_database(staff, supporter, group, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ROWS", 3)  # the file's duplicates fall in two batches
    client = client_for(staff)

    first, second = run_both_files(client, supporter, group)

    assert contacts() == EXPECTED
    assert set(Contact.objects.values_list("scope_group", flat=True)) == {group.pk}
    assert (first.created_count, first.merged_count, first.linked_count) == (3, 0, 1)
    assert (second.status, second.rows_done, second.created_count, second.merged_count) == ("done", 6, 1, 4)
    problems = list(ImportProblem.objects.filter(job=second).values_list("line", "loaded"))
    assert problems == [(5, True), (7, False)]  # the bad phone (loaded without it), the row with no name


@pytest.mark.django_db
def test_the_copy_and_the_orm_writers_agree(staff, supporter, group, monkeypatch):
    """On PostgreSQL both writers run on the same files; elsewhere only the ORM one exists."""
    if connection.vendor != "postgresql":
        assert importing._write_batch is not importing.write_batch_with_orm  # the dispatcher
        return
    monkeypatch.setattr(importing, "BATCH_ROWS", 3)
    client = client_for(staff)
    with monkeypatch.context() as patched:
        patched.setattr(importing, "_write_batch", importing.write_batch_with_orm)
        orm_jobs = run_both_files(client, supporter, group)
    by_orm = contacts()
    Contact.objects.all().delete()

    copy_jobs = run_both_files(client, supporter, group)

    assert contacts() == by_orm == EXPECTED
    counts = [
        (j.rows_done, j.created_count, j.merged_count, j.linked_count, j.problem_count) for j in orm_jobs
    ]
    assert counts == [
        (j.rows_done, j.created_count, j.merged_count, j.linked_count, j.problem_count) for j in copy_jobs
    ]
