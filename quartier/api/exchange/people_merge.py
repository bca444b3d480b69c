"""What both writers of the people import share (`people_import` with the ORM, `people_copy` with COPY
on PostgreSQL): one row per person of a batch, how a row found its person, the handle of a new account,
and the merge of the details of people who already have some."""

from __future__ import annotations

import secrets
from enum import StrEnum

from django.utils import timezone

from quartier.api.actions.people import merge_phone_numbers
from quartier.api.exchange.import_rows import PersonRow
from quartier.api.models import PersonDetails
from quartier.lib.ids import handle_from_name, is_valid_handle

IMPORTED_KIND = "api.person_imported"  # journal kind: the webhooks' person.created


class Match(StrEnum):
    """How a row of the file found its person."""

    EMAIL = "email"  # known by their email address
    PHONE = "phone"  # known by a phone number only they have
    CREATED = "created"  # new: this import made the account
    RACED = "raced"  # another import (or a signup) made the account a moment ago: a merge


def new_handle(name: str) -> str:
    base = handle_from_name(name)[:21] if name else ""
    if not is_valid_handle(base):
        base = "supporter"
    return f"{base}-{secrets.token_hex(4)}"


def merge_rows(rows: list[PersonRow]) -> list[PersonRow]:
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


def wanted_details(rows: list[PersonRow], people: list[int | None]) -> dict[int, PersonRow]:
    """Person → the first row of the batch that brings them details (given or family name, phone)."""
    wanted: dict[int, PersonRow] = {}
    for row, pk in zip(rows, people, strict=True):
        if pk is not None and (row.phone or row.given_name or row.family_name):
            wanted.setdefault(pk, row)
    return wanted


def update_known_details(wanted: dict[int, PersonRow], *, new: set[int]) -> None:
    """What the OSDI people resource shows beyond the account (given and family names, phone numbers),
    merged as the API merges it for the people of `wanted` who have details already: names only where
    empty, numbers added by their value. Those are read, locked and updated, and taken out of `wanted`:
    what is left has no details yet (the writers insert them). The people this batch created (`new`)
    have none: nobody else can see them yet."""
    maybe = sorted(pk for pk in wanted if pk not in new)
    if not maybe:
        return
    now = timezone.now()
    existing = list(PersonDetails.objects.filter(supporter_id__in=maybe).order_by("pk").select_for_update())
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
