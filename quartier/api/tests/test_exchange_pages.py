"""Import and export pages: every persona, the upload → mapping (preview) → progress flow, the problem
report, streamed exports that follow privacy settings."""

from __future__ import annotations

import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.api.exchange import exports
from quartier.api.models import PeopleImport
from quartier.api.tests.people_files import FIXTURES, import_text
from quartier.testing import client_for


def _upload(client, text: str, name: str = "people.csv"):
    return client.post(
        reverse("api:people_imports"),
        {
            "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
            "country": "US",
            "tags": "spring",
        },
    )


def test_only_staff_may_upload_a_people_file(db, persona):
    name, person = persona
    client = client_for(person)
    page = client.get(reverse("api:people_imports"))
    upload = _upload(client, "email,name\na@example.org,A\n")
    if name == "staff":
        assert page.status_code == 200 and upload.status_code == 302
        assert PeopleImport.objects.count() == 1
    else:
        assert page.status_code in (302, 404) and upload.status_code in (302, 404)
        assert PeopleImport.objects.count() == 0


def test_upload_mapping_with_preview_then_progress(staff, django_capture_on_commit_callbacks):
    client = client_for(staff)
    text = (FIXTURES / "action_network_export.csv").read_text()
    job_url = _upload(client, text)["Location"]
    mapping_page = client.get(job_url).content.decode()
    assert "Action Network" in mapping_page
    assert "alex.martin@example.org" in mapping_page  # the preview shows the first rows
    job = PeopleImport.objects.get()
    form = {name: str(index) for name, index in job.mapping.items()} | {"encoding": "utf-8"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(job_url, form).status_code == 302
    progress = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="import-progress"' in progress and "hx-get" not in progress  # finished: polling stops
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 2)
    assert Supporter.objects.filter(email="priya.shah@example.org").exists()


def test_a_running_import_polls_for_its_progress(staff):
    job = PeopleImport.objects.create(
        original_name="x.csv", status=PeopleImport.Status.RUNNING, total_bytes=100, bytes_done=40
    )
    response = client_for(staff).get(
        reverse("api:people_import", args=[job.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html


def test_a_mapping_without_email_or_phone_re_renders_with_a_message(staff):
    client = client_for(staff)
    job_url = _upload(client, "email,name\na@example.org,A\n")["Location"]
    response = client.post(job_url, {"full_name": "1", "encoding": "utf-8"})
    assert response.status_code == 400
    assert PeopleImport.objects.get().status == "uploaded"
    assert 'value="1" selected' in response.content.decode()


def test_a_file_that_is_not_csv_is_refused_with_a_reason(staff):
    response = _upload(client_for(staff), "\x00\x01binary")
    assert response.status_code == 400 and PeopleImport.objects.count() == 0


def test_cancelling_deletes_the_file(staff, settings):
    client = client_for(staff)
    job_url = _upload(client, "email,name\na@example.org,A\n")["Location"]
    job = PeopleImport.objects.get()
    client.post(reverse("api:people_import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "failed" and job.file.name == ""
    assert not any((settings.PRIVATE_STORAGE_ROOT / "api-imports").glob("*"))
    assert client.get(job_url).status_code == 200


def test_the_problem_report_is_for_staff_only(db, persona, staff):
    name, person = persona
    job = import_text("email,name\nbad,Bad\n=HYPERLINK(1),\n", by=staff)
    response = client_for(person).get(reverse("api:people_import_problems", args=[job.pk]))
    if name == "staff":
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0] == ["line", "problem", "loaded"]
        assert [row[0] for row in rows[1:]] == ["2", "3"]
    else:
        assert response.status_code in (302, 404)


def test_only_staff_may_export(db, persona, make_supporter):
    name, person = persona
    make_supporter("Exported Person", email="exported@example.org")
    response = client_for(person).get(reverse("api:exports"), {"what": "people", "file_format": "csv"})
    if name == "staff":
        assert isinstance(response, StreamingHttpResponse)
        assert "exported@example.org" in b"".join(response.streaming_content).decode()
    else:
        assert response.status_code in (302, 404)
        assert not isinstance(response, StreamingHttpResponse)


def test_the_people_export_leaves_deleted_accounts_out_and_says_who_consented(staff, make_supporter):
    from quartier.accounts import actions as account_actions

    gone = make_supporter("Gone", email="gone@example.org")
    account_actions.delete_account(supporter=gone)
    import_text("email,name,tags\nnew@example.org,=cmd(),x\n")
    response = client_for(staff).get(reverse("api:exports"), {"what": "people", "file_format": "csv"})
    rows = {
        row["email"]: row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    }
    assert "gone@example.org" not in rows
    assert f"quartier:{gone.pk}" not in {row["identifier"] for row in rows.values()}  # not even emptied
    assert rows["new@example.org"]["name"] == "'=cmd()"  # a formula is neutralised
    assert rows["new@example.org"]["campaign_news_consent"] == ""
    assert rows[staff.email]["campaign_news_consent"] == "no"


def test_every_export_streams_valid_json(staff, make_supporter):
    make_supporter("Someone")
    client = client_for(staff)
    for what in ("people", "rsvps", "donations"):
        response = client.get(reverse("api:exports"), {"what": what, "file_format": "json"})
        assert response["Content-Type"] == "application/json"
        data = json.loads(b"".join(response.streaming_content))
        assert isinstance(data, list)
        assert all(set(row) == set(exports.EXPORTS[what].columns) for row in data)


def test_the_export_reads_in_chunks_whatever_the_size(db, make_supporter, django_assert_num_queries):
    for number in range(5):
        make_supporter(f"Person {number}")
    # 3 chunks of 2 (and an empty read that ends it), each with phones, tags and consents: 4 + 3 * 3.
    with django_assert_num_queries(13):
        lines = list(exports.stream_csv(exports.EXPORTS["people"], chunk_rows=2))
    assert len(lines) == 6


def test_an_unknown_export_re_renders_the_form(staff):
    response = client_for(staff).get(reverse("api:exports"), {"what": "passwords", "file_format": "csv"})
    assert response.status_code == 400 and "text/html" in response["Content-Type"]


def test_rsvps_and_donations_are_exported_with_their_people(staff, supporter, make_supporter):
    from quartier.donations.models import Donation
    from quartier.organizing.actions import rsvps
    from quartier.tests.personal_data.common import People

    event = People(organiser=staff, staff=staff).make_event(staff, title="Door knock")
    rsvps.rsvp(supporter=supporter, shift=event.shifts.get())
    Donation.objects.create(
        supporter=supporter, identity_key="k", first_name="Marie", last_name="Tremblay", email=supporter.email,
        amount_minor=2500, currency="CAD", gateway="sandbox", status="succeeded",
    )  # fmt: skip
    client = client_for(staff)

    def export(what: str) -> list[dict]:
        response = client.get(reverse("api:exports"), {"what": what, "file_format": "csv"})
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    (rsvp_row,) = export("rsvps")
    assert rsvp_row["email"] == supporter.email and rsvp_row["event_title"] == "Door knock"
    assert rsvp_row["status"] == "confirmed"
    (donation_row,) = export("donations")
    assert (donation_row["amount_minor"], donation_row["person_identifier"]) == (
        "2500",
        f"quartier:{supporter.pk}",
    )


def test_formulas_are_neutralised_but_phone_numbers_and_amounts_are_not():
    assert exports.safe_cell("=1+2") == "'=1+2"
    assert exports.safe_cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert exports.safe_cell("-2+3") == "'-2+3"
    assert exports.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert exports.safe_cell("+15148720311") == "+15148720311"
    assert exports.safe_cell("-2500") == "-2500"
