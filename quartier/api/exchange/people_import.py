"""The people import: stream the stored file in batches, merge each person with who is already known
(by email address, then by a phone number only one person has), create the others, tag them all.

Rules (docs/decisions.md, "People imports"):
- merge, never duplicate: a person's email address is unique in the database (case-insensitive), new
  people are inserted with ON CONFLICT DO NOTHING and read back, so two imports at once (or a file
  that repeats a person) end with one account; existing people are locked in primary-key order and
  new ones inserted in email order, so two batches never wait on each other in a cycle;
- what the person already told us wins: a merge fills only what is empty, and never changes an
  email address, a name or a language;
- an import records no consent: imported people receive no campaign email until they say yes
  themselves (docs/privacy.md, "Imports");
- a person without an email address can be merged by phone number but not created (an account needs
  an address); such lines are reported.
"""

from __future__ import annotations

import csv
import io
import logging
from typing import IO

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.activity import region_from
from quartier.accounts.models import Activity, Profile, Supporter
from quartier.accounts.queries import find_places
from quartier.api.exchange import import_files
from quartier.api.exchange.import_rows import PersonRow, parse_row
from quartier.api.exchange.people_copy import write_people_with_copy
from quartier.api.exchange.people_merge import (
    IMPORTED_KIND,
    Match,
    merge_rows,
    new_handle,
    update_known_details,
    wanted_details,
)
from quartier.api.models import PeopleImport, PeopleImportProblem, PersonDetails, SupporterPhone, Tag, Tagging

logger = logging.getLogger(__name__)

BATCH_ROWS = 2000
MAX_PROBLEMS_KEPT = 5000


class _CountingReader(io.RawIOBase):
    """The stored file, counting the bytes read (the progress bar)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def _fill_blanks(supporter: Supporter, row: PersonRow) -> None:
    fields = []
    if not supporter.display_name and row.name:
        supporter.display_name = row.name
        fields.append("display_name")
    if not supporter.postal_code and row.postal_code:
        place = find_places({(row.country, row.postal_code)}).get((row.country, row.postal_code))
        supporter.country, supporter.postal_code = row.country, row.postal_code
        supporter.town = place.town if place else ""
        supporter.latitude = place.latitude if place else None
        supporter.longitude = place.longitude if place else None
        fields += ["country", "postal_code", "town", "latitude", "longitude"]
    if fields:
        supporter.save(update_fields=fields)


def _create(rows: list[PersonRow], language: str) -> dict[str, int]:
    """Insert the people not yet known (email order); email → pk of those this call created."""
    rows = sorted(rows, key=lambda row: row.email)
    found = find_places({(row.country, row.postal_code) for row in rows if row.postal_code})
    now = timezone.now()
    unusable = make_password(None)
    handles = {row.email: new_handle(row.name) for row in rows}
    people = []
    for row in rows:
        place = found.get((row.country, row.postal_code))
        people.append(
            Supporter(
                email=row.email,
                handle=handles[row.email],
                display_name=row.name or row.email.split("@")[0][:80],
                country=row.country,
                postal_code=row.postal_code,
                town=place.town if place else "",
                latitude=place.latitude if place else None,
                longitude=place.longitude if place else None,
                language=row.language or language,
                password=unusable,
                date_joined=now,
            )
        )
    Supporter.objects.bulk_create(people, ignore_conflicts=True)
    made = Supporter.objects.filter(handle__in=list(handles.values())).values_list("email", "pk")
    return {email.lower(): pk for email, pk in made}


def write_batch(
    job: PeopleImport, rows: list[PersonRow], tags: dict[str, int], language: str
) -> tuple[int, int]:
    """Merge or create the batch's people in one transaction; (created, merged). PostgreSQL: COPY and
    set-based statements (`people_copy`); elsewhere, the same rules with the ORM."""
    every_row = rows
    rows = merge_rows(rows)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            outcome = write_people_with_copy(rows, job.tag_names, language)
        else:
            outcome = write_people_with_orm(rows, job.tag_names, tags, language)
        created = merged = 0
        for row, (pk, match) in zip(rows, outcome, strict=True):
            if match == Match.PHONE and row.email:
                row.problems.append(
                    (_("Merged by phone number with a person whose email address differs: the file's address was not kept."), True)
                )  # fmt: skip
            if pk is None:
                row.problems.append(
                    (_("Nobody with this phone number is known, and a new person needs an email address: not loaded."), False)
                )  # fmt: skip
            elif match == Match.CREATED:
                created += 1
            else:
                merged += 1
        _record_problems(job, every_row)
    return created, merged + len(every_row) - len(rows)  # a person listed twice in the file: merged


def write_people_with_orm(
    rows: list[PersonRow], job_tags: list[str], tags: dict[str, int], language: str
) -> list[tuple[int | None, Match | None]]:
    """The portable writer (SQLite): for each row of `rows` (one per person), its person and how it
    was found, or (None, None) for a row that could not be loaded."""
    emails = sorted({row.email for row in rows if row.email})
    known = {
        supporter.email.lower(): supporter
        for supporter in Supporter.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails, deleted_at__isnull=True)
        .order_by("pk")
        .select_for_update()
    }
    phones = {row.phone for row in rows if row.phone and row.email not in known}
    owners: dict[str, set[int]] = {}
    for number, supporter_id in SupporterPhone.objects.filter(number__in=phones).values_list(
        "number", "supporter_id"
    ):
        owners.setdefault(number, set()).add(supporter_id)
    by_phone = {
        supporter.pk: supporter
        for supporter in Supporter.objects.filter(
            pk__in=[next(iter(ids)) for ids in owners.values() if len(ids) == 1], deleted_at__isnull=True
        )
        .order_by("pk")
        .select_for_update()
    }
    outcome: dict[int, tuple[int | None, Match | None]] = {}  # id(row) → (supporter pk, match)
    to_create: list[PersonRow] = []
    for row in rows:
        supporter, match = (known.get(row.email), Match.EMAIL) if row.email else (None, None)
        if supporter is None and row.phone and len(owners.get(row.phone, ())) == 1:
            supporter, match = by_phone.get(next(iter(owners[row.phone]))), Match.PHONE
        if supporter is not None:
            _fill_blanks(supporter, row)
            outcome[id(row)] = (supporter.pk, match)
        elif row.email:
            to_create.append(row)
    created_pks = _create(to_create, language) if to_create else {}
    if to_create:
        raced = {row.email for row in to_create if row.email not in created_pks}
        others = dict(
            Supporter.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=sorted(raced))
            .values_list("email_lower", "pk")
        )
        for row in to_create:
            if row.email in created_pks:
                outcome[id(row)] = (created_pks[row.email], Match.CREATED)
            elif row.email in others:  # another import created them a moment ago: a merge
                outcome[id(row)] = (others[row.email], Match.RACED)
            else:  # an unlucky handle: one at a time
                created_pks[row.email] = _create([row], language)[row.email]
                outcome[id(row)] = (created_pks[row.email], Match.CREATED)
    found = [outcome.get(id(row), (None, None)) for row in rows]
    _attach(rows, [pk for pk, _match in found], job_tags, tags, set(created_pks.values()))
    return found


def _attach(
    rows: list[PersonRow],
    people: list[int | None],
    job_tags: list[str],
    tag_ids: dict[str, int],
    new: set[int],
) -> None:
    """Phones, tags (the job's and the row's own; `tag_ids` caches the ids of tags seen), details, the
    new people's profiles and their journal rows (person.created webhooks)."""
    phones, taggings = [], []
    for row, pk in zip(rows, people, strict=True):
        if pk is None:
            continue
        if row.phone:
            phones.append(SupporterPhone(supporter_id=pk, number=row.phone))
        for name in {*job_tags, *row.tags}:
            if name not in tag_ids:
                tag_ids[name] = Tag.objects.get_or_create(name=name)[0].pk
            taggings.append(Tagging(tag_id=tag_ids[name], supporter_id=pk))
    SupporterPhone.objects.bulk_create(phones, ignore_conflicts=True)
    Tagging.objects.bulk_create(taggings, ignore_conflicts=True)
    _write_details(rows, people, new)
    if new:
        Profile.objects.bulk_create([Profile(supporter_id=pk) for pk in sorted(new)], ignore_conflicts=True)
        regions = {
            pk: region_from(country, code)
            for pk, country, code in Supporter.objects.filter(pk__in=new).values_list(
                "pk", "country", "postal_code"
            )
        }
        Activity.objects.bulk_create(
            [
                Activity(
                    kind=IMPORTED_KIND, key=f"supporter:{pk}", supporter_id=pk, region=regions.get(pk, "")
                )
                for pk in sorted(new)
            ],
            ignore_conflicts=True,
        )


def _write_details(rows: list[PersonRow], people: list[int | None], new: set[int]) -> None:
    """Details of people who have some are merged (`update_known_details`); the others get theirs in
    one insert."""
    wanted = wanted_details(rows, people)
    update_known_details(wanted, new=new)
    now = timezone.now()
    PersonDetails.objects.bulk_create(
        [
            PersonDetails(
                supporter_id=pk,
                given_name=row.given_name,
                family_name=row.family_name,
                modified_at=now,
                phone_numbers=[{"number": row.phone, "primary": True}] if row.phone else [],
            )
            for pk, row in sorted(wanted.items())
        ],
        ignore_conflicts=True,  # a concurrent import made them a moment ago: theirs stand
    )


def _record_problems(job: PeopleImport, rows: list[PersonRow]) -> None:
    found = [(row.line, reason, loaded) for row in rows for reason, loaded in row.problems]
    if not found:
        return
    kept = PeopleImportProblem.objects.filter(job=job).count()
    PeopleImportProblem.objects.bulk_create(
        [
            PeopleImportProblem(job=job, line=line, reason=reason[:300], loaded=loaded)
            for line, reason, loaded in sorted(found)[: max(0, MAX_PROBLEMS_KEPT - kept)]
        ]
    )
    PeopleImport.objects.filter(pk=job.pk).update(problem_count=F("problem_count") + len(found))


def run_import(job_id: int) -> None:
    """Load a queued job's file (in a Celery task); the file is deleted at the end, whatever happens."""
    if not PeopleImport.objects.filter(pk=job_id, status=PeopleImport.Status.QUEUED).update(
        status=PeopleImport.Status.RUNNING
    ):
        return  # already taken, or cancelled
    job = PeopleImport.objects.get(pk=job_id)
    try:
        _load(job)
    except Exception:
        logger.exception("people import %s failed", job_id)
        job.refresh_from_db(fields=["rows_done"])
        import_files.finish(
            job, PeopleImport.Status.FAILED,
            _("The import stopped with an error after %(count)s lines; the lines before it are loaded.")
            % {"count": job.rows_done},
        )  # fmt: skip
        return
    if PeopleImport.objects.filter(pk=job.pk, status=PeopleImport.Status.RUNNING).exists():
        PeopleImport.objects.filter(pk=job.pk).update(bytes_done=F("total_bytes"))
        import_files.finish(job, PeopleImport.Status.DONE)


def _load(job: PeopleImport) -> None:
    from django.conf import settings

    language = settings.LANGUAGE_CODE.split("-")[0]
    tags = {name: Tag.objects.get_or_create(name=name)[0].pk for name in job.tag_names}
    with job.file.open("rb") as raw:
        counting = _CountingReader(raw)
        text = io.TextIOWrapper(
            io.BufferedReader(counting), encoding=job.encoding, errors="replace", newline=""
        )
        reader = csv.reader(text, delimiter=job.delimiter)
        next(reader, None)  # the header
        batch: list[PersonRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            batch.append(parse_row(reader.line_num, cells, job.mapping, job.country))
            if len(batch) >= BATCH_ROWS:
                if not _write(job, batch, tags, language, counting.count):
                    return
                batch = []
        if batch:
            _write(job, batch, tags, language, counting.count)


def _write(job: PeopleImport, batch: list[PersonRow], tags: dict[str, int], language: str, read: int) -> bool:
    """Write one batch and the progress; False when the job was stopped meanwhile."""
    if not PeopleImport.objects.filter(pk=job.pk, status=PeopleImport.Status.RUNNING).exists():
        return False
    loadable, skipped = [], []
    for row in batch:
        (skipped if any(not loaded for _reason, loaded in row.problems) else loadable).append(row)
    created, merged = write_batch(job, loadable, tags, language) if loadable else (0, 0)
    _record_problems(job, skipped)
    PeopleImport.objects.filter(pk=job.pk).update(
        rows_done=F("rows_done") + len(batch), created_count=F("created_count") + created,
        merged_count=F("merged_count") + merged, bytes_done=read,
    )  # fmt: skip
    return True
