"""HAL+JSON for OSDI: links, curies, paging and the collection envelope shared by every resource."""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from quartier.api.errors import ApiError

PREFIX = "/api/osdi/v1/"
CURIES = [{"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}.html", "templated": True}]
IDENTIFIER_PREFIX = "quartier:"
ID = re.compile(r"(quartier:)?[0-9]{1,18}")  # the OpenAPI document's pattern (`params.ID_PATTERN`)


def url(request: HttpRequest, path: str, query: dict[str, Any] | None = None) -> str:
    """The absolute address of `path` (relative to the API's prefix)."""
    absolute = request.build_absolute_uri(PREFIX + path.lstrip("/"))
    return f"{absolute}?{urlencode(query)}" if query else absolute


def link(request: HttpRequest, path: str) -> dict[str, str]:
    return {"href": url(request, path)}


def identifiers(pk: int) -> list[str]:
    return [f"{IDENTIFIER_PREFIX}{pk}"]


def timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_id(raw: str) -> int:
    """A resource's id from its URL: `12` or `quartier:12`; anything else is a 404."""
    if not ID.fullmatch(raw):  # ASCII digits only (str.isdigit() takes other scripts' digits too)
        raise ApiError(404, _("Nothing was found at this address."))
    return int(raw.removeprefix(IDENTIFIER_PREFIX))


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(page: int | None, per_page: int | None) -> Paging:
    """The requested page (from 1) and size (default 25, capped at `max_pagesize`); 400 when absurd."""
    number = 1 if page is None else page
    size = settings.API_DEFAULT_PAGE_SIZE if per_page is None else per_page
    if number < 1:
        raise ApiError(400, _("page starts at 1."))
    if size < 1:
        raise ApiError(400, _("per_page must be at least 1."))
    if number > 10_000_000:
        raise ApiError(400, _("page is too large."))
    return Paging(page=number, per_page=min(size, settings.API_MAX_PAGE_SIZE))


DEEP_OFFSET = 1000  # past this many rows, a page is found from an anchor instead of an OFFSET
ANCHOR_EVERY = 1000  # one anchor (a primary key) every this many rows of a listing


def _sql_key(prefix: str, queryset: QuerySet[Any], *extra: Any) -> str | None:
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    return prefix + hashlib.sha256(repr((sql, params, extra)).encode()).hexdigest()


def total_of(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, kept `API_COUNT_CACHE_SECONDS` in the cache by its SQL: counting millions of
    rows costs more than the page itself, and a client walking the pages asks the same count each time.
    A total may then lag new rows by that long (0: always counted)."""
    seconds = settings.API_COUNT_CACHE_SECONDS
    if seconds <= 0:
        return queryset.count()
    key = _sql_key("api-count:", queryset)
    if key is None:
        return 0
    total = cache.get(key)
    if total is None:
        total = queryset.count()
        cache.set(key, total, timeout=seconds)
    return int(total)


def anchors_of(queryset: QuerySet[Any]) -> list[int]:
    """The primary key at every `ANCHOR_EVERY`-th position of `queryset` (ordered by primary key).

    Taken by one index scan of the keys and cached with the last key and the number of rows up to it.
    Keys only grow, so rows added since (new people, new events) leave every anchor right; at most once
    every `API_COUNT_CACHE_SECONDS` a count of the rows up to that last key checks it, and any other
    change (a row removed, or one entering or leaving a filter) takes the anchors again."""
    seconds = settings.API_COUNT_CACHE_SECONDS
    key = _sql_key("api-anchors:", queryset, ANCHOR_EVERY) if seconds > 0 else None
    stored = cache.get(key) if key else None
    now = time.time()
    if stored is not None:
        anchors, last, counted, checked_at = stored
        if now - checked_at < seconds:
            return anchors
        if queryset.filter(pk__lte=last).count() == counted:
            cache.set(key, (anchors, last, counted, now), timeout=settings.API_ANCHOR_CACHE_SECONDS)
            return anchors
    anchors, last, counted = _every_nth_key(queryset, ANCHOR_EVERY)
    if key:
        cache.set(key, (anchors, last, counted, now), timeout=settings.API_ANCHOR_CACHE_SECONDS)
    return anchors


def _every_nth_key(queryset: QuerySet[Any], step: int) -> tuple[list[int], int, int]:
    """(every `step`-th key from the first, the last key, how many rows): numbered over the queryset's
    own SQL (whatever it joins or groups) by a window outside it, in one pass."""
    inner, params = queryset.annotate(anchor_key=F("pk")).values_list("anchor_key").query.sql_with_params()
    numbered = (
        "SELECT anchor_key, ROW_NUMBER() OVER w AS position, LEAD(anchor_key) OVER w AS following "  # noqa: S608
        f"FROM ({inner}) AS listed WINDOW w AS (ORDER BY anchor_key)"
    )
    sql = (
        f"SELECT anchor_key, position FROM ({numbered}) AS n "  # noqa: S608
        "WHERE (position - 1) %% %s = 0 OR following IS NULL ORDER BY anchor_key"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, (*params, step))
        rows = cursor.fetchall()
    if not rows:
        return [], 0, 0
    anchors = [key for key, position in rows if (position - 1) % step == 0]
    return anchors, rows[-1][0], rows[-1][1]


def page_of(queryset: QuerySet[Any], paging: Paging) -> tuple[list[Any], int]:
    """The rows of one page (of a queryset ordered by primary key) and the total count; the slice past
    the end is empty.

    OSDI pages are numbered, so a page is an offset. Past `DEEP_OFFSET` rows, an OFFSET would read and
    throw away every row before the page (seconds at millions of people); instead the page starts from
    the nearest anchor before it (`anchors_of`: the key at every thousandth position) and skips fewer
    than `ANCHOR_EVERY` keys from there (more on the pages of rows added since the anchors were taken).
    If rows were removed since, a deep page may start a few rows late for up to
    `API_COUNT_CACHE_SECONDS`, as numbered pages shift under writes in any API."""
    total = total_of(queryset)
    if paging.offset >= total:
        return [], total
    if paging.offset < DEEP_OFFSET:
        return list(queryset[paging.offset : paging.offset + paging.per_page]), total
    anchors = anchors_of(queryset)
    slot = min(paging.offset // ANCHOR_EVERY, len(anchors) - 1)
    skip = paging.offset - slot * ANCHOR_EVERY
    rows = queryset.filter(pk__gte=anchors[slot]) if anchors else queryset
    return list(rows[skip : skip + paging.per_page]), total


def collection(
    request: HttpRequest,
    *,
    path: str,
    rel: str,
    items: list[dict[str, Any]],
    total: int,
    paging: Paging,
    query: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The OSDI envelope of one page of a collection at `path`, embedded as `osdi:<rel>`."""
    total_pages = math.ceil(total / paging.per_page) if total else 0
    base_query = {key: value for key, value in (query or {}).items() if value not in (None, "")}

    def page_link(number: int) -> dict[str, str]:
        return {"href": url(request, path, base_query | {"page": number, "per_page": paging.per_page})}

    links: dict[str, Any] = {"self": page_link(paging.page)}
    if paging.page < total_pages:
        links["next"] = page_link(paging.page + 1)
    if paging.page > 1:
        links["previous"] = page_link(min(paging.page - 1, max(total_pages, 1)))
    links[f"osdi:{rel}"] = [item["_links"]["self"] for item in items]
    links["curies"] = CURIES
    return {
        "total_pages": total_pages,
        "per_page": paging.per_page,
        "page": paging.page,
        "total_records": total,
        "_links": links,
        "_embedded": {f"osdi:{rel}": items},
    }


def resource(
    request: HttpRequest,
    *,
    path: str,
    pk: int,
    created: datetime | None,
    modified: datetime | None,
    fields: dict[str, Any],
    links: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One OSDI resource: identifiers, dates, its fields and its links (`links`: rel → path)."""
    all_links: dict[str, Any] = {"self": link(request, path)}
    for rel, target in (links or {}).items():
        all_links[rel] = link(request, target)
    return {
        "identifiers": identifiers(pk),
        "created_date": timestamp(created),
        "modified_date": timestamp(modified or created),
        **fields,
        "_links": all_links,
    }
