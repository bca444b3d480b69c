"""PostgreSQL: a batch of parsed contact rows loaded with COPY into a staging table, then merged into
contacts by one `INSERT … SELECT … ON CONFLICT (dedupe_key) DO UPDATE` that applies the merge rule of
`importing.merge` in SQL (a non-empty value replaces the old one, tags add up, do-not-call and
do-not-knock once set stay set, the import's scope applies, a supporter with the same email is linked).

Rows of the batch with the same key (a person listed twice in the file) are merged in Python first, in
file order, so the statement sees each key once; keys seen in earlier batches or already known are
merged by the conflict clause."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.fieldwork.import_rows import merge_values
from quartier.fieldwork.models import Contact

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

    from quartier.fieldwork.import_rows import Row

TEXT = [
    "external_id", "first_name", "last_name", "email", "address", "street_name", "town", "postal_code", "country",
    "household_key", "phone", "time_zone", "language",
]  # fmt: skip
NUMBERS = {"house_number": "integer", "latitude": "double precision", "longitude": "double precision"}
COLUMNS = ["dedupe_key", *TEXT, *NUMBERS, "tags", "do_not_call", "do_not_knock"]


def _merged_in_file(rows: list[Row]) -> list[list[object]]:
    """One COPY row (`COLUMNS`) per key, later rows of the batch merged over earlier ones
    (`import_rows.merge_values`, the rule of `importing.merge`, on plain dicts)."""
    by_key: dict[str, dict[str, object]] = {}
    for row in rows:
        known = by_key.get(row.key)
        if known is None:
            by_key[row.key] = {**row.values, "dedupe_key": row.key}
        else:
            merge_values(known, row.values)
    return [[values[name] for name in COLUMNS] for values in by_key.values()]


def _statement(scope_group_id: int | None) -> str:
    contact, supporter = Contact._meta.db_table, Supporter._meta.db_table
    columns = ", ".join(COLUMNS)
    kept_text = ", ".join(f"{n} = COALESCE(NULLIF(EXCLUDED.{n}, ''), c.{n})" for n in TEXT)
    kept_numbers = ", ".join(f"{n} = COALESCE(EXCLUDED.{n}, c.{n})" for n in NUMBERS)
    return f"""
INSERT INTO {contact} AS c ({columns}, supporter_id, scope_group_id, created_at, updated_at, last_outcome)
SELECT {", ".join(f"s.{n}" for n in COLUMNS)},
       (SELECT u.id FROM {supporter} u WHERE s.email <> '' AND u.email = s.email AND u.is_active
        ORDER BY u.id LIMIT 1),
       %(scope)s, %(now)s, %(now)s, ''
FROM import_staging s
ON CONFLICT (dedupe_key) DO UPDATE SET {kept_text}, {kept_numbers},
    tags = LEFT(COALESCE((SELECT ',' || string_agg(DISTINCT tag COLLATE "C", ',' ORDER BY tag COLLATE "C") || ','
                          FROM unnest(string_to_array(c.tags || EXCLUDED.tags, ',')) AS tag
                          WHERE tag <> ''), ''), 500),
    do_not_call = c.do_not_call OR EXCLUDED.do_not_call,
    do_not_knock = c.do_not_knock OR EXCLUDED.do_not_knock,
    supporter_id = COALESCE(c.supporter_id, EXCLUDED.supporter_id,
                            (SELECT u.id FROM {supporter} u WHERE c.email <> '' AND u.email = c.email
                             AND u.is_active ORDER BY u.id LIMIT 1)),
    scope_group_id = EXCLUDED.scope_group_id, updated_at = EXCLUDED.updated_at
RETURNING (xmax = 0), supporter_id IS NOT NULL
"""  # noqa: S608 - table and column names are ours


def copy_into_staging(
    cursor: CursorWrapper, table: str, types: str, columns: list[str], rows: Iterable[Sequence[object]]
) -> None:
    """COPY `rows` into the session's temporary `table` (`types`: its column definitions), made on first
    use and emptied at each commit, and emptied now too (a caller's longer transaction may hold the rows
    of an earlier batch). Inside a transaction: the merge that reads the table follows in the same one.
    The people import (`api.exchange.people_copy`) stages its batches the same way."""
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({types}) ON COMMIT DELETE ROWS")
    cursor.execute(f"TRUNCATE {table}")
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # psycopg's cursor
        for row in rows:
            copy.write_row(row)


def write_batch_with_copy(rows: list[Row], scope_group_id: int | None) -> tuple[int, int, int]:
    """Create or merge one batch in one transaction; returns (created, merged, linked)."""
    values = _merged_in_file(rows)
    types = ", ".join(
        [
            "dedupe_key text",
            *(f"{n} text" for n in TEXT),
            *(f"{n} {t}" for n, t in NUMBERS.items()),
            "tags text, do_not_call boolean, do_not_knock boolean",
        ]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        copy_into_staging(cursor, "import_staging", types, COLUMNS, values)
        cursor.execute(_statement(scope_group_id), {"scope": scope_group_id, "now": timezone.now()})
        written = cursor.fetchall()
    created = sum(1 for is_new, _linked in written if is_new)
    linked = sum(1 for _new, is_linked in written if is_linked)
    return created, len(rows) - created, linked
