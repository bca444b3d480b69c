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
from django.db.models import QuerySet
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


def total_of(queryset: QuerySet[Any]) -> int:
    """`queryset.count()`, kept `API_COUNT_CACHE_SECONDS` in the cache by its SQL: counting millions of
    rows costs more than the page itself, and a client walking the pages asks the same count each time.
    A total may then lag new rows by that long (0: always counted)."""
    seconds = settings.API_COUNT_CACHE_SECONDS
    if seconds <= 0:
        return queryset.count()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return 0
    key = "api-count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    total = cache.get(key)
    if total is None:
        total = queryset.count()
        cache.set(key, total, timeout=seconds)
    return int(total)


DEEP_OFFSET = 1000  # past this many rows, a page is found by its primary keys first


def page_of(queryset: QuerySet[Any], paging: Paging) -> tuple[list[Any], int]:
    """The rows of one page and the total count (two queries; the slice past the end is empty).

    Deep pages skip their offset over the primary keys alone (an index scan, no joined row built for
    the rows skipped), then read the page's rows in the queryset's own order: a third query, far
    cheaper than an OFFSET over the joined rows at millions of people."""
    total = total_of(queryset)
    if paging.offset >= total:
        return [], total
    window = slice(paging.offset, paging.offset + paging.per_page)
    if paging.offset < DEEP_OFFSET:
        return list(queryset[window]), total
    keys = list(queryset.values_list("pk", flat=True)[window])
    return list(queryset.filter(pk__in=keys)), total


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
