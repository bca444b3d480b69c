"""`quartier import_postal_codes FILE [--country CA]`: load a GeoNames postal-code dump.

FILE is a GeoNames postal-code file from https://download.geonames.org/export/zip/ (Creative
Commons Attribution: credit GeoNames): `CA.txt`, `CA_full.txt`, `FR.txt`, `allCountries.txt`…, or the `.zip` they come
in. Lines are tab-separated, without a header: country code, postal code, place name, admin name1,
admin code1, admin name2, admin code2, admin name3, admin code3, latitude, longitude, accuracy.

Rows are upserted on (country, code) in batches, so running it again updates and never duplicates.
When a file lists one code several times (French codes shared by several communes), the last row
wins. Malformed lines are skipped and counted; rows of other countries are skipped with `--country`.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from quartier.accounts.models import PostalCode
from quartier.lib.places import normalise_postal_code

BATCH_SIZE = 5000
COUNTRY = re.compile(r"^[A-Z]{2}$")
CODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]*$")
# The data file of a GeoNames zip: `CA.txt`, `CA_full.txt`, `allCountries.txt` (not `readme.txt`).
DATA_MEMBER = re.compile(r"^(?:[A-Z]{2}(?:_full)?|allCountries)\.(?:txt|csv)$")
FIELDS = ("place_name", "admin_name1", "latitude", "longitude")


class MalformedLine(ValueError):
    pass


@dataclass
class Counts:
    lines: int = 0
    rows: int = 0  # well-formed rows of the country asked for
    malformed: int = 0
    other_countries: int = 0


def parse_line(line: str) -> PostalCode:
    """One GeoNames line as an unsaved `PostalCode`; raises `MalformedLine`."""
    columns = line.split("\t")
    if len(columns) < 11:
        raise MalformedLine(f"{len(columns)} columns instead of 12")
    country = columns[0].strip().upper()
    if not COUNTRY.match(country):
        raise MalformedLine(f"bad country code {columns[0]!r}")
    code = normalise_postal_code(country, columns[1])
    if not code or len(code) > PostalCode._meta.get_field("code").max_length or not CODE.match(code):
        raise MalformedLine(f"bad postal code {columns[1]!r}")
    place_name = columns[2].strip()
    if not place_name:
        raise MalformedLine("no place name")
    try:
        latitude, longitude = float(columns[9]), float(columns[10])
    except ValueError:
        raise MalformedLine(f"bad coordinates {columns[9]!r}, {columns[10]!r}") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # also refuses NaN
        raise MalformedLine(f"coordinates out of range {latitude}, {longitude}")
    return PostalCode(
        country=country,
        code=code,
        place_name=place_name[: PostalCode._meta.get_field("place_name").max_length],
        admin_name1=columns[3].strip()[: PostalCode._meta.get_field("admin_name1").max_length],
        latitude=latitude,
        longitude=longitude,
    )


@contextmanager
def open_dump(path: Path, country: str | None) -> Iterator[IO[bytes]]:
    """The data of a `.txt` file, or of the data file inside a GeoNames `.zip`."""
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            yield handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [name for name in archive.namelist() if DATA_MEMBER.match(Path(name).name)]
        if country:
            members = [name for name in members if Path(name).name.startswith(country)] or members
        if len(members) != 1:
            found = ", ".join(archive.namelist()) or "nothing"
            raise CommandError(f"{path}: expected one GeoNames data file (like CA.txt) in it, found {found}")
        with archive.open(members[0]) as handle:
            yield handle


def decoded_lines(handle: IO[bytes]) -> Iterator[str | None]:
    """Each line as text without its line ending; None for a line that is not UTF-8."""
    for number, raw in enumerate(handle):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield None
            continue
        if number == 0:
            line = line.removeprefix("\ufeff")
        yield line.rstrip("\r\n")


class Command(BaseCommand):
    help = "Import (or update) postal codes and their centroids from a GeoNames postal-code file."
    verbosity = 1

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CA.txt, CA_full.txt, FR.zip, allCountries.zip…")
        parser.add_argument("--country", help="import only this country's rows (ISO code, e.g. CA)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="rows per upsert")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        country = (options["country"] or "").strip().upper() or None
        if country and not COUNTRY.match(country):
            raise CommandError(f"--country takes a two-letter ISO code, not {options['country']!r}")
        batch_size = max(1, options["batch_size"])
        counts = Counts()
        before = self.stored(country)
        with open_dump(options["file"], country) as handle:
            batch: dict[tuple[str, str], PostalCode] = {}
            for row in self.rows(decoded_lines(handle), country, counts):
                # Keyed on the unique fields: PostgreSQL refuses to upsert one row twice in a statement.
                batch[row.country, row.code] = row
                if len(batch) >= batch_size:
                    self.save(batch.values(), counts)
                    batch = {}
            self.save(batch.values(), counts)
        created = self.stored(country) - before
        summary = (
            f"{counts.lines:,} lines read: {counts.rows:,} rows imported ({created:,} new postal codes, "
            f"{counts.rows - created:,} updates or repeated codes), {counts.malformed:,} malformed lines skipped"
        )
        if country:
            summary += f", {counts.other_countries:,} rows of other countries skipped"
        self.stdout.write(self.style.SUCCESS(summary + "."))

    def rows(self, lines: Iterable[str | None], country: str | None, counts: Counts) -> Iterator[PostalCode]:
        for number, line in enumerate(lines, start=1):
            if line is not None and not line.strip():
                continue
            counts.lines += 1
            try:
                if line is None:
                    raise MalformedLine("not UTF-8")
                row = parse_line(line)
            except MalformedLine as error:
                counts.malformed += 1
                if self.verbosity >= 2:
                    self.stderr.write(f"line {number}: {error}, skipped")
                continue
            if country and row.country != country:
                counts.other_countries += 1
                continue
            counts.rows += 1
            yield row

    def save(self, rows: Iterable[PostalCode], counts: Counts) -> None:
        rows = list(rows)
        if not rows:
            return
        with transaction.atomic():
            PostalCode.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["country", "code"],
                update_fields=list(FIELDS),
            )
        if self.verbosity >= 1:
            self.stdout.write(f"… {counts.rows:,} rows imported")

    def stored(self, country: str | None) -> int:
        codes = PostalCode.objects.all()
        return (codes.filter(country=country) if country else codes).count()
