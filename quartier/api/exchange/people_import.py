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
import secrets
from typing import IO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.activity import region_from
from quartier.accounts.models import Activity, Profile, Supporter
from quartier.accounts.queries import find_places
from quartier.api.actions.people import merge_phone_numbers
from quartier.api.exchange import import_files
from quartier.api.exchange.import_rows import PersonRow, parse_row
from quartier.api.models import PeopleImport, PeopleImportProblem, PersonDetails, SupporterPhone, Tag, Tagging
from quartier.lib.ids import handle_from_name, is_valid_handle

logger = logging.getLogger(__name__)

BATCH_ROWS = 500
MAX_PROBLEMS_KEPT = 5000
IMPORTED_KIND = "api.person_imported"  # journal kind: the webhooks' person.created


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


def _new_handle(name: str) -> str:
    base = handle_from_name(name)[:21] if name else ""
    if not is_valid_handle(base):
        base = "supporter"
    return f"{base}-{secrets.token_hex(4)}"


def _merge_rows(rows: list[PersonRow]) -> list[PersonRow]:
    """One row per email address (then per phone for rows without one): a file may repeat a person."""
    by_key: dict[str, PersonRow] = {}
    for row in rows:
        key = f"email:{row.email}" if row.email else f"phone:{row.phone}"
        kept = by_key.get(key)
        if kept is None:
            by_key[key] = row
            continue
        kept.phone = kept.phone or row.phone
        kept.name = kept.name or row.name
        kept.given_name = kept.given_name or row.given_name
        kept.family_name = kept.family_name or row.family_name
        kept.postal_code = kept.postal_code or row.postal_code
        kept.tags = kept.tags + [tag for tag in row.tags if tag not in kept.tags]
    return list(by_key.values())


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
    handles = {row.email: _new_handle(row.name) for row in rows}
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
    """Merge or create the batch's people in one transaction; (created, merged)."""
    every_row = rows
    rows = _merge_rows(rows)
    with transaction.atomic():
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
        person_of: dict[int, int] = {}  # id(row) → supporter pk
        to_create: list[PersonRow] = []
        merged = 0
        for row in rows:
            supporter = known.get(row.email) if row.email else None
            if supporter is None and row.phone and len(owners.get(row.phone, ())) == 1:
                supporter = by_phone.get(next(iter(owners[row.phone])))
                if supporter is not None and row.email:
                    row.problems.append(
                        (_("Merged by phone number with a person whose email address differs: the file's address was not kept."), True)
                    )  # fmt: skip
            if supporter is not None:
                _fill_blanks(supporter, row)
                person_of[id(row)] = supporter.pk
                merged += 1
            elif row.email:
                to_create.append(row)
            else:
                row.problems.append(
                    (_("Nobody with this phone number is known, and a new person needs an email address: not loaded."), False)
                )  # fmt: skip
        created_pks = _create(to_create, language) if to_create else {}
        created = 0
        if to_create:
            raced = {row.email for row in to_create if row.email not in created_pks}
            others = dict(
                Supporter.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=sorted(raced))
                .values_list("email_lower", "pk")
            )
            for row in to_create:
                if row.email in created_pks:
                    person_of[id(row)] = created_pks[row.email]
                    created += 1
                elif row.email in others:  # another import created them a moment ago: a merge
                    person_of[id(row)] = others[row.email]
                    merged += 1
                else:  # an unlucky handle: one at a time
                    person_of[id(row)] = _create([row], language)[row.email]
                    created_pks[row.email] = person_of[id(row)]
                    created += 1
        _attach(rows, person_of, job.tag_names, tags, set(created_pks.values()))
        _record_problems(job, every_row)
    return created, merged + len(every_row) - len(rows)  # a person listed twice in the file: merged


def _attach(
    rows: list[PersonRow],
    person_of: dict[int, int],
    job_tags: list[str],
    tag_ids: dict[str, int],
    new: set[int],
) -> None:
    """Phones, tags (the job's and the row's own; `tag_ids` caches the ids of tags seen), the new
    people's profiles and their journal rows (person.created webhooks)."""
    phones, taggings = [], []
    for row in rows:
        pk = person_of.get(id(row))
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
    _write_details(rows, person_of)
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


def _write_details(rows: list[PersonRow], person_of: dict[int, int]) -> None:
    """What the OSDI people resource shows beyond the account (given and family names, phone numbers),
    merged as the API merges it: names only where empty, numbers added by their value. People without
    details yet get them in one insert; only those who have some are read, locked and updated."""
    wanted: dict[int, PersonRow] = {}
    for row in rows:
        pk = person_of.get(id(row))
        if pk is not None and (row.phone or row.given_name or row.family_name):
            wanted.setdefault(pk, row)
    if not wanted:
        return
    now = timezone.now()
    existing = list(
        PersonDetails.objects.filter(supporter_id__in=sorted(wanted)).order_by("pk").select_for_update()
    )
    changed = []
    for details in existing:
        row = wanted.pop(details.supporter_id)
        numbers = details.phone_numbers
        if row.phone:
            numbers = merge_phone_numbers(numbers, [{"number": row.phone, "primary": not numbers}])
        if (
            (details.given_name or not row.given_name)
            and (details.family_name or not row.family_name)
            and (numbers == details.phone_numbers)
        ):
            continue
        details.given_name = details.given_name or row.given_name
        details.family_name = details.family_name or row.family_name
        details.phone_numbers, details.modified_at = numbers, now
        changed.append(details)
    if changed:
        PersonDetails.objects.bulk_update(
            changed, ["given_name", "family_name", "phone_numbers", "modified_at"]
        )
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
