"""HAL+JSON for OSDI: links, curies, paging and the collection envelope shared by every resource."""

from __future__ import annotations

import hashlib
import math
import re
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


def anchors_of(queryset: QuerySet[Any], total: int) -> list[int]:
    """The primary key at every `ANCHOR_EVERY`-th position of `queryset` (ordered by primary key): one
    index scan of the keys, kept in the cache with the total it was taken at, so that they are rebuilt
    as soon as the (cached) total changes, and are never older than the total shown beside them."""
    key = _sql_key("api-anchors:", queryset, total, ANCHOR_EVERY)
    anchors = cache.get(key) if key and settings.API_COUNT_CACHE_SECONDS > 0 else None
    if anchors is None:
        anchors = _every_nth_key(queryset, ANCHOR_EVERY)
        if key and settings.API_COUNT_CACHE_SECONDS > 0:
            cache.set(key, anchors, timeout=settings.API_ANCHOR_CACHE_SECONDS)
    return anchors


def _every_nth_key(queryset: QuerySet[Any], step: int) -> list[int]:
    # Numbered over the queryset's own SQL (whatever it joins or groups) by a window outside it.
    inner, params = queryset.annotate(anchor_key=F("pk")).values_list("anchor_key").query.sql_with_params()
    numbered = (
        f"SELECT anchor_key, ROW_NUMBER() OVER (ORDER BY anchor_key) AS position FROM ({inner}) AS listed"  # noqa: S608
    )
    sql = f"SELECT anchor_key FROM ({numbered}) AS n WHERE (position - 1) %% %s = 0 ORDER BY anchor_key"  # noqa: S608
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, (*params, step))
        return [key for (key,) in cursor.fetchall()]


def page_of(queryset: QuerySet[Any], paging: Paging) -> tuple[list[Any], int]:
    """The rows of one page (of a queryset ordered by primary key) and the total count; the slice past
    the end is empty.

    OSDI pages are numbered, so a page is an offset. Past `DEEP_OFFSET` rows, an OFFSET would read and
    throw away every row before the page (seconds at millions of people); instead the page starts from
    the nearest anchor before it (`anchors_of`: the key at every thousandth position) and skips fewer
    than `ANCHOR_EVERY` keys from there. If rows were deleted since the anchors were taken, a deep page
    may start a few rows late until the total changes — as any numbered paging does under writes."""
    total = total_of(queryset)
    if paging.offset >= total:
        return [], total
    if paging.offset < DEEP_OFFSET:
        return list(queryset[paging.offset : paging.offset + paging.per_page]), total
    anchors = anchors_of(queryset, total)
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
