"""PostgreSQL: a batch of the people import (one row per person, `people_merge.merge_rows`) loaded with
COPY into a staging table (`fieldwork.import_copy.copy_into_staging`), then matched and written by a
fixed number of set-based statements, whatever the batch's size, with the rules of `people_import`:

1. match by email address (people not deleted), locking them in primary-key order;
2. match the others by a phone number only one person has, locking them in primary-key order;
3. fill what the matched people left empty (name; postal code with its town), from the first row of
   the batch that has it;
4. create the others that have an email address, in email order, `ON CONFLICT DO NOTHING`: an
   address made meanwhile by another import or a signup (the case-insensitive unique index) is a
   merge, never a second account; a handle taken meanwhile gets a new one and another try;
5. phones, tags, details, and the new people's profiles and journal rows, each by one
   `INSERT … SELECT … ON CONFLICT DO NOTHING` in key order.

Values Python computes once per row (validation, normalisation, the place of a postal code, a new
handle) are staged; SQL only joins and copies them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from quartier.accounts.activity import region_from
from quartier.accounts.models import Activity, Profile, Supporter
from quartier.accounts.queries import find_places
from quartier.api.exchange.people_merge import (
    IMPORTED_KIND,
    Match,
    new_handle,
    update_known_details,
    wanted_details,
)
from quartier.api.models import PersonDetails, SupporterPhone, Tag, Tagging
from quartier.fieldwork.import_copy import copy_into_staging

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

    from quartier.api.exchange.import_rows import PersonRow

STAGING = "people_import_staging"
STAGED = {
    "position": "integer", "email": "text", "phone": "text", "name": "text", "display_name": "text",
    "given_name": "text", "family_name": "text", "country": "text", "postal_code": "text", "town": "text",
    "latitude": "double precision", "longitude": "double precision", "language": "text", "handle": "text",
    "tags": "text", "region": "text",
}  # fmt: skip
# Filled by the statements: the person each row found and how (`Match`).
TYPES = ", ".join([*(f"{name} {kind}" for name, kind in STAGED.items()), "supporter_id bigint, matched text"])
TAG_SEPARATOR = "|"  # never inside a tag: `contacts.split_tags` splits on it
HANDLE_TRIES = 5

SUPPORTER = Supporter._meta.db_table
PHONE = SupporterPhone._meta.db_table

# Each row looks its person up by itself (a subquery per row, through the index of the unique address
# or number): a join would let the planner scan the whole table of people for each batch while it
# believes that cheaper, which it does until the table holds some hundred thousand people.
MATCH_BY_EMAIL = f"""
WITH found AS (
    SELECT s.position,
           (SELECT u.id FROM {SUPPORTER} u WHERE LOWER(u.email) = s.email AND u.deleted_at IS NULL) AS id
    FROM {STAGING} s WHERE s.email <> '')
UPDATE {STAGING} s SET supporter_id = found.id, matched = '{Match.EMAIL}'
FROM found WHERE s.position = found.position AND found.id IS NOT NULL
RETURNING found.id
"""  # noqa: S608 - table and column names are ours

# A number only one person has (people deleted since count: such a number merges nobody).
MATCH_BY_PHONE = f"""
WITH found AS (
    SELECT s.position,
           (SELECT u.id FROM {SUPPORTER} u WHERE u.deleted_at IS NULL AND u.id = (
                SELECT MIN(p.supporter_id) FROM {PHONE} p WHERE p.number = s.phone HAVING COUNT(*) = 1)) AS id
    FROM {STAGING} s WHERE s.supporter_id IS NULL AND s.phone <> '')
UPDATE {STAGING} s SET supporter_id = found.id, matched = '{Match.PHONE}'
FROM found WHERE s.position = found.position AND found.id IS NOT NULL
RETURNING found.id
"""  # noqa: S608

# The people found are locked in primary-key order, so two batches never wait on each other in a cycle.
LOCK = f"SELECT id FROM {SUPPORTER} WHERE id = ANY(%s) ORDER BY id FOR UPDATE"  # noqa: S608

FILL_BLANKS = f"""
UPDATE {SUPPORTER} u SET
    display_name = CASE WHEN u.display_name = '' AND f.name IS NOT NULL THEN f.name ELSE u.display_name END,
    country = CASE WHEN u.postal_code = '' AND p.position IS NOT NULL THEN p.country ELSE u.country END,
    town = CASE WHEN u.postal_code = '' AND p.position IS NOT NULL THEN p.town ELSE u.town END,
    latitude = CASE WHEN u.postal_code = '' AND p.position IS NOT NULL THEN p.latitude ELSE u.latitude END,
    longitude = CASE WHEN u.postal_code = '' AND p.position IS NOT NULL THEN p.longitude ELSE u.longitude END,
    postal_code = CASE WHEN u.postal_code = '' AND p.position IS NOT NULL THEN p.postal_code ELSE u.postal_code END
FROM (SELECT supporter_id,
             (ARRAY_AGG(name ORDER BY position) FILTER (WHERE name <> ''))[1] AS name,
             MIN(position) FILTER (WHERE postal_code <> '') AS postal_position
      FROM {STAGING} WHERE matched IN ('{Match.EMAIL}', '{Match.PHONE}') GROUP BY supporter_id) f
LEFT JOIN {STAGING} p ON p.position = f.postal_position
WHERE u.id = f.supporter_id AND u.id = ANY(%s)
  AND ((u.display_name = '' AND f.name IS NOT NULL) OR (u.postal_code = '' AND p.position IS NOT NULL))
"""  # noqa: S608

# Another import or a signup made the address meanwhile (whoever it is now, as `people_import` does).
MATCH_RACED = f"""
WITH found AS (
    SELECT s.position, (SELECT u.id FROM {SUPPORTER} u WHERE LOWER(u.email) = s.email) AS id
    FROM {STAGING} s WHERE s.supporter_id IS NULL AND s.email <> '')
UPDATE {STAGING} s SET supporter_id = found.id, matched = '{Match.RACED}'
FROM found WHERE s.position = found.position AND found.id IS NOT NULL
"""  # noqa: S608

PHONES = f"""
INSERT INTO {PHONE} (supporter_id, number, created_at)
SELECT supporter_id, phone, %(now)s FROM {STAGING} WHERE supporter_id IS NOT NULL AND phone <> ''
ORDER BY 1, 2 ON CONFLICT DO NOTHING
"""  # noqa: S608

TAGS = f"""
INSERT INTO {Tag._meta.db_table} (name, created_at, modified_at)
SELECT DISTINCT t.name, %(now)s::timestamptz, %(now)s::timestamptz
FROM {STAGING} s CROSS JOIN LATERAL UNNEST(STRING_TO_ARRAY(s.tags, '{TAG_SEPARATOR}')) AS t(name)
WHERE s.supporter_id IS NOT NULL ORDER BY 1 ON CONFLICT (name) DO NOTHING
"""  # noqa: S608

TAGGINGS = f"""
INSERT INTO {Tagging._meta.db_table} (tag_id, supporter_id, created_at, modified_at)
SELECT g.id, s.supporter_id, %(now)s, %(now)s
FROM {STAGING} s CROSS JOIN LATERAL UNNEST(STRING_TO_ARRAY(s.tags, '{TAG_SEPARATOR}')) AS t(name)
JOIN {Tag._meta.db_table} g ON g.name = t.name
WHERE s.supporter_id IS NOT NULL ORDER BY 2, 1 ON CONFLICT DO NOTHING
"""  # noqa: S608

# People with no details yet get them from the batch's first row that brings some; those who have some
# were merged by `update_known_details` (or by a concurrent import a moment ago): their row stands.
NEW_DETAILS = f"""
INSERT INTO {PersonDetails._meta.db_table}
    (supporter_id, given_name, family_name, phone_numbers, custom_fields, created_at, modified_at)
SELECT DISTINCT ON (s.supporter_id) s.supporter_id, s.given_name, s.family_name,
       CASE WHEN s.phone <> '' THEN JSONB_BUILD_ARRAY(JSONB_BUILD_OBJECT('number', s.phone, 'primary', TRUE))
            ELSE '[]'::jsonb END,
       '{{}}'::jsonb, %(now)s, %(now)s
FROM {STAGING} s
WHERE s.supporter_id IS NOT NULL AND (s.phone <> '' OR s.given_name <> '' OR s.family_name <> '')
ORDER BY s.supporter_id, s.position ON CONFLICT DO NOTHING
"""  # noqa: S608


def _defaults(model: type[Model], given: list[str]) -> tuple[list[str], dict[str, object]]:
    """The columns of `model` other than its generated key and the `given` ones, with the values a new
    instance would write (its defaults), as query parameters: statements stay right when a column
    with a default is added to the model."""
    instance = model()
    columns, values = [], {}
    for field in model._meta.concrete_fields:
        if isinstance(field, AutoFieldMixin) or field.column in given:
            continue
        columns.append(connection.ops.quote_name(field.column))
        values[f"default_{field.column}"] = field.get_db_prep_save(
            field.pre_save(instance, add=True), connection
        )
    return columns, values


def _insert_selected(model: type[Model], given: dict[str, str], where: str, order: str) -> tuple[str, dict]:
    """`INSERT INTO model (the given columns, then the others) SELECT (the given expressions over the
    staging rows `s`, then the others' defaults) … WHERE where ORDER BY order ON CONFLICT DO NOTHING`,
    and its parameters."""
    columns, values = _defaults(model, list(given))
    selected = ", ".join([*given.values(), *(f"%({name})s" for name in values)])
    statement = (
        f"INSERT INTO {model._meta.db_table} ({', '.join([*given, *columns])}) "  # noqa: S608 - ours
        f"SELECT {selected} FROM {STAGING} s WHERE {where} ORDER BY {order} ON CONFLICT DO NOTHING"
    )
    return statement, values


def _staged(position: int, row: PersonRow, job_tags: list[str], language: str, places: dict) -> list[object]:
    place = places.get((row.country, row.postal_code))
    return [
        position, row.email, row.phone, row.name, row.name or row.email.split("@")[0][:80],
        row.given_name, row.family_name, row.country, row.postal_code,
        place.town if place else "", place.latitude if place else None, place.longitude if place else None,
        row.language or language, new_handle(row.name) if row.email else "",
        TAG_SEPARATOR.join(sorted({*job_tags, *row.tags})), region_from(row.country, row.postal_code),
    ]  # fmt: skip


def _create(cursor: CursorWrapper, rows: list[PersonRow]) -> list[tuple[int | None, Match | None]]:
    """Insert the people not found (step 4) and read back what each row found."""
    now = timezone.now()
    given = {
        "email": "s.email", "handle": "s.handle", "display_name": "s.display_name", "country": "s.country",
        "postal_code": "s.postal_code", "town": "s.town", "latitude": "s.latitude",
        "longitude": "s.longitude", "language": "s.language", "password": "%(password)s",
        "date_joined": "%(now)s",
    }  # fmt: skip
    insert, parameters = _insert_selected(
        Supporter, given, "s.supporter_id IS NULL AND s.email <> ''", "s.email"
    )
    create = (
        f"WITH made AS ({insert} RETURNING id, email) "  # noqa: S608 - table and column names are ours
        f"UPDATE {STAGING} s SET supporter_id = made.id, matched = '{Match.CREATED}' FROM made "
        "WHERE s.email = made.email"
    )
    parameters.update(password=make_password(None), now=now)
    for _try in range(HANDLE_TRIES):
        cursor.execute(create, parameters)
        cursor.execute(MATCH_RACED)
        cursor.execute(f"SELECT position, supporter_id, matched FROM {STAGING}")  # noqa: S608
        found: list[tuple[int | None, Match | None]] = [(None, None)] * len(rows)
        for position, pk, matched in cursor.fetchall():
            found[position] = (pk, Match(matched) if matched else None)
        unlucky = [
            position for position, (pk, _match) in enumerate(found) if pk is None and rows[position].email
        ]
        if not unlucky:
            return found
        for position in unlucky:  # a handle taken meanwhile: another one
            cursor.execute(
                f"UPDATE {STAGING} SET handle = %s WHERE position = %s",  # noqa: S608
                [new_handle(rows[position].name), position],
            )
    raise RuntimeError("no free handle for new people after several tries")


def write_people_with_copy(
    rows: list[PersonRow], job_tags: list[str], language: str
) -> list[tuple[int | None, Match | None]]:
    """For each row of `rows` (one per person), its person and how it was found, or (None, None) for a
    row that could not be loaded. Inside the caller's transaction."""
    places = find_places({(row.country, row.postal_code) for row in rows if row.postal_code})
    now = timezone.now()
    with connection.cursor() as cursor:
        # These statements each touch one batch through indexes; when the tables' statistics lag behind
        # their growth the planner's estimates soar and it would compile them (JIT) at each batch, which
        # costs far more than running them. For this transaction only.
        cursor.execute("SET LOCAL jit = off")
        staged = (_staged(position, row, job_tags, language, places) for position, row in enumerate(rows))
        copy_into_staging(cursor, STAGING, TYPES, list(STAGED), staged)
        cursor.execute(MATCH_BY_EMAIL)
        known = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(MATCH_BY_PHONE)
        known += [pk for (pk,) in cursor.fetchall()]
        if known:
            cursor.execute(LOCK, [sorted(set(known))])
            cursor.execute(FILL_BLANKS, [sorted(set(known))])
        found = _create(cursor, rows)
        new = {pk for pk, match in found if match == Match.CREATED}
        update_known_details(wanted_details(rows, [pk for pk, _match in found]), new=new)
        cursor.execute(PHONES, {"now": now})
        cursor.execute(TAGS, {"now": now})
        cursor.execute(TAGGINGS, {"now": now})
        cursor.execute(NEW_DETAILS, {"now": now})
        created = f"s.matched = '{Match.CREATED}'"
        statement, parameters = _insert_selected(Profile, {"supporter_id": "s.supporter_id"}, created, "1")
        cursor.execute(statement, parameters)
        statement, parameters = _insert_selected(
            Activity,
            {"kind": "%(kind)s", "key": "'supporter:' || s.supporter_id", "supporter_id": "s.supporter_id",
             "region": "s.region"},
            created, "s.supporter_id",
        )  # fmt: skip
        cursor.execute(statement, {**parameters, "kind": IMPORTED_KIND})
    return found
