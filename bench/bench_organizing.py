"""Local groups and events at scale: event search, the event page, group search and the group page.

Searches are what a visitor does first (`/events/?near=<postal code>&within=25`, the same for groups):
each request is for a real postal code of a bundled place (Canadian codes with a random local delivery
unit, `H2X 1Y4`; French and US codes as they are), with its country. Pages are fetched through Django's
test client like the profile page (see `bench_accounts`): in-process, no HTTP server.
"""

from __future__ import annotations

import random
import statistics
import sys
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Max, Min
from django.utils import timezone

from bench.bench_accounts import WARM_UP_REQUESTS, PageTimings, time_requests
from quartier.accounts.models import Supporter
from quartier.demo.generator import GENERATED_EMAIL_DOMAIN, campaign_places, full_postal_code
from quartier.organizing.models import Event, Group

SEARCH_RADIUS = 25  # km (anonymous visitors outside the US search in kilometres)
RESULT_MARKER = b'class="result card"'  # one per result in the search templates


# A radius search reads the postal code, then ids in up to four widening boxes (0.5, 2, 8 km and the
# whole radius: fewer where events are dense), then the rows: a bound that never grows with results.
MAX_SEARCH_QUERIES = 6


@dataclass
class Timings(PageTimings):
    page: str = ""
    results: list[int] = field(default_factory=list)

    @property
    def constant_queries(self) -> bool:
        return min(self.queries) == max(self.queries)

    @property
    def bounded_queries(self) -> bool:
        return max(self.queries) <= MAX_SEARCH_QUERIES

    @property
    def results_summary(self) -> str:
        if not self.results:
            return ""
        full = sum(count == 20 for count in self.results)
        return (
            f"{min(self.results)}–{max(self.results)} (median {statistics.median(self.results):g}; "
            f"20 in {full} of {len(self.results)})"
        )


def sample_postal_codes(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(country, postal code) of `count` random campaign places, each place equally likely."""
    places = [item.place for item in campaign_places()]
    return [(place.country, full_postal_code(place, rng)) for place in rng.choices(places, k=count)]


def sample_ids(queryset, count: int, rng: random.Random) -> list[int]:
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


def measure_urls(page: str, viewer_name: str, urls: list[str], viewer: Supporter | None) -> Timings:
    timings = Timings(viewer_name, page=page)

    def count_results(url: str, response) -> None:
        if "?" in url:
            timings.results.append(response.content.count(RESULT_MARKER))

    time_requests(timings, urls, viewer, after=count_results)
    return timings


def search_urls(path: str, codes: list[tuple[str, str]]) -> list[str]:
    return [
        f"{path}?{urlencode({'near': code, 'country': country, 'within': SEARCH_RADIUS})}"
        for country, code in codes
    ]


def print_results(results: list[Timings]) -> None:
    print()
    print(
        "| page | viewer | requests | p50 ms | p95 ms | p99 ms | mean ms | queries/request | results/search |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---|")
    for result in results:
        print(
            f"| {result.page} | {result.viewer} | {len(result.milliseconds)} | {result.percentile(50):.1f} | "
            f"{result.percentile(95):.1f} | {result.percentile(99):.1f} | "
            f"{statistics.fmean(result.milliseconds):.1f} | {result.queries_per_request} | "
            f"{result.results_summary} |"
        )
    print()
    for result in results:
        if result.constant_queries:
            verdict = "constant"
        elif "search" in result.page and result.bounded_queries:
            verdict = f"bounded: at most {MAX_SEARCH_QUERIES}, never one per result"
        else:
            verdict = "NOT constant"
        print(
            f"queries: {result.page}, {result.viewer}: min {min(result.queries)}, max {max(result.queries)} "
            f"({verdict})"
        )


def measure(*, requests: int, seed: int) -> list[Timings]:
    now = timezone.now()
    events = Event.objects.count()
    upcoming = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now)
    print()
    print(f"Organizing: {Group.objects.count():,} groups, {events:,} events in the database")
    rng = random.Random(seed)
    per_viewer = requests + WARM_UP_REQUESTS
    codes = sample_postal_codes(per_viewer, rng)
    event_ids = sample_ids(upcoming, 2 * per_viewer, rng)
    group_slugs = list(
        Group.objects.filter(
            pk__in=sample_ids(Group.objects.filter(status=Group.Status.ACTIVE), per_viewer, rng)
        ).values_list("slug", flat=True)
    )
    rng.shuffle(group_slugs)
    if len(event_ids) < 2 * per_viewer or len(group_slugs) < per_viewer:
        sys.exit(
            f"Only {len(event_ids)} upcoming events and {len(group_slugs)} groups: load more before measuring."
        )
    viewer_id = sample_ids(
        Supporter.objects.filter(
            email__endswith=f"@{GENERATED_EMAIL_DOMAIN}", email_verified_at__isnull=False
        ),
        1,
        rng,
    )[0]
    viewer = Supporter.objects.get(pk=viewer_id)
    event_urls = [f"/events/{pk}/" for pk in event_ids]
    results = [
        measure_urls("event search `/events/?near=…&within=25`", "anonymous visitor", search_urls("/events/", codes), None),
        measure_urls("event page `/events/<id>/`", "anonymous visitor", event_urls[:per_viewer], None),
        measure_urls("event page `/events/<id>/`", "signed-in supporter", event_urls[per_viewer:], viewer),
        measure_urls("group search `/groups/?near=…&within=25`", "anonymous visitor", search_urls("/groups/", codes), None),
        measure_urls("group page `/groups/<slug>/`", "anonymous visitor", [f"/groups/{slug}/" for slug in group_slugs], None),
    ]  # fmt: skip
    print_results(results)
    failures = {status: n for result in results for status, n in result.statuses.items() if status != 200}
    if failures:
        sys.exit(f"Some pages did not answer 200: {failures}")
    varying = [result.page for result in results if "search" in result.page and not result.bounded_queries]
    if varying:
        sys.exit(f"Query counts exceed {MAX_SEARCH_QUERIES} on these list pages (see above): {varying}")
    return results
