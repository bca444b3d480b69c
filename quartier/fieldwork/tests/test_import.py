"""Contact files: upload, mapping with a preview, the streamed import, merge rule, problems by line."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quartier.fieldwork import importing
from quartier.fieldwork.models import Contact, ImportJob, ImportProblem
from quartier.testing import client_for

FILE = (
    "Voter ID;Prénom;Nom;Adresse;Code postal;Téléphone;Courriel;Tags;DNC\n"
    "V1;Élodie;Bédard;12 rue Rachel;H2T 1S6;514 555 0101;;climat;non\n"
    "V2;Marc;Roy;14 rue Rachel;H2T 1S6;not a phone;;;oui\n"
    ";;;;;;;;\n"
    "V3;;;16 rue Rachel;H2T 1S6;;;;\n"
    "V1;Élodie;Bédard-Roy;12 rue Rachel;H2T 1S6;;;transport;\n"
)


def upload(client, content: bytes, name: str = "contacts.csv", **fields):
    return client.post(
        reverse("fieldwork:imports"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "country": "CA", **fields},
    )


def map_and_run(client, job: ImportJob, **overrides) -> None:
    from django.test import TestCase

    form = {name: str(index) for name, index in job.mapping.items()} | {"encoding": job.encoding} | overrides
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task runs eagerly after commit
        response = client.post(reverse("fieldwork:import", args=[job.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_an_organiser_maps_the_columns_from_a_preview_and_the_file_loads(staff, supporter):
    client = client_for(staff)
    Contact.objects.all().delete()
    body = FILE.replace(";;;;;;;;\n", f"V9;Marie;Tremblay;1 rue Rachel;H2T 1S6;;{supporter.email};;\n")

    response = upload(client, body.encode("utf-8"))
    job = ImportJob.objects.get()
    page = client.get(reverse("fieldwork:import", args=[job.pk]))

    assert response.status_code == 302
    assert job.delimiter == ";" and job.encoding == "utf-8"
    assert job.mapping["first_name"] == 1 and job.mapping["postal_code"] == 4 and job.mapping["phone"] == 5
    assert "Élodie" in page.content.decode() and "Prénom" in page.content.decode()
    map_and_run(client, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.percent == 100
    assert (job.rows_done, job.created_count, job.merged_count, job.linked_count) == (5, 3, 1, 1)
    elodie = Contact.objects.get(external_id="V1")
    assert elodie.last_name == "Bédard-Roy"  # the later row's value replaces the older one
    assert elodie.tag_list == ["climat", "transport"]  # tags add up
    assert elodie.phone == "+15145550101"  # kept: an empty cell never erases
    assert elodie.time_zone == "America/Toronto" and elodie.latitude is not None
    marc = Contact.objects.get(external_id="V2")
    assert marc.do_not_call is True and marc.phone == ""
    assert Contact.objects.get(external_id="V9").supporter == supporter
    problems = list(ImportProblem.objects.filter(job=job).values_list("line", "loaded"))
    assert problems == [(3, True), (5, False)]


@pytest.mark.django_db
def test_a_latin_1_file_is_read_as_latin_1(staff):
    client = client_for(staff)
    body = "first name,last name,address,postal code\nJosée,Lévesque,3 rue Fabre,H2J 3V5\n".encode("latin-1")

    upload(client, body)
    job = ImportJob.objects.get()
    map_and_run(client, job)

    assert job.encoding == "latin-1"
    assert Contact.objects.get(last_name="Lévesque").first_name == "Josée"


@pytest.mark.django_db
def test_importing_the_same_file_twice_merges_everyone(staff):
    client = client_for(staff)
    for _round in range(2):
        upload(client, FILE.encode())
        map_and_run(client, ImportJob.objects.order_by("-pk").first())

    assert Contact.objects.count() == 2
    assert ImportJob.objects.order_by("-pk").first().created_count == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"   \n\n", "This file is empty."),
        (b"PK\x03\x04\x14\x00\x00\x00binary", "This is not a CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file"),
        (b"just one column\nvalue\n", "single column"),
    ],
)
@pytest.mark.django_db
def test_files_that_cannot_be_imported_are_refused_with_a_reason(staff, content, message):
    response = upload(client_for(staff), content)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_before_it_is_stored(staff, settings):
    settings.FIELDWORK_IMPORT_MAX_BYTES = 1000
    body = b"first name,address\n" + b"Anne,1 rue Rachel\n" * 200_000  # 3.6 MB

    response = upload(client_for(staff), body)

    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_a_mapping_without_a_name_re_renders_with_the_choices_kept(staff):
    client = client_for(staff)
    upload(client, FILE.encode())
    job = ImportJob.objects.get()

    response = client.post(reverse("fieldwork:import", args=[job.pk]), {"address": "3", "encoding": "utf-8"})

    assert response.status_code == 400
    assert "Choose the column that holds the name" in response.content.decode()
    assert ImportJob.objects.get().status == ImportJob.Status.UPLOADED
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_a_malformed_line_is_reported_with_its_number_and_the_rest_loads(staff):
    client = client_for(staff)
    body = 'first name,last name,address\nAnne,A,"1 rue Rachel\nBob,B,2 rue Rachel\n'
    upload(client, b"first name,last name,address\nAnne,A,1 rue Rachel\nBob,B,2 rue Rachel\n")
    job = ImportJob.objects.get()
    job.file.save("bad.csv", io.BytesIO(body.encode() + b"x" * 10 + b'"' * 1), save=True)
    map_and_run(client, job)
    job.refresh_from_db()

    assert job.status == ImportJob.Status.DONE
    assert Contact.objects.count() <= 2


def test_the_merge_rule_prefers_the_file_id_then_the_household_then_the_phone():
    from quartier.lib.contacts import dedupe_key

    base = {
        "first_name": "Anne",
        "last_name": "Roy",
        "address": "",
        "postal_code": "",
        "phone": "",
        "email": "",
    }
    assert dedupe_key(external_id="V1", **base) == "id:V1"
    assert dedupe_key(external_id="", **(base | {"address": "12 Rue Rachel", "postal_code": "h2t1s6"})) == (
        "home:anne roy|12 rue rachel|h2t1s6"
    )
    assert dedupe_key(external_id="", **(base | {"phone": "+15145550101"})) == "phone:anne roy|+15145550101"
    assert dedupe_key(external_id="", **base) is None


@pytest.mark.django_db
def test_a_row_cell_cannot_exhaust_memory(staff):
    client = client_for(staff)
    upload(client, b"first name,last name,address\nAnne,A,1 rue Rachel\n")
    job = ImportJob.objects.get()
    job.file.save(
        "huge.csv", io.BytesIO(b"first name,last name,address\nAnne,A," + b"x" * 200_000 + b"\nBob,B,2 rue\n")
    )
    job.save()
    map_and_run(client, job)
    job.refresh_from_db()

    assert job.status == ImportJob.Status.DONE
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Bob"]
    assert ImportProblem.objects.filter(job=job).first().line == 2


def test_running_an_import_again_does_nothing_once_it_started(db):
    job = ImportJob.objects.create(original_name="x.csv", status=ImportJob.Status.DONE, file="none.csv")

    importing.run_import(job.pk)

    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE


@pytest.mark.django_db
def test_an_import_never_clears_do_not_call_or_do_not_knock(staff):
    client = client_for(staff)
    upload(client, b"id,name,address,dnc,dnk\nV7,Anne Roy,1 rue Rachel,yes,yes\n")
    map_and_run(client, ImportJob.objects.get())
    upload(client, b"id,name,address,dnc,dnk\nV7,Anne Roy,1 rue Rachel,no,no\n")
    map_and_run(client, ImportJob.objects.order_by("-pk").first())

    contact = Contact.objects.get(external_id="V7")
    assert (contact.do_not_call, contact.do_not_knock, contact.first_name) == (True, True, "Anne")
