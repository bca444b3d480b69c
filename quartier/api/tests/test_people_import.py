"""People imports: layouts recognised, dedup by email then phone (inside a batch, across batches, against
people known, against a signup meanwhile), tags, consent never ticked, problems reported, two imports at
once never duplicate; on PostgreSQL the COPY writer and the ORM one agree."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartier.accounts.models import Activity, Consent, ConsentRecord, Profile, Supporter
from quartier.api.exchange import layouts, people_import
from quartier.api.models import PeopleImport, PersonDetails, SupporterPhone, Tagging
from quartier.api.tests.people_files import FIXTURES, import_text
from quartier.testing import run_together


@pytest.mark.parametrize(
    ("fixture", "layout", "email", "phone_column"),
    [
        ("van_export.csv", "van", "Email", "Phone"),
        ("actionkit_export.csv", "actionkit", "email", "phone"),
        ("action_network_export.csv", "action_network", "email", "can2_phone"),
        ("mobilize_export.csv", "mobilize", "email_address", "phone_number"),
    ],
)
def test_each_tools_export_is_recognised_from_its_header(fixture, layout, email, phone_column):
    header = (FIXTURES / fixture).read_text().splitlines()[0].split(",")
    found, mapping = layouts.guess_mapping(header)
    assert found == layout
    assert header[mapping["email"]] == email
    assert header[mapping["phone"]] == phone_column
    assert {"first_name", "last_name", "postal_code"} <= set(mapping)


def test_a_file_of_no_known_layout_is_mapped_from_usual_names():
    found, mapping = layouts.guess_mapping(["Courriel", "Prénom", "Nom", "Code postal", "Téléphone"])
    assert found == ""
    assert mapping == {"email": 0, "first_name": 1, "last_name": 2, "postal_code": 3, "phone": 4}


def test_consent_columns_are_never_mapped():
    for fixture in FIXTURES.glob("*.csv"):
        header = fixture.read_text().splitlines()[0].split(",")
        _layout, mapping = layouts.guess_mapping(header)
        mapped = {header[index] for index in mapping.values()}
        assert not {name for name in mapped if "subscription" in name or "opt_in" in name or "sms" in name}


@pytest.mark.parametrize(
    "fixture", ["van_export.csv", "actionkit_export.csv", "action_network_export.csv", "mobilize_export.csv"]
)
def test_each_layout_loads_its_people(db, fixture):
    text = (FIXTURES / fixture).read_text()
    job = import_text(text, country="US")
    assert (job.status, job.created_count, job.problem_count) == ("done", 2, 0)
    emails = set(re.findall(r"[\w.]+@example\.org", text))
    assert set(Supporter.objects.filter(email__in=emails).values_list("email", flat=True)) == emails
    assert SupporterPhone.objects.count() == 1  # each fixture has one valid number in its mapped column


def test_imported_people_get_name_phone_postal_code_and_tags(db):
    job = import_text(
        "email,first_name,last_name,phone,postal_code,tags\n"
        "Anne.Roy@Example.org,Anne,Roy,514 872 0311,H2X 1Y4,canvass;donor\n",
        tags=["spring-2026"],
    )
    assert (job.created_count, job.merged_count) == (1, 0)
    anne = Supporter.objects.get(email="anne.roy@example.org")
    assert anne.display_name == "Anne Roy" and anne.postal_code == "H2X 1Y4" and anne.town
    assert not anne.has_usable_password() and anne.email_verified_at is None
    assert list(SupporterPhone.objects.filter(supporter=anne).values_list("number", flat=True)) == [
        "+15148720311"
    ]
    assert sorted(Tagging.objects.filter(supporter=anne).values_list("tag__name", flat=True)) == [
        "canvass", "donor", "spring-2026",
    ]  # fmt: skip


def test_a_known_email_is_merged_whatever_its_case_and_keeps_what_the_person_said(make_supporter):
    known = make_supporter("Marie Tremblay", email="marie@example.org", postal_code="H2X 1Y4")
    job = import_text("email,name,postal_code\nMARIE@example.org,Someone Else,H3A 1A1\n", tags=["imported"])
    assert (job.created_count, job.merged_count) == (0, 1)
    assert Supporter.objects.filter(email__iexact="marie@example.org").count() == 1
    known.refresh_from_db()
    assert known.display_name == "Marie Tremblay" and known.postal_code == "H2X 1Y4"
    assert Tagging.objects.filter(supporter=known, tag__name="imported").exists()


def test_a_person_known_by_phone_only_is_merged_not_duplicated(make_supporter):
    known = make_supporter("Marie Tremblay", email="marie@example.org")
    SupporterPhone.objects.create(supporter=known, number="+15148720311")
    job = import_text("email,name,phone\n,Marie T,514-872-0311\nother@example.org,Marie,+1 514 872 0311\n")
    assert (job.created_count, job.merged_count) == (0, 2)
    assert not Supporter.objects.filter(email="other@example.org").exists()
    assert job.problems.filter(loaded=True).count() == 1  # the other address was not kept, and it says so


def test_a_phone_shared_by_two_people_merges_nobody(make_supporter):
    for email in ("a@example.org", "b@example.org"):
        SupporterPhone.objects.create(supporter=make_supporter(email=email), number="+15148720311")
    job = import_text("email,name,phone\nc@example.org,C,514-872-0311\n")
    assert (job.created_count, job.merged_count) == (1, 0)


def test_a_file_repeating_a_person_makes_one_account(db):
    job = import_text("email,name\nsam@example.org,Sam\nSAM@example.org,Sam W\nsam@example.org,\n")
    assert Supporter.objects.filter(email__iexact="sam@example.org").count() == 1
    assert (job.created_count, job.merged_count, job.rows_done) == (1, 2, 3)


def test_bad_lines_are_reported_with_their_line_number_and_the_rest_loads(db):
    job = import_text(
        "email,name,phone,postal_code\n"
        "good@example.org,Good,,H2X 1Y4\n"
        "not-an-email,Bad,,\n"
        "phoneonly@example.org,Phone,12,\n"
        "zip@example.org,Zip,,ZZZ\n"
        ",Nobody,514-872-0311,\n"
    )
    assert job.status == "done"
    problems = {(p.line, p.loaded) for p in job.problems.all()}
    assert problems == {(3, False), (4, True), (5, True), (6, False)}
    assert job.created_count == 3
    assert all("@" not in p.reason for p in job.problems.all())  # the report never copies the file


def test_an_import_never_records_a_consent(make_supporter):
    known = make_supporter(email="known@example.org")
    before = list(ConsentRecord.objects.values_list("pk", flat=True))
    import_text((FIXTURES / "action_network_export.csv").read_text(), country="US")
    import_text(
        "email,name,can2_subscription_status\nknown@example.org,K,subscribed\nnew@example.org,N,subscribed\n"
    )
    assert list(ConsentRecord.objects.values_list("pk", flat=True)) == before
    assert not Consent.objects.filter(
        supporter__email__in=["new@example.org", "alex.martin@example.org"]
    ).exists()
    assert not Consent.objects.filter(supporter=known, granted=True).exists()


def test_the_file_is_deleted_when_the_job_ends(db, settings):
    job = import_text("email,name\na@example.org,A\n")
    assert job.file.name == ""
    assert not any((settings.PRIVATE_STORAGE_ROOT / "api-imports").glob("*"))


def test_imported_people_are_journaled_once_for_webhooks(db):
    from quartier.accounts.models import Activity

    import_text("email,name\na@example.org,A\nb@example.org,B\n")
    import_text("email,name\na@example.org,A\n")
    assert Activity.objects.filter(kind="api.person_imported").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_people_at_once_never_duplicate_anyone():
    lines = "".join(
        f"person{number}@example.org,Person {number},514-872-{number:04d}\n" for number in range(60)
    )
    text = "email,name,phone\n" + lines
    outcomes = run_together(
        [
            lambda: import_text(text).status,
            lambda: import_text(text.upper().replace("EMAIL,NAME,PHONE", "email,name,phone")).status,
        ]
    )
    assert outcomes == ["done", "done"]
    assert Supporter.objects.filter(email__iendswith="@example.org").count() == 60
    created = sum(PeopleImport.objects.values_list("created_count", flat=True))
    merged = sum(PeopleImport.objects.values_list("merged_count", flat=True))
    assert (created, merged) == (60, 60)
    assert SupporterPhone.objects.count() == 60


def test_a_rows_own_tags_go_to_that_person_only(db):
    import_text(
        "email,name,tags\na@example.org,A,alpha\nb@example.org,B,\nc@example.org,C,gamma\n", tags=["all"]
    )
    tags = {
        email: sorted(Tagging.objects.filter(supporter__email=email).values_list("tag__name", flat=True))
        for email in ("a@example.org", "b@example.org", "c@example.org")
    }
    assert tags == {
        "a@example.org": ["all", "alpha"],
        "b@example.org": ["all"],
        "c@example.org": ["all", "gamma"],
    }


def test_a_phone_given_through_the_osdi_api_lets_an_import_merge_by_it(api):
    response = api.post(
        "/api/osdi/v1/people/person_signup_helper",
        {
            "person": {
                "email_addresses": [{"address": "ada@example.org"}],
                "phone_numbers": [{"number": "(514) 872-0311"}],
            }
        },
    )
    assert response.status_code == 201
    job = import_text("email,name,phone\n,Ada L,+1 514 872 0311\n")
    assert (job.created_count, job.merged_count, job.problem_count) == (0, 1, 0)
    assert list(SupporterPhone.objects.values_list("number", flat=True)) == ["+15148720311"]


def test_a_file_nobody_mapped_is_deleted_after_two_days(staff, settings):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from quartier.api import tasks

    job = PeopleImport.objects.create(original_name="x.csv", uploaded_by=staff)
    job.file.save("people.csv", ContentFile(b"email\na@example.org\n"))
    PeopleImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=3))
    fresh = PeopleImport.objects.create(original_name="y.csv", uploaded_by=staff)
    fresh.file.save("people.csv", ContentFile(b"email\nb@example.org\n"))
    stalled = PeopleImport.objects.create(original_name="z.csv", uploaded_by=staff, status="running")
    stalled.file.save("people.csv", ContentFile(b"email\nc@example.org\n"))
    PeopleImport.objects.filter(pk=stalled.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert tasks.sweep_imports() == 2
    stalled.refresh_from_db()
    assert (stalled.status, stalled.file.name) == ("failed", "")
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.status, job.file.name) == ("failed", "")
    assert fresh.status == "uploaded" and fresh.file.name


# --- batches, re-runs and races (issue 25: COPY and set-based statements on PostgreSQL) -------------

ROWS = (
    "email,first_name,last_name,phone,postal_code,tags\n"
    "ada@example.org,Ada,Lovelace,514 872 0311,H2X 1Y4,canvass\n"
    "bob@example.org,Bob,,,,\n"
    "ADA@example.org,,,,H3A 1A1,housing\n"  # Ada again, in another batch: merged, what she has kept
    ",Ada,L,514 872 0311,,donor\n"  # a phone only: Ada's, given in the first batch
    "carl@example.org,Carl,,+1 514 872 0312,,canvass;donor\n"
    ",Nobody,,514 872 0399,,\n"  # a number nobody has: not loaded
)


def people() -> dict[str, tuple]:
    """Everything an import writes about people, by email address."""
    return {
        supporter.email: (
            supporter.display_name, supporter.postal_code, bool(supporter.town),
            sorted(SupporterPhone.objects.filter(supporter=supporter).values_list("number", flat=True)),
            sorted(Tagging.objects.filter(supporter=supporter).values_list("tag__name", flat=True)),
            list(PersonDetails.objects.filter(supporter=supporter).values_list("given_name", "family_name", "phone_numbers")),
            Profile.objects.filter(supporter=supporter).exists(),
            Activity.objects.filter(supporter=supporter, kind="api.person_imported").count(),
        )
        for supporter in Supporter.objects.order_by("email")
    }  # fmt: skip


EXPECTED_PEOPLE = {
    "ada@example.org": (
        # The phone-only row merges its number (already there) as not primary: what OSDI's merge does.
        "Ada Lovelace", "H2X 1Y4", True, ["+15148720311"], ["all", "canvass", "donor", "housing"],
        [("Ada", "Lovelace", [{"number": "+15148720311", "primary": False}])], True, 1,
    ),
    "bob@example.org": ("Bob", "", False, [], ["all"], [("Bob", "", [])], True, 1),
    "carl@example.org": (
        "Carl", "", False, ["+15148720312"], ["all", "canvass", "donor"],
        [("Carl", "", [{"number": "+15148720312", "primary": True}])], True, 1,
    ),
}  # fmt: skip


@pytest.fixture
def two_rows_a_batch(monkeypatch):
    monkeypatch.setattr(people_import, "BATCH_ROWS", 2)


def test_a_person_repeated_across_batches_and_by_phone_stays_one_person(db, two_rows_a_batch):
    job = import_text(ROWS, tags=["all"])
    assert (job.status, job.rows_done, job.created_count, job.merged_count) == ("done", 6, 3, 2)
    assert list(job.problems.values_list("line", "loaded")) == [(7, False)]
    assert people() == EXPECTED_PEOPLE


def test_importing_the_same_file_again_creates_nothing(db, two_rows_a_batch):
    def without_primary_flags() -> dict[str, tuple]:
        # Merging a number a person has already unsets its "primary" (`merge_phone_numbers`, as OSDI
        # writes do): the one change a second run makes.
        return {email: (*found[:5], *found[6:]) for email, found in people().items()}

    import_text(ROWS, tags=["all"])
    before = without_primary_flags()
    rows = [
        model.objects.count()
        for model in (Supporter, SupporterPhone, Tagging, PersonDetails, Profile, Activity)
    ]
    again = import_text(ROWS, tags=["all"])
    assert (again.created_count, again.merged_count) == (0, 5)
    assert without_primary_flags() == before
    assert [
        model.objects.count()
        for model in (Supporter, SupporterPhone, Tagging, PersonDetails, Profile, Activity)
    ] == rows


def test_a_row_whose_phone_a_known_person_has_fills_only_their_blanks(make_supporter):
    known = make_supporter("Marie Tremblay", email="marie@example.org", postal_code="")
    SupporterPhone.objects.create(supporter=known, number="+15148720311")
    job = import_text("email,name,phone,postal_code\nnew@example.org,Someone,514-872-0311,H2X 1Y4\n")
    assert (job.created_count, job.merged_count) == (0, 1)
    known.refresh_from_db()
    assert (known.email, known.display_name, known.postal_code) == (
        "marie@example.org",
        "Marie Tremblay",
        "H2X 1Y4",
    )
    assert known.town
    assert not Supporter.objects.filter(email="new@example.org").exists()


def test_someone_who_signs_up_while_the_import_runs_is_merged_not_duplicated(db, monkeypatch):
    """Between the import's look-up and its insert, the address gets an account (a signup, another
    import): the insert skips it on the case-insensitive unique index and counts a merge."""
    from quartier.api.exchange import people_copy

    def signing_up_first(original):
        def create(*arguments, **keywords):
            if not Supporter.objects.filter(email__iexact="sam@example.org").exists():
                Supporter.objects.create(email="Sam@Example.org", handle="sam-signup", display_name="Sam")
            return original(*arguments, **keywords)

        return create

    monkeypatch.setattr(people_copy, "_create", signing_up_first(people_copy._create))
    monkeypatch.setattr(people_import, "_create", signing_up_first(people_import._create))
    job = import_text("email,name,tags\nsam@example.org,Sam W,imported\nzoe@example.org,Zoé,\n")
    assert (job.created_count, job.merged_count) == (1, 1)
    assert Supporter.objects.filter(email__iexact="sam@example.org").count() == 1
    sam = Supporter.objects.get(email__iexact="sam@example.org")
    assert sam.handle == "sam-signup"
    assert list(Tagging.objects.filter(supporter=sam).values_list("tag__name", flat=True)) == ["imported"]


def test_a_batch_takes_as_many_queries_whatever_its_size(db):
    def queries(count: int) -> int:
        lines = "".join(f"p{count}-{n}@example.org,P {n},514-872-{n:04d},H2X 1Y4,a;b\n" for n in range(count))
        with CaptureQueriesContext(connection) as captured:
            import_text("email,name,phone,postal_code,tags\n" + lines, tags=["all"])
        return len(captured)

    queries(1)  # the tags exist from now on
    assert queries(5) == queries(40)


def test_the_copy_and_the_orm_writers_agree(db, two_rows_a_batch, make_supporter, monkeypatch):
    """On PostgreSQL both writers load the same file over the same people; elsewhere only the ORM one
    runs (the dispatcher picks it)."""
    if connection.vendor != "postgresql":
        return

    def load() -> tuple[dict, tuple]:
        known = make_supporter("Ada", email="ada@example.org", postal_code="")
        Supporter.objects.filter(pk=known.pk).update(display_name="")  # a blank the import fills
        SupporterPhone.objects.create(supporter=known, number="+15148720312")  # Carl's number: a merge
        PersonDetails.objects.create(supporter=known, family_name="Byron")
        job = import_text(ROWS, tags=["all"])
        outcome = (
            people(),
            (job.created_count, job.merged_count, sorted(job.problems.values_list("line", "loaded"))),
        )
        Supporter.objects.all().delete()
        return outcome

    by_copy = load()
    with monkeypatch.context() as patched:
        patched.setattr(
            people_import,
            "write_people_with_copy",
            lambda rows, job_tags, language: people_import.write_people_with_orm(
                rows, job_tags, {}, language
            ),
        )
        by_orm = load()
    assert by_copy == by_orm
    assert by_copy[1] == (1, 4, [(6, True), (7, False)])
