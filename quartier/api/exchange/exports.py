"""Exports of people, RSVPs and donations, as CSV or JSON, streamed in constant memory: rows are read
by keyset pagination (`pk > last`, `CHUNK_ROWS` at a time, as plain values), written and forgotten.

What the exports follow (docs/privacy.md, "Exports"): deleted accounts are left out; a person's
consent to campaign news is a column of its own (no consent is never shown as a yes), so that a file
handed to a mailing tool says whom it may write to; cells that a spreadsheet would read as a formula
are neutralised in CSV.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from quartier.accounts.models import CAMPAIGN_NEWS, Consent, Supporter
from quartier.api.models import SupporterPhone, Tagging
from quartier.donations.models import Donation
from quartier.organizing.models import Rsvp

CHUNK_ROWS = 2000
FORMATS = ("csv", "json")


PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formulas (CSV injection); a plain number (an E.164 phone number, a
    negative amount) is no formula and stays as it is."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@", "\t", "\r"} and not PLAIN_NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def keyset_chunks(queryset: QuerySet, chunk_rows: int = CHUNK_ROWS) -> Iterator[list[dict[str, Any]]]:
    """`queryset` (a `.values(…)` including "pk") in primary-key order, `chunk_rows` at a time."""
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:chunk_rows])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"]


def _people_rows(chunk_rows: int) -> Iterator[dict[str, Any]]:
    people = Supporter.objects.filter(deleted_at__isnull=True).values(
        "pk", "email", "display_name", "country", "postal_code", "town", "language", "date_joined",
        "email_verified_at",
    )  # fmt: skip
    for chunk in keyset_chunks(people, chunk_rows):
        pks = [row["pk"] for row in chunk]
        phones: dict[int, list[str]] = {}
        for supporter_id, number in (
            SupporterPhone.objects.filter(supporter_id__in=pks)
            .order_by("pk")
            .values_list("supporter_id", "number")
        ):
            phones.setdefault(supporter_id, []).append(number)
        tags: dict[int, list[str]] = {}
        for supporter_id, name in (
            Tagging.objects.filter(supporter_id__in=pks)
            .order_by("tag__name")
            .values_list("supporter_id", "tag__name")
        ):
            tags.setdefault(supporter_id, []).append(name)
        consents = dict(
            Consent.objects.filter(supporter_id__in=pks, audience=CAMPAIGN_NEWS).values_list(
                "supporter_id", "granted"
            )
        )
        for row in chunk:
            consent = consents.get(row["pk"])
            yield {
                "identifier": f"quartier:{row['pk']}",
                "email": row["email"],
                "name": row["display_name"],
                "phone_numbers": phones.get(row["pk"], []),
                "country": row["country"],
                "postal_code": row["postal_code"],
                "town": row["town"],
                "language": row["language"],
                "tags": tags.get(row["pk"], []),
                "campaign_news_consent": "" if consent is None else ("yes" if consent else "no"),
                "email_verified": row["email_verified_at"] is not None,
                "created_date": row["date_joined"],
            }


def _rsvp_rows(chunk_rows: int) -> Iterator[dict[str, Any]]:
    rsvps = Rsvp.objects.filter(supporter__deleted_at__isnull=True).values(
        "pk", "status", "guests", "attended", "is_walk_in", "created_at", "supporter_id", "supporter__email",
        "supporter__display_name", "shift__event_id", "shift__event__title", "shift__starts_at",
    )  # fmt: skip
    for chunk in keyset_chunks(rsvps, chunk_rows):
        for row in chunk:
            yield {
                "identifier": f"quartier:{row['pk']}",
                "event_identifier": f"quartier:{row['shift__event_id']}",
                "event_title": row["shift__event__title"],
                "shift_starts_at": row["shift__starts_at"],
                "person_identifier": f"quartier:{row['supporter_id']}",
                "email": row["supporter__email"],
                "name": row["supporter__display_name"],
                "status": row["status"],
                "guests": row["guests"],
                "attended": row["attended"],
                "walk_in": row["is_walk_in"],
                "created_date": row["created_at"],
            }


def _donation_rows(chunk_rows: int) -> Iterator[dict[str, Any]]:
    donations = Donation.objects.values(
        "pk", "supporter_id", "first_name", "last_name", "email", "city", "region", "postal_code", "country",
        "amount_minor", "currency", "frequency", "status", "refunded_minor", "page_id", "refcode",
        "created_at", "succeeded_at",
    )  # fmt: skip
    for chunk in keyset_chunks(donations, chunk_rows):
        for row in chunk:
            yield {
                "identifier": f"quartier:{row['pk']}",
                "person_identifier": f"quartier:{row['supporter_id']}" if row["supporter_id"] else "",
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "email": row["email"],
                "city": row["city"],
                "region": row["region"],
                "postal_code": row["postal_code"],
                "country": row["country"],
                "amount_minor": row["amount_minor"],
                "currency": row["currency"],
                "frequency": row["frequency"],
                "status": row["status"],
                "refunded_minor": row["refunded_minor"],
                "fundraising_page_identifier": f"quartier:{row['page_id']}" if row["page_id"] else "",
                "refcode": row["refcode"],
                "created_date": row["created_at"],
                "succeeded_date": row["succeeded_at"],
            }


@dataclass(frozen=True)
class Export:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[int], Iterator[dict[str, Any]]]


EXPORTS: dict[str, Export] = {
    "people": Export(
        "people",
        ("identifier", "email", "name", "phone_numbers", "country", "postal_code", "town", "language", "tags",
         "campaign_news_consent", "email_verified", "created_date"),
        _people_rows,
    ),
    "rsvps": Export(
        "rsvps",
        ("identifier", "event_identifier", "event_title", "shift_starts_at", "person_identifier", "email", "name",
         "status", "guests", "attended", "walk_in", "created_date"),
        _rsvp_rows,
    ),
    "donations": Export(
        "donations",
        ("identifier", "person_identifier", "first_name", "last_name", "email", "city", "region", "postal_code",
         "country", "amount_minor", "currency", "frequency", "status", "refunded_minor",
         "fundraising_page_identifier", "refcode", "created_date", "succeeded_date"),
        _donation_rows,
    ),
}  # fmt: skip


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _csv_cell(value: object) -> str:
    if isinstance(value, list):
        return safe_cell(";".join(str(item) for item in value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return safe_cell(_plain(value))


class _Line:
    """A file-like object whose `write` returns what it was given (csv.writer → one line at a time)."""

    def write(self, text: str) -> str:
        return text


def stream_csv(export: Export, chunk_rows: int = CHUNK_ROWS) -> Iterable[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(export.columns)
    for row in export.rows(chunk_rows):
        yield writer.writerow([_csv_cell(row[column]) for column in export.columns])


def stream_json(export: Export, chunk_rows: int = CHUNK_ROWS) -> Iterable[str]:
    """A JSON array, one object per line."""
    yield "[\n"
    first = True
    for row in export.rows(chunk_rows):
        text = json.dumps({column: _plain(row[column]) for column in export.columns}, ensure_ascii=False)
        yield text if first else ",\n" + text
        first = False
    yield "\n]\n"
