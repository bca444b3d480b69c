"""The hot pages, with random addresses of each drawn from the loaded campaign, and their SQL queries.

Each page is a list of paths (event ids, group slugs, profile handles, searches near real postal codes)
and a viewer (anonymous, or a verified generated supporter signed in). `bench.http` serves them through
gunicorn and drives them with wrk; `count_queries` fetches a few of each in-process, through Django's
test client, to report the SQL queries per request (no timing here: the one timing loop is wrk's).

Searches are what a visitor does first (`/events/?near=<postal code>&country=…&within=25`, the same
for groups): each is for a real postal code of a bundled place (Canadian codes with a random local
delivery unit, `H2X 1Y4`; French and US codes as they are).
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.test import Client
from django.utils import timezone

from bench.urls import TRIVIAL_PATH
from quartier.accounts.models import Supporter
from quartier.demo.generator import GENERATED_EMAIL_DOMAIN, campaign_places, full_postal_code
from quartier.organizing.models import Event, Group

SEARCH_RADIUS = 25  # km (anonymous visitors outside the US search in kilometres)
# A radius search reads the postal code, then ids in up to four widening boxes, then the rows: a
# bound that never grows with the number of results.
MAX_SEARCH_QUERIES = 6


# Targets (issue 21), as (ratio to the bare floor's requests per second, p95 ms at 16 connections).
TARGETS = {
    "anonymous": (0.20, 50.0),  # a hot page, cached
    "first visit": (0.10, float("inf")),  # an anonymous page not yet cached
    "signed in": (0.10, 100.0),
    "trivial": (0.85, float("inf")),  # Quartier's own trivial view: the cost of its middleware
    "floor": (1.0, float("inf")),
    "api": (0.0, float("inf")),  # the API's target is p95 per page one request at a time (`bench.api`)
}


@dataclass
class HotPage:
    name: str
    viewer: str  # "anonymous", or who is signed in: "signed in", "staff"
    paths: list[str]
    kind: str = "page"  # "page", "first visit" (each path once, cache cold), "trivial", "floor", "api"
    headers: dict[str, str] = field(default_factory=dict)  # sent with every request (an API key)

    @property
    def signed_in(self) -> bool:
        return self.viewer != "anonymous" and not self.headers  # headers carry an API key instead

    @property
    def first_visit(self) -> bool:
        return self.kind == "first visit"

    @property
    def label(self) -> str:
        viewer = "first visit" if self.first_visit else self.viewer
        return f"{self.name} ({viewer})"

    @property
    def target(self) -> tuple[float, float]:
        if self.kind in ("trivial", "floor", "first visit"):
            return TARGETS[self.kind]
        return TARGETS["signed in" if self.signed_in else "anonymous"]

    def first_visits(self) -> HotPage:
        """The same page on paths not yet cached (each asked once, in order)."""
        return HotPage(self.name, self.viewer, self.paths, kind="first visit", headers=self.headers)


def sample_ids(queryset: QuerySet, count: int, rng: random.Random) -> list[int]:
    """Ids of `count` random rows of `queryset` (probing random ids: no full scan, no ORDER BY random)."""
    bounds = queryset.model.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    found: dict[int, None] = {}
    for _attempt in range(50):
        ids = {rng.randint(bounds["low"], bounds["high"]) for _draw in range(count * 3)}
        found.update(dict.fromkeys(queryset.filter(pk__in=ids).values_list("pk", flat=True)))
        if len(found) >= count:
            break
    chosen = list(found)[:count]
    rng.shuffle(chosen)
    return chosen


def public_profiles() -> QuerySet[Supporter]:
    """Supporters whose profile every visitor may see (verified, active, not staff)."""
    return Supporter.objects.filter(
        email_verified_at__isnull=False, is_active=True, deleted_at__isnull=True, is_staff=False
    )


def search_paths(path: str, count: int, rng: random.Random) -> list[str]:
    places = [item.place for item in campaign_places()]
    return [
        f"{path}?{urlencode({'near': full_postal_code(place, rng), 'country': place.country, 'within': SEARCH_RADIUS})}"
        for place in rng.choices(places, k=count)
    ]


def hot_pages(count: int, rng: random.Random) -> list[HotPage]:
    """Every hot page with `count` random paths (fewer only where the campaign has fewer)."""
    upcoming = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=timezone.now())
    event_paths = [f"/events/{pk}/" for pk in sample_ids(upcoming, count, rng)]
    groups = Group.objects.filter(status=Group.Status.ACTIVE)
    group_ids = sample_ids(groups, count, rng)
    group_paths = [
        f"/groups/{slug}/" for slug in Group.objects.filter(pk__in=group_ids).values_list("slug", flat=True)
    ]
    profile_ids = sample_ids(public_profiles(), count, rng)
    profile_paths = [
        f"/people/{handle}/"
        for handle in Supporter.objects.filter(pk__in=profile_ids).values_list("handle", flat=True)
    ]
    rng.shuffle(group_paths)
    rng.shuffle(profile_paths)
    return [
        HotPage("home `/`", "anonymous", ["/"]),
        HotPage("event search `/events/?near=…&within=25`", "anonymous", search_paths("/events/", count, rng)),
        HotPage("event page `/events/<id>/`", "anonymous", event_paths),
        HotPage("event page `/events/<id>/`", "signed in", event_paths),
        HotPage("group search `/groups/?near=…&within=25`", "anonymous", search_paths("/groups/", count, rng)),
        HotPage("group page `/groups/<slug>/`", "anonymous", group_paths),
        HotPage("profile `/people/<handle>/`", "anonymous", profile_paths),
        HotPage("profile `/people/<handle>/`", "signed in", profile_paths),
    ]  # fmt: skip


def trivial_page() -> HotPage:
    return HotPage("Quartier's trivial view `/bench/trivial/`", "anonymous", [TRIVIAL_PATH], kind="trivial")


def signed_in_viewer(rng: random.Random) -> Supporter:
    """A verified generated supporter, who views the signed-in pages."""
    generated = public_profiles().filter(email__endswith=f"@{GENERATED_EMAIL_DOMAIN}")
    ids = sample_ids(generated, 1, rng)
    if not ids:
        raise SystemExit("No verified generated supporter: load the campaign before measuring.")
    return Supporter.objects.get(pk=ids[0])


class QueryCounter:
    """A database execute wrapper that counts statements (lighter than capturing their SQL)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@dataclass
class QueryCounts:
    counts: list[int]

    def __str__(self) -> str:
        low, high = min(self.counts), max(self.counts)
        return str(low) if low == high else f"{low}–{high} (median {statistics.median(self.counts):g})"


def count_queries(page: HotPage, viewer: Supporter | None, requests: int = 20) -> QueryCounts:
    """SQL queries per request of `page` for its first `requests` paths, after one uncounted request."""
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    paths = (page.paths * requests)[: requests + 1]
    client.get(paths[0], secure=True)  # the first request opens the connection and fills caches
    counts = []
    for path in paths[1:]:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = client.get(path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} in-process ({page.label})")
        counts.append(counter.count)
    return QueryCounts(counts)


def inspect(
    measured: list[HotPage], viewer: Supporter, profile_page: Callable[..., dict[str, float]]
) -> tuple[dict[str, QueryCounts], dict[str, dict[str, float]]]:
    """In-process, untimed by wrk: each page's queries per request and its ms per request by part.

    First visits are inspected on the tail of their paths (cold: wrk walks them from the head) and
    before the hot pages, whose paths they must not warm."""
    counts: dict[str, QueryCounts] = {}
    parts: dict[str, dict[str, float]] = {}
    for page in measured:
        sample = page
        if page.first_visit:
            sample = HotPage(page.name, page.viewer, page.paths[-60:], kind=page.kind)
        counts[page.label] = count_queries(sample, viewer if page.signed_in else None)
        client = Client()
        if page.signed_in:
            client.force_login(viewer)
        tail = sample.paths[-30:] if page.first_visit else sample.paths
        parts[page.label] = profile_page(tail, client=client)
    return counts, parts
