"""Mobilize's paging: `count`, `next`, `previous`, `data`, with `per_page` and either `page` (a page
number) or `cursor` (what the `next` and `previous` links carry, as Mobilize's do).

A cursor names the row a page starts after (or ends before), by primary key (`CURSOR`), so that following `next`
through a large table reads an index range instead of skipping rows (`OFFSET`); `page` starts from an
offset, as Mobilize allows. Links are absolute (on `SITE_URL`) and keep every other query parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from quartier.api.mobilize.problems import MobilizeError
from quartier.api.osdi.hal import total_of
from quartier.lib.urls import absolute_url

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100  # a larger `per_page` is served as this many, as Mobilize caps it silently
MAX_PAGE = 1_000_000
AFTER, BEFORE = "a", "b"


@dataclass
class Page:
    rows: list
    count: int
    next: str | None
    previous: str | None


# `a<id>`: the page after row <id>; `b<id>`: the page before it. Clients only follow links, as with
# Mobilize's opaque cursors; the pattern (in the OpenAPI document too) rejects anything else.
CURSOR = re.compile(r"^[ab][0-9]{1,18}$")


def encode_cursor(direction: str, pk: int) -> str:
    return f"{direction}{pk}"


def decode_cursor(cursor: str) -> tuple[str, int]:
    if not CURSOR.match(cursor):
        raise MobilizeError(400, _("cursor: not a cursor this API gave out."))
    return cursor[0], int(cursor[1:])


def _link(request: HttpRequest, **replacing: str | int) -> str:
    kept = [
        (name, value)
        for name, values in request.GET.lists()
        if name not in {"page", "cursor"}
        for value in values
    ]
    query = urlencode([*kept, *replacing.items()])
    return absolute_url(request.path) + (f"?{query}" if query else "")


def paginate(
    request: HttpRequest,
    rows: QuerySet,
    *,
    per_page: int,
    page: int | None,
    cursor: str | None,
    leading: object | None = None,
) -> Page:
    """One page of `rows` in primary-key order: the count, the rows and the links around them.

    `leading` is a row that is not in the table and comes before all of it, with the key 0 (the campaign
    in front of the groups of the organization list)."""
    if per_page < 1 or (page is not None and not 1 <= page <= MAX_PAGE):
        raise MobilizeError(400, _("per_page and page must be positive whole numbers."))
    per_page = min(per_page, MAX_PER_PAGE)
    head = [leading] if leading is not None else []
    count = total_of(rows) + len(head)  # kept a few seconds by its SQL, as OSDI's totals
    ordered = rows.order_by("pk")
    if cursor:
        direction, pk = decode_cursor(cursor)
        if direction == AFTER:
            found = list(ordered.filter(pk__gt=pk)[: per_page + 1])
            more_after, found = len(found) > per_page, found[:per_page]
            more_before = bool(found) and (bool(head) or ordered.filter(pk__lt=found[0].pk).exists())
        else:
            found = list(rows.order_by("-pk").filter(pk__lt=pk)[: per_page + 1])
            if len(found) <= per_page:
                found += head
            more_before, found = len(found) > per_page, found[:per_page][::-1]
            more_after = bool(found) and ordered.filter(pk__gt=_key(found[-1])).exists()
    else:
        start = ((page or 1) - 1) * per_page
        if head and start == 0:
            found = head + list(ordered[:per_page])
        else:
            skip = start - len(head)
            found = list(ordered[skip : skip + per_page + 1])
        more_after, found = len(found) > per_page, found[:per_page]
        more_before = start > 0 and count > 0
    next_link = _link(request, cursor=encode_cursor(AFTER, _key(found[-1]))) if more_after else None
    previous_link = None
    if more_before and found:
        previous_link = _link(request, cursor=encode_cursor(BEFORE, _key(found[0])))
    elif more_before:  # a page past the last: its previous page is the last one
        previous_link = _link(request, page=max((count - 1) // per_page + 1, 1))
    return Page(rows=found, count=count, next=next_link, previous=previous_link)


def _key(row: object) -> int:
    return getattr(row, "pk", 0) or 0
