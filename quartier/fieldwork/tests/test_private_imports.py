"""Contact files are private and short-lived (issue 17, point 2), and hostile files or bodies get a
clear answer, never a 500 (point 13): a 1,000,000-column CSV, a 5,000-deep JSON sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, TestCase
from django.urls import reverse

from quartier.accounts.privacy import erase_personal_data
from quartier.fieldwork import import_files
from quartier.fieldwork.models import Contact, ImportJob, Result
from quartier.fieldwork.tests.test_import import map_and_run, upload
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
BODY = b"first name,last name,address,postal code\nJos\xc3\xa9e,Levesque,3 rue Fabre,H2J 3V5\n"


def stored_files() -> list[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_STORAGE_ROOT)]
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def test_an_upload_is_stored_outside_media_root_and_no_url_serves_it(staff, outsider, leader):
    response = upload(client_for(staff), BODY)
    job = ImportJob.objects.get()
    on_disk = Path(job.file.path)

    assert response.status_code == 302
    assert on_disk.read_bytes() == BODY
    assert Path(settings.PRIVATE_STORAGE_ROOT).resolve() in on_disk.resolve().parents
    assert Path(settings.MEDIA_ROOT).resolve() not in on_disk.resolve().parents
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018 (private storage has no URL)
    for client in (Client(), client_for(outsider), client_for(leader), client_for(staff)):
        for url in (f"/media/{job.file.name}", "/media/fieldwork-imports/contacts.csv"):
            assert client.get(url).status_code == 404


def test_the_file_is_deleted_when_the_import_ends(staff):
    client = client_for(staff)
    upload(client, BODY)
    job = ImportJob.objects.get()
    path = Path(job.file.path)

    map_and_run(client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Contact.objects.filter(last_name="Levesque").exists()
    assert not path.exists() and not job.file and stored_files() == []


def test_the_file_is_deleted_when_the_import_fails(staff, monkeypatch):
    client = client_for(staff)
    upload(client, BODY)
    job = ImportJob.objects.get()
    path = Path(job.file.path)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("quartier.fieldwork.importing._write_batch", broken)
    map_and_run(client, job)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "RuntimeError" in job.message
    assert not path.exists() and not job.file and stored_files() == []


def test_a_file_nobody_maps_is_deleted_after_two_days(staff):
    upload(client_for(staff), BODY)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - import_files.ABANDONED_AFTER)

    assert import_files.discard_abandoned() == 1

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and stored_files() == []


def test_erasing_the_uploaders_account_deletes_their_files(staff):
    upload(client_for(staff), BODY)
    job = ImportJob.objects.get()

    erase_personal_data(staff)

    job.refresh_from_db()
    assert job.uploaded_by is None and job.status == ImportJob.Status.FAILED and stored_files() == []


# --- hostile input: a clear answer, never a 500 --------------------------------------------------


def test_a_million_column_csv_is_refused_at_upload_with_a_reason(staff):
    header = b",".join(b"c%d" % n for n in range(1_000_000))

    response = upload(client_for(staff), header + b"\n" + b"1," * 10 + b"\n")

    assert response.status_code == 400
    assert "column names" in response.content.decode()
    assert not ImportJob.objects.exists() and stored_files() == []


def test_a_header_over_the_column_cap_is_refused(staff):
    header = b",".join(b"c%d" % n for n in range(300))

    response = upload(client_for(staff), header + b"\nAnne,1 rue\n")

    assert response.status_code == 400
    assert "more than 200 columns" in response.content.decode()


def test_a_job_stored_with_a_huge_header_before_the_cap_answers_without_drawing_it(staff):
    client = client_for(staff)
    upload(client, BODY)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(header=[f"c{n}" for n in range(50_000)])

    response = client.get(reverse("fieldwork:import", args=[job.pk]))

    assert response.status_code == 200
    assert "more than 200 columns" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and stored_files() == []


def test_a_deeply_nested_sync_body_gets_400_with_a_reason(walk_list, volunteer, outsider):
    deep = b"[" * 5000 + b"]" * 5000
    for body in (deep, b'{"token": "x", "results": ' + deep + b"}"):
        for who in (volunteer, outsider):
            with TestCase.captureOnCommitCallbacks(execute=True):
                response = client_for(who).post(
                    reverse("fieldwork:sync", args=[walk_list.pk]), body, content_type="application/json"
                )
            assert response.status_code == 400, response.content[:200]
            assert json.loads(response.content)["reason"]
    assert not Result.objects.exists()
