"""Contact files: check an upload, guess the column mapping, then stream the rows into contacts.

`inspect_upload` reads only the start of the file (encoding, delimiter, header, a preview).
`run_import` (in a Celery task) streams the whole file in batches of `BATCH_ROWS`: each batch is
parsed, merged by the rule of `lib.contacts.dedupe_key` with what the database holds, written in
one transaction, and the job's progress (bytes read, rows, problems) saved after it. A bad row is
reported with its line number and the rest loads; an error that stops the import says how many rows
had loaded before it.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quartier.accounts.models import Supporter
from quartier.fieldwork.actions.common import FieldworkError
from quartier.fieldwork.import_copy import write_batch_with_copy
from quartier.fieldwork.import_files import finish
from quartier.fieldwork.import_rows import MERGED_FIELDS, Row, _cell, _Places, merge, parse_row
from quartier.fieldwork.models import Contact, ImportJob, ImportProblem
from quartier.lib import contacts as lib

logger = logging.getLogger(__name__)

BATCH_ROWS = 2000
PREVIEW_ROWS = 5
SNIFF_BYTES = 64 * 1024
# A contact file has a few dozen columns; the mapping page draws one choice per column. A header
# wider than this, or a first line that does not end within `SNIFF_BYTES`, is refused at upload.
MAX_COLUMNS = 200
SNIFF_LINES = 50  # csv.Sniffer is slow on long samples: it reads this many lines at most
MAX_PROBLEMS_KEPT = 5000
# csv's default field limit is 128 KiB; a contact field longer than this is a broken file.
csv.field_size_limit(64 * 1024)

# The fields a column can fill, with the header names that suggest them.
FIELDS: dict[str, tuple[object, tuple[str, ...]]] = {
    "external_id": (gettext_lazy("Voter or file id"), ("id", "voter id", "voter_id", "external id", "numero")),
    "first_name": (gettext_lazy("First name"), ("first name", "first_name", "firstname", "prenom", "given name")),
    "last_name": (gettext_lazy("Last name"), ("last name", "last_name", "lastname", "surname", "nom", "family name")),
    "full_name": (gettext_lazy("Full name"), ("name", "full name", "nom complet")),
    "address": (gettext_lazy("Street address"), ("address", "street", "street address", "adresse", "address1")),
    "town": (gettext_lazy("Town"), ("town", "city", "ville", "municipality", "commune")),
    "postal_code": (gettext_lazy("Postal code"), ("postal code", "postal_code", "postcode", "zip", "zip code", "code postal", "cp")),
    "country": (gettext_lazy("Country (two letters)"), ("country", "pays")),
    "latitude": (gettext_lazy("Latitude"), ("latitude", "lat")),
    "longitude": (gettext_lazy("Longitude"), ("longitude", "lon", "lng", "long")),
    "phone": (gettext_lazy("Phone number"), ("phone", "telephone", "tel", "mobile", "cell", "phone number")),
    "email": (gettext_lazy("Email address"), ("email", "e-mail", "courriel", "mail")),
    "language": (gettext_lazy("Language"), ("language", "langue", "lang")),
    "tags": (gettext_lazy("Tags (separated by ; or ,)"), ("tags", "tag", "etiquettes")),
    "do_not_call": (gettext_lazy("Do not call (yes/no)"), ("do not call", "do_not_call", "dnc", "ne pas appeler")),
    "do_not_knock": (gettext_lazy("Do not knock (yes/no)"), ("do not knock", "do_not_knock", "dnk", "ne pas visiter")),
    "time_zone": (gettext_lazy("Time zone"), ("time zone", "timezone", "time_zone", "fuseau")),
}  # fmt: skip


@dataclass(frozen=True)
class Inspection:
    encoding: str
    delimiter: str
    header: list[str]
    preview: list[list[str]]


def _decode_start(head: bytes) -> tuple[str, str]:
    """The encoding (UTF-8 unless it fails, then Latin-1) and the decoded start of the file."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", head[3:].decode("utf-8", errors="ignore")
    try:
        return "utf-8", head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 4:  # a character cut by the end of the sample
            return "utf-8", head[: error.start].decode("utf-8")
        return "latin-1", head.decode("latin-1")


def inspect_upload(upload: UploadedFile | IO[bytes], size: int | None = None) -> Inspection:
    """Check that a file is a CSV we can read; raise FieldworkError with the reason if not."""
    size = size if size is not None else getattr(upload, "size", None)
    if size is not None and size > settings.FIELDWORK_IMPORT_MAX_BYTES:
        raise FieldworkError(
            _(
                "This file is too large (%(size)s MB): the limit is %(limit)s MB. Split it and import each part."
            )
            % {"size": size // 1_000_000, "limit": settings.FIELDWORK_IMPORT_MAX_BYTES // 1_000_000}
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if not head.strip():
        raise FieldworkError(_("This file is empty."))
    if b"\x00" in head or head.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise FieldworkError(
            _("This is not a CSV file (a spreadsheet or another binary file?). Save it as CSV and try again.")
        )
    encoding, text = _decode_start(head)
    lines = text.splitlines()
    if len(head) == SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of the sample may be cut
    elif len(head) == SNIFF_BYTES:
        raise FieldworkError(
            _(
                "The first line of this file (the column names) is longer than %(size)s KB: is it a contact file?"
            )
            % {"size": SNIFF_BYTES // 1024}
        )
    _check_width(lines[0] if lines else "")
    sample = "\n".join(lines[:SNIFF_LINES])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
    except csv.Error as error:
        raise FieldworkError(_("This file is not valid CSV: %(error)s.") % {"error": error}) from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise FieldworkError(_("This file is empty."))
    _check_width(rows[0])
    header = [cell.strip()[:80] for cell in rows[0]]
    if len(header) < 2:
        raise FieldworkError(
            _(
                "This file has a single column: a contact file needs at least a name and an address or a phone number."
            )
        )
    return Inspection(encoding, delimiter, header, rows[1 : 1 + PREVIEW_ROWS])


def too_many_columns_error() -> FieldworkError:
    return FieldworkError(
        _("This file has more than %(count)s columns: keep the contact columns only and try again.")
        % {"count": MAX_COLUMNS}
    )


def _check_width(first: str | list[str]) -> None:
    """Refuse a header wider than `MAX_COLUMNS` (before sniffing, for a line: by its separators)."""
    width = len(first) if isinstance(first, list) else 1 + max(first.count(sep) for sep in ",;\t|")
    if width > MAX_COLUMNS:
        raise too_many_columns_error()


def guess_mapping(header: list[str]) -> dict[str, int]:
    """Field → column index, from the header's names (the user checks it on the mapping page)."""
    folded = [lib.fold(name) for name in header]
    mapping: dict[str, int] = {}
    for field_name, (_label, names) in FIELDS.items():
        wanted = {lib.fold(name) for name in names}
        for index, name in enumerate(folded):
            if name in wanted and index not in mapping.values():
                mapping[field_name] = index
                break
    return mapping


def check_mapping(mapping: dict[str, int]) -> None:
    has_name = "full_name" in mapping or "first_name" in mapping or "last_name" in mapping
    if not has_name:
        raise FieldworkError(_("Choose the column that holds the name (or the first and last names)."))
    if not {"address", "phone", "external_id", "email"} & set(mapping):
        raise FieldworkError(_("Choose at least an address, a phone number or an id column."))


# --- the import ---------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Wraps the stored file to know how many bytes were read (the progress bar)."""

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


def _write_batch(rows: list[Row], scope_group_id: int | None = None) -> tuple[int, int, int]:
    """Create or merge one batch in one transaction; returns (created, merged, linked). PostgreSQL:
    COPY and one merging INSERT (`import_copy`); elsewhere, the same rule with `bulk_create`."""
    if connection.vendor == "postgresql":
        return write_batch_with_copy(rows, scope_group_id)
    return write_batch_with_orm(rows, scope_group_id)


def write_batch_with_orm(rows: list[Row], scope_group_id: int | None = None) -> tuple[int, int, int]:
    now = timezone.now()
    with transaction.atomic():
        existing = {c.dedupe_key: c for c in Contact.objects.filter(dedupe_key__in={row.key for row in rows})}
        emails = {row.email for row in rows if row.email}
        supporters = dict(
            Supporter.objects.filter(email__in=emails, is_active=True).values_list("email", "pk")
        )
        new: dict[str, Contact] = {}
        changed: dict[str, Contact] = {}
        for row in rows:  # a person listed twice in the file is merged like one already known
            contact = existing.get(row.key) or new.get(row.key)
            if contact is None:
                contact = new[row.key] = Contact(
                    dedupe_key=row.key, created_at=now, updated_at=now,
                    tags=str(row.values["tags"]), do_not_call=bool(row.values["do_not_call"]),
                    do_not_knock=bool(row.values["do_not_knock"]),
                    **{name: row.values[name] for name in MERGED_FIELDS},
                )  # fmt: skip
            else:
                merge(contact, row.values)
                contact.updated_at = now
                if contact.pk:
                    changed[row.key] = contact
            if contact.supporter_id is None and contact.email in supporters:
                contact.supporter_id = supporters[contact.email]
        # One upsert for new and merged contacts alike (INSERT … ON CONFLICT (dedupe_key) DO UPDATE):
        # merged rows carry their merged values, so the update writes exactly what `merge` decided.
        # The import's scope applies to every contact it brings, new or merged (staff's grant).
        for contact in [*new.values(), *changed.values()]:
            contact.scope_group_id = scope_group_id
        fields = [
            *MERGED_FIELDS,
            "tags",
            "do_not_call",
            "do_not_knock",
            "supporter_id",
            "scope_group_id",
            "updated_at",
        ]
        rows_to_write = [*new.values()] + [
            Contact(dedupe_key=c.dedupe_key, created_at=c.created_at, **{f: getattr(c, f) for f in fields})
            for c in changed.values()
        ]
        Contact.objects.bulk_create(
            rows_to_write,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["dedupe_key"],
            update_fields=[
                *MERGED_FIELDS,
                "tags",
                "do_not_call",
                "do_not_knock",
                "supporter",
                "scope_group",
                "updated_at",
            ],
        )
    linked = sum(1 for c in [*new.values(), *changed.values()] if c.supporter_id)
    return len(new), len(rows) - len(new), linked


def _rows(job: ImportJob, stream: IO[str]) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line number, cells or None, error) for each data row after the header."""
    reader = csv.reader(stream, delimiter=job.delimiter)
    try:
        next(reader)
    except StopIteration:
        return
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, None, _("not valid CSV (%(error)s)") % {"error": error}
            continue
        except UnicodeDecodeError:
            yield reader.line_num, None, _("characters that are neither UTF-8 nor Latin-1")
            return
        if any(cell.strip() for cell in cells):
            yield reader.line_num, cells, ""


def run_import(job_id: int) -> None:
    """Stream the job's file into contacts; safe to call again on a job that is already running or done."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ImportJob.objects.get(pk=job_id)
    places = _Places()
    batch: list[Row] = []
    problems: list[ImportProblem] = []
    totals = {"read": 0, "rows": 0, "created": 0, "merged": 0, "linked": 0, "problems": 0}

    def flush(counter: _CountingReader) -> None:
        created, merged, linked = _write_batch(batch, job.scope_group_id) if batch else (0, 0, 0)
        kept = max(0, MAX_PROBLEMS_KEPT - (totals["problems"] - len(problems)))
        ImportProblem.objects.bulk_create(problems[:kept])
        totals["rows"] += len(batch)
        totals["created"] += created
        totals["merged"] += merged
        totals["linked"] += linked
        ImportJob.objects.filter(pk=job.pk).update(
            bytes_done=counter.count, rows_done=totals["read"], created_count=F("created_count") + created,
            merged_count=F("merged_count") + merged, linked_count=F("linked_count") + linked,
            problem_count=totals["problems"],
        )  # fmt: skip
        batch.clear()
        problems.clear()

    counter = None
    try:
        with job.file.open("rb") as raw:
            counter = _CountingReader(raw)
            text = io.TextIOWrapper(io.BufferedReader(counter, 256 * 1024), encoding=job.encoding, newline="")
            pending: list[tuple[int, list[str]]] = []

            def parse_pending() -> None:
                places.prefetch(
                    {((_cell(c, job.mapping, "country") or job.country).upper()[:2], _cell(c, job.mapping, "postal_code")[:12])
                     for _line, c in pending}
                )  # fmt: skip
                for line, cells in pending:
                    row, found = parse_row(line, cells, job, places)
                    for reason, loaded in found:
                        totals["problems"] += 1
                        problems.append(ImportProblem(job=job, line=line, reason=reason[:300], loaded=loaded))
                    if row is not None:
                        batch.append(row)
                pending.clear()

            for line, cells, error in _rows(job, text):
                totals["read"] += 1
                if cells is None:
                    totals["problems"] += 1
                    problems.append(ImportProblem(job=job, line=line, reason=error[:300]))
                    continue
                pending.append((line, cells))
                if len(pending) >= BATCH_ROWS:
                    parse_pending()
                    flush(counter)
            parse_pending()
            flush(counter)
    except Exception as error:
        logger.exception("import %s failed", job.pk)
        finish(
            job,
            ImportJob.Status.FAILED,
            _("The import stopped at an error (%(error)s): %(rows)s rows had loaded before it.")
            % {"error": type(error).__name__, "rows": totals["rows"]},
        )
        return
    finish(job, ImportJob.Status.DONE)
